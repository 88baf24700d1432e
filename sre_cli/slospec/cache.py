"""Validated specs kept between runs, so a report over unchanged specs skips YAML, pydantic and the checks.

The cache holds one resolved `SpecSet` (warnings included) per spec path, working directory and kind
of load, in `$XDG_CACHE_HOME/sre/specs/` (default ~/.cache/sre). An entry is used only when its key
matches: the sre version, the Python version, the package's source files (size, mtime), the paths
and content of every spec file the load would read (and defaults.yaml), and the load's options; and
the hand-written runbooks the specs name still exist (the one check that reads other files). Only
loads without errors are cached, so a broken spec is always reported by a full load, with its file
and line.

The entry is a pickle: it is only read from a directory and a file the user owns that nobody else
may write, and a checksum of the payload is checked before unpickling. Anything unexpected (missing,
truncated, from another version, unreadable) means a full load and a new entry: the cache can make a
run faster, never different or failing. Pydantic models are stored as `snapshot.Snapshot`s, so
reading an entry imports neither pydantic nor the spec models. `SRE_NO_CACHE=1` (or `--no-cache`)
bypasses it.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

from sre_cli import __version__
from sre_cli.slospec.discover import find_defaults, spec_files
from sre_cli.slospec.model import SpecSet

MAGIC = b"sre-spec-cache 1"


def load(paths: Iterable[str | Path], *, generating: bool = False, use_cache: bool = True) -> SpecSet:
    """`load.load(paths, generating=...)`, from the cache when its entry for these specs is current."""
    path_list = [Path(p) for p in paths] or [Path("slo")]
    bypass = not use_cache or os.environ.get("SRE_NO_CACHE", "") not in ("", "0")
    key = None if bypass else spec_key(path_list, generating)
    if key is None:
        return _full_load(path_list, generating)
    entry = entry_path(path_list, generating)
    if (cached := read_entry(entry, key)) is not None:
        return cached
    specs = _full_load(path_list, generating)
    if not specs.errors:
        write_entry(entry, key, specs)
    return specs


def _full_load(paths: list[Path], generating: bool) -> SpecSet:
    from sre_cli.slospec.load import load as full_load  # pydantic: only when the cache cannot answer

    return full_load(paths, generating=generating)


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/sre, or ~/.cache/sre (the XDG base directory rules: a relative value is ignored)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "sre"


def entry_path(paths: list[Path], generating: bool) -> Path:
    """One entry per question asked (paths, working directory, kind of load): a changed spec replaces it."""
    where = "\0".join([os.getcwd(), str(generating), *map(str, paths)])
    return cache_dir() / "specs" / f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.pickle"


def spec_key(paths: list[Path], generating: bool) -> bytes | None:
    """What the loaded specs depend on, hashed; None when the load would fail on a path anyway."""
    files, errors = spec_files(paths)
    if errors or not files:
        return None
    h = hashlib.sha256()
    try:
        code = _code_stamp()
    except OSError:
        return None
    for part in (__version__, sys.version, str(generating), os.getcwd(), *map(str, paths), *code):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    defaults = find_defaults(paths)
    for f in [defaults, *files] if defaults is not None else files:
        try:
            content = f.read_bytes()
        except OSError:
            return None
        h.update(str(f).encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(content).digest())
    return h.hexdigest().encode()


def _code_stamp() -> list[str]:
    """The package's source files (path, size, mtime): validation reads many of its modules, and an
    edited one (same version, an editable install) makes another key. ~1 ms for ~100 files."""
    package = Path(__file__).resolve().parents[1]
    stamps = []
    for folder, dirs, files in os.walk(package):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                stamps.append(f"{os.path.relpath(folder, package)}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return stamps


def read_entry(path: Path, key: bytes) -> SpecSet | None:
    """The cached specs, or None when the entry is missing, not private, stale or damaged in any way."""
    try:
        if not _private(os.stat(path.parent)):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            if not _private(os.fstat(fh.fileno())):
                return None
            header = fh.readline()
            payload = fh.read()
        except OSError:
            return None
    if header != _header(key, payload):
        return None
    try:
        specs = pickle.loads(payload)
    except Exception:  # a damaged pickle can raise nearly anything; it only means a full load
        return None
    if not isinstance(specs, SpecSet) or specs.errors or not _runbooks_exist(specs):
        return None
    return specs


def write_entry(path: Path, key: bytes, specs: SpecSet) -> None:
    """Store `specs` atomically (a reader sees the old entry or the new one); failing to is not an error."""
    from sre_cli.fileio import atomic_write
    from sre_cli.slospec import snapshot

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(path.parent)):
            return
        buffer = io.BytesIO()
        snapshot.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(specs)
        payload = buffer.getvalue()
        atomic_write(path, _header(key, payload) + payload)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return


def _header(key: bytes, payload: bytes) -> bytes:
    return b" ".join([MAGIC, key, hashlib.sha256(payload).hexdigest().encode()]) + b"\n"


def _private(st: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write it (the entry is a pickle)."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _runbooks_exist(specs: SpecSet) -> bool:
    """The hand-written runbooks the specs name are still there (the load checked that against the disk)."""
    return all((specs.root / s.runbook).is_file() for s in specs.slos if not s.runbook_generated)
