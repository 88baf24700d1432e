"""Atomic file output: a reader never sees half a file, a failed run leaves the old one (or old set)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path


def atomic_write(path: Path, content: str | bytes | Iterable[str]) -> None:
    """Write `content` (or the text chunks it yields, written as they come) to `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = [content] if isinstance(content, str | bytes) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


STAGING_PREFIX = ".sre-staging-"


def replace_tree(root: Path, writes: Mapping[str, str], deletes: Iterable[str]) -> None:
    """Write files (relative path -> text) and remove files under `root`, all or nothing.

    Every new file is first written into a staging folder inside `root` (the same filesystem, so
    moving it in is a rename), so a full disk or any other write error changes nothing. Only then
    are the deletions done and the files moved in, in the order given (the caller puts whatever
    records the set, a manifest, last). If a move fails, the moves done so far are undone from
    hard links (or copies) of the files they replaced.
    """
    created: list[Path] = []  # folders this call made, removed again on failure
    staging: Path | None = None
    try:
        _make_dirs(root, created)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        staged = _stage(staging / "new", writes)
        _swap(root, staging / "old", staged, deletes, created)
    except BaseException:
        _discard(staging)
        _remove_empty(created)
        raise
    _discard(staging)


def _stage(folder: Path, writes: Mapping[str, str]) -> dict[str, Path]:
    staged = {}
    for rel, content in writes.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
        staged[rel] = path
    return staged


def _swap(root: Path, old: Path, staged: dict[str, Path], deletes: Iterable[str], created: list[Path]) -> None:
    done: list[tuple[Path, Path | None]] = []  # (destination, what it held before, or None if new)
    try:
        for rel in deletes:
            target = root / rel
            if target.is_file():
                backup = _backup_path(old, rel)
                os.rename(target, backup)
                done.append((target, backup))
        for rel, new in staged.items():
            target = root / rel
            _make_dirs(target.parent, created)
            backup = None
            if target.is_file():
                backup = _backup_path(old, rel)
                _keep_copy(target, backup)
            os.replace(new, target)
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is None:
                    target.unlink()
                else:
                    os.replace(backup, target)
        raise


def _backup_path(old: Path, rel: str) -> Path:
    path = old / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _keep_copy(path: Path, backup: Path) -> None:
    try:
        os.link(path, backup)  # the old file itself, no bytes copied
    except OSError:
        shutil.copy2(path, backup)


def _make_dirs(folder: Path, created: list[Path]) -> None:
    """Create `folder` and its missing parents, outermost first, adding each to `created` once made."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        created.append(path)


def _discard(staging: Path | None) -> None:
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()
