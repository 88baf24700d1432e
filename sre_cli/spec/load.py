"""Loading specs from disk into validated, resolved SLOs, collecting every problem on the way."""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sre_cli import slomath
from sre_cli.spec import model
from sre_cli.spec.yamlpos import Position, YamlDocument, YamlError, load_documents

DEFAULTS_FILE = "defaults.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")
TIER_DEFAULT_FOR = {"page": "2m", "ticket": "15m"}


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}:{self.col}: {where}{self.message}"


@dataclass(frozen=True)
class AlertTier:
    """One alert tier with defaults applied: what generators turn into rules and alarms."""

    name: str  # page | ticket
    severity: str
    for_: str
    notify: str
    windows: tuple[slomath.BurnWindow, ...]


@dataclass(frozen=True)
class Slo:
    """A validated SLO with defaults merged in; the object every generator and report reads.

    What generators read per rule (name, window, SLI windows, objective...) is computed once per
    object and then read as a plain attribute: the spec models are frozen, so it cannot go stale.
    """

    spec: model.SLO
    file: str
    line: int
    labels: dict[str, str]
    tiers: tuple[AlertTier, ...]  # enabled tiers only
    runbook: str  # path relative to the repo root
    runbook_url: str
    dashboard_url: str
    name_line: int = 1
    name_col: int = 1

    @functools.cached_property
    def name(self) -> str:
        return self.spec.metadata.name

    @functools.cached_property
    def service(self) -> str:
        return self.spec.metadata.service

    @functools.cached_property
    def owner(self) -> str | None:
        return self.spec.metadata.owner

    @functools.cached_property
    def description(self) -> str:
        return self.spec.spec.description

    @functools.cached_property
    def objective(self) -> float:
        """The objective as a fraction (99.9 -> 0.999)."""
        return round(self.spec.spec.objective / 100, 12)

    @functools.cached_property
    def window(self) -> str:
        return self.spec.spec.window

    @functools.cached_property
    def window_seconds(self) -> int:
        return slomath.window_seconds(self.spec.spec.window)

    @functools.cached_property
    def indicator(self) -> model.Indicator:
        return self.spec.spec.indicator

    @functools.cached_property
    def min_events(self) -> int:
        return self.spec.spec.alerting.min_events

    def min_events_for(self, window: slomath.BurnWindow) -> int:
        """The low-traffic guard of one window pair: its own minEvents, else the SLO's."""
        return self.min_events if window.min_events is None else window.min_events

    @functools.cached_property
    def sli_windows(self) -> tuple[int, ...]:
        return slomath.sli_windows(self.window_seconds, tuple(slomath.Tier(t.name, t.windows) for t in self.tiers))


@dataclass
class SpecSet:
    root: Path
    defaults: model.Defaults
    slos: list[Slo] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_service(self) -> dict[str, list[Slo]]:
        out: dict[str, list[Slo]] = {}
        for slo in sorted(self.slos, key=lambda s: (s.service, s.name)):
            out.setdefault(slo.service, []).append(slo)
        return out


class SpecLoadError(Exception):
    """Raised by `load_or_raise` when specs have errors; str() lists them all."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# ---- discovery -----------------------------------------------------------------------------


def spec_files(paths: Iterable[Path]) -> tuple[list[Path], list[SpecError]]:
    files: list[Path] = []
    errors: list[SpecError] = []
    for p in paths:
        if p.is_dir():
            files.extend(
                f for f in sorted(p.rglob("*")) if f.suffix in SPEC_SUFFIXES and f.is_file() and f.name != DEFAULTS_FILE
            )
        elif p.is_file():
            files.append(p)
        else:
            errors.append(SpecError(str(p), 1, 1, "", "no such file or directory"))
    # `sre validate slo slo/api.yaml` names a file twice; reading it twice would report its
    # SLOs as duplicates of themselves.
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    return unique, errors


def find_root(paths: list[Path]) -> Path:
    """The repo root: parent of the spec directory (runbook paths are relative to it)."""
    first = paths[0] if paths else Path("slo")
    spec_dir = first if first.is_dir() else first.parent
    return spec_dir.resolve().parent


def find_defaults(paths: list[Path]) -> Path | None:
    for p in paths:
        d = p if p.is_dir() else p.parent
        if (d / DEFAULTS_FILE).is_file():
            return d / DEFAULTS_FILE
    return None


# ---- pydantic errors -> file:line:col ------------------------------------------------------


def _fields_of(model_cls: type[BaseModel] | None) -> list[str]:
    if model_cls is None:
        return []
    return [f.alias or name for name, f in model_cls.model_fields.items()]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class a location points into, to suggest field names for typos."""
    current: Any = root
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        target = None
        for name, f in current.model_fields.items():
            if (f.alias or name) == part:
                target = f.annotation
        if target is None:
            return None
        current = _unwrap(target)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    if args:
        for a in args:
            inner = _unwrap(a)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic puts union branch names ("str", "list[...]") and validator tags in locations.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int) or (isinstance(part, str) and ("[" in part or part in {"str", "float", "int"})):
            if isinstance(part, int):
                out.append(part)
            continue
        out.append(part)
    return tuple(out)


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_PATTERN_HINTS = {
    model.DNS_LABEL: "must be a lowercase DNS label: a-z, 0-9 and '-', at most 63 characters",
    model.LABEL_NAME: "must be a Prometheus label name: letters, digits and '_', not starting with a digit",
    model.DURATION_PATTERN: "must be a duration: a number and a unit (ms, s, m, h, d, w, y), e.g. 5m or 30d",
}


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null (an empty value)"
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(type(value), "a value")
    return f"{kind} ({value!r})"


def pydantic_errors(exc: ValidationError, doc: YamlDocument, file: str, root_model: type[BaseModel]) -> list[SpecError]:
    errors: list[SpecError] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        raw_loc = tuple(err["loc"])
        loc = _clean_loc(raw_loc)
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            parent = _model_at(root_model, loc[:-1])
            guess = difflib.get_close_matches(str(loc[-1]), _fields_of(parent), n=1)
            msg = "unknown field" + (f"; did you mean {guess[0]!r}?" if guess else "")
            if parent is not None:
                msg += f" (allowed: {', '.join(_fields_of(parent))})"
            pos = doc.position_of(loc, key=True)
        elif kind == "missing":
            pos = doc.position_of(loc[:-1])
            msg = "required field is missing"
        else:
            # A bad mapping key (a label name) is at the key, not at its value.
            pos = doc.position_of(loc, key=raw_loc[-1:] == ("[key]",))
            if kind == "string_pattern_mismatch":
                msg = _PATTERN_HINTS.get(err.get("ctx", {}).get("pattern", ""), msg)
            if kind in {"model_type", "dict_type"}:
                # pydantic says "instance of SloSpecBody": class names mean nothing to a spec author.
                msg = f"must be a mapping of fields, not {_yaml_type(err.get('input'))}"
            elif "input" in err and not isinstance(err["input"], dict):
                msg += f" (got {err['input']!r})"
        key = (_dotted(loc), msg)
        if key in seen:
            continue
        seen.add(key)
        errors.append(SpecError(file, pos.line, pos.col, _dotted(loc), msg))
    return errors


# ---- loading -------------------------------------------------------------------------------


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters of the valid text before it) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, col


def read_documents(path: Path) -> tuple[list[YamlDocument], list[SpecError]]:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [SpecError(name, 1, 1, "", f"cannot read: {exc.strerror}")]
    if b"\x00" in raw:
        line, col = _byte_position(raw, raw.index(b"\x00"))
        return [], [SpecError(name, line, col, "", "binary file (NUL byte), not a YAML spec")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        return [], [SpecError(name, line, col, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}), not a YAML spec")]
    try:
        docs = load_documents(text)
    except YamlError as exc:
        return [], [SpecError(name, exc.position.line, exc.position.col, "", exc.message)]
    if not docs:
        return [], [SpecError(name, 1, 1, "", "empty file: expected at least one SLO document")]
    return docs, []


def load_defaults(path: Path | None) -> tuple[model.Defaults, list[SpecError]]:
    if path is None:
        return model.Defaults(), []
    docs, errors = read_documents(path)
    if errors:
        return model.Defaults(), errors
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return model.Defaults(), [SpecError(str(path), 1, 1, "", "defaults must be one YAML mapping")]
    try:
        defaults = model.Defaults.model_validate(docs[0].data)
    except ValidationError as exc:
        return model.Defaults(), pydantic_errors(exc, docs[0], str(path), model.Defaults)
    from sre_cli.spec import validate

    errors = validate.check_defaults(defaults, docs[0], str(path))
    for tier_name in ("page", "ticket"):
        notify = getattr(defaults, tier_name).notify
        if notify and defaults.notification_targets and notify not in defaults.notification_targets:
            pos = docs[0].position_of((tier_name, "notify"))
            known = ", ".join(sorted(defaults.notification_targets))
            errors.append(
                SpecError(
                    str(path),
                    pos.line,
                    pos.col,
                    f"{tier_name}.notify",
                    f"unknown notification target {notify!r} (notificationTargets has: {known})",
                )
            )
    return defaults, errors


def resolve(spec: model.SLO, defaults: model.Defaults, file: str, line: int) -> Slo:
    alerting = spec.spec.alerting
    tiers: list[AlertTier] = []
    for tier_name, default_tier in (("page", defaults.page), ("ticket", defaults.ticket)):
        tier: model.TierSpec = getattr(alerting, tier_name)
        if not tier.enabled or not default_tier.enabled:
            continue
        specified = tier.windows or default_tier.windows
        windows = (
            tuple(w.to_math() for w in specified)
            if specified
            else next(t.windows for t in slomath.DEFAULT_TIERS if t.name == tier_name)
        )
        tiers.append(
            AlertTier(
                name=tier_name,
                severity=tier.severity or default_tier.severity or tier_name,
                for_=tier.for_ or default_tier.for_ or TIER_DEFAULT_FOR[tier_name],
                notify=tier.notify or default_tier.notify or tier_name,
                windows=windows,
            )
        )
    name = spec.metadata.name
    runbook = alerting.runbook or f"runbooks/{name}.md"
    base = defaults.runbook_base_url
    runbook_rel = runbook.removeprefix("runbooks/") if base.rstrip("/").endswith("runbooks") else runbook
    return Slo(
        spec=spec,
        file=file,
        line=line,
        labels={**defaults.labels, **spec.metadata.labels},
        tiers=tuple(tiers),
        runbook=runbook,
        runbook_url=f"{base}{runbook_rel}",
        dashboard_url=f"{defaults.dashboard_base_url}{spec.metadata.service}",
    )


def load(paths: Iterable[str | Path]) -> SpecSet:
    """Load and fully validate specs; never raises on bad input, errors are in `.errors`."""
    from sre_cli.spec import validate  # cross-field checks import heavier parsers

    path_list = [Path(p) for p in paths] or [Path("slo")]
    files, errors = spec_files(path_list)
    defaults, default_errors = load_defaults(find_defaults(path_list))
    result = SpecSet(root=find_root(path_list), defaults=defaults, errors=errors + default_errors)
    if not files and not errors:
        result.errors.append(SpecError(str(path_list[0]), 1, 1, "", "no *.yaml specs found"))
    for f in files:
        docs, file_errors = read_documents(f)
        result.errors.extend(file_errors)
        for doc in docs:
            slo, doc_errors = _load_document(doc, str(f), defaults)
            result.errors.extend(doc_errors)
            if slo is not None:
                result.slos.append(slo)
    result.errors.extend(validate.check_set(result))
    result.errors.sort()
    return result


def load_or_raise(paths: Iterable[str | Path]) -> SpecSet:
    result = load(paths)
    if result.errors:
        raise SpecLoadError(result.errors)
    return result


def _load_document(doc: YamlDocument, file: str, defaults: model.Defaults) -> tuple[Slo | None, list[SpecError]]:
    from sre_cli.spec import validate

    start: Position = doc.start
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            SpecError(
                file, start.line, start.col, "", f"not an SLO spec: expected a mapping, got {type(data).__name__}"
            )
        ]
    if data.get("kind", "SLO") != "SLO" or data.get("apiVersion", model.API_VERSION) != model.API_VERSION:
        # Another kind of manifest (a Deployment, an OpenSLO file): one clear error, not a
        # list of every field it lacks.
        key = "kind" if data.get("kind", "SLO") != "SLO" else "apiVersion"
        pos = doc.position_of((key,))
        return None, [
            SpecError(
                file,
                pos.line,
                pos.col,
                key,
                f"not an SLO spec: apiVersion {data.get('apiVersion')!r}, kind {data.get('kind')!r} "
                f"(expected apiVersion: {model.API_VERSION}, kind: SLO)",
            )
        ]
    if "apiVersion" not in data or "kind" not in data:
        missing = " and ".join(k for k in ("apiVersion", "kind") if k not in data)
        return None, [
            SpecError(
                file,
                start.line,
                start.col,
                "",
                f"not an SLO spec: missing {missing} (expected apiVersion: {model.API_VERSION}, kind: SLO)",
            )
        ]
    try:
        spec = model.SLO.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_errors(exc, doc, file, model.SLO) + validate.check_partial(data, doc, file, defaults)
    slo = resolve(spec, defaults, file, start.line)
    name_pos = doc.position_of(("metadata", "name"))
    slo = dataclasses.replace(slo, name_line=name_pos.line, name_col=name_pos.col)
    return slo, validate.check_slo(slo, doc, defaults)
