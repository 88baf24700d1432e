"""Loading specs from disk into validated, resolved SLOs, collecting every problem on the way."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sre_cli.slospec import document, validate
from sre_cli.slospec.discover import (  # noqa: F401 (DEFAULTS_FILE, SPEC_SUFFIXES: callers import them from here)
    DEFAULTS_FILE,
    SPEC_SUFFIXES,
    find_defaults,
    find_root,
    spec_files,
)
from sre_cli.slospec.errors import SpecError, SpecLoadError, field_path
from sre_cli.slospec.model import Slo, SpecSet
from sre_cli.slospec.resolve import resolve
from sre_cli.slospec.yamlpos import Position, YamlDocument, YamlError, load_documents

# ---- pydantic errors -> file:line:col ------------------------------------------------------


def _fields_of(model_cls: type[BaseModel] | None) -> list[str]:
    if model_cls is None:
        return []
    return [f.alias or name for name, f in model_cls.model_fields.items()]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class a location points into, to suggest field names for typos."""
    current: Any = root
    key_next = False
    for part in loc:
        if isinstance(part, int):  # an item of a list: the list's own model, already unwrapped
            continue
        if key_next:  # a key of a mapping (a notification target's name): its value's model follows
            key_next = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        target = None
        for name, f in current.model_fields.items():
            if (f.alias or name) == part:
                target = f.annotation
        if target is None:
            return None
        key_next = getattr(target, "__origin__", None) is dict
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


def _is_duration(root: type[BaseModel], loc: tuple[str | int, ...]) -> bool:
    """Whether the field at `loc` holds a duration (its pattern, or the SLO window's own check)."""
    parent = _model_at(root, loc[:-1])
    if parent is None:
        return False
    for name, f in parent.model_fields.items():
        if (f.alias or name) == loc[-1]:
            if parent is document.SloSpecBody and name == "window":
                return True
            found = [*f.metadata, *_metadata(f.annotation)]
            constraints = [c for m in found for c in (m, *getattr(m, "metadata", ()))]
            return any(getattr(c, "pattern", None) == document.DURATION_PATTERN for c in constraints)
    return False


def _metadata(annotation: Any) -> list[Any]:
    """Constraint objects of an annotation, through Optional/Union and Annotated."""
    found = list(getattr(annotation, "__metadata__", ()))
    for arg in getattr(annotation, "__args__", ()):
        found += _metadata(arg)
    return found


_PATTERN_HINTS = {
    document.DNS_LABEL: "must be a lowercase DNS label: a-z, 0-9 and '-', at most 63 characters",
    document.LABEL_NAME: "must be a Prometheus label name: letters, digits and '_', not starting with a digit "
    "or with '__' (reserved for Prometheus)",
    document.DURATION_PATTERN: "must be a duration: a number and a unit (ms, s, m, h, d, w, y), e.g. 5m or 30d",
    document.K8S_LABEL_KEY: "must be a Kubernetes label key: an optional DNS prefix and '/', then at most 63 of "
    "A-Z a-z 0-9 - _ . starting and ending with a letter or digit",
    document.K8S_LABEL_VALUE: "must be a Kubernetes label value: at most 63 of A-Z a-z 0-9 - _ . starting and "
    "ending with a letter or digit",
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
            elif kind == "string_type" and isinstance(err.get("input"), int | float) and _is_duration(root_model, loc):
                msg = f"must be a duration with a unit, e.g. 2m, 1h or 30d, not a bare number (got {err['input']!r})"
                err = {**err, "input": {}}  # the value is in the message already
            if kind in {"model_type", "dict_type"}:
                # pydantic says "instance of SloSpecBody": class names mean nothing to a spec author.
                msg = f"must be a mapping of fields, not {_yaml_type(err.get('input'))}"
            elif "input" in err and not isinstance(err["input"], dict):
                msg += f" (got {err['input']!r})"
        key = (field_path(loc), msg)
        if key in seen:
            continue
        seen.add(key)
        errors.append(SpecError(file, pos.line, pos.col, field_path(loc), msg))
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


def load_defaults(path: Path | None) -> tuple[document.Defaults, list[SpecError]]:
    if path is None:
        return document.Defaults(), []
    docs, errors = read_documents(path)
    if errors:
        return document.Defaults(), errors
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return document.Defaults(), [SpecError(str(path), 1, 1, "", "defaults must be one YAML mapping")]
    try:
        defaults = document.Defaults.model_validate(docs[0].data)
    except ValidationError as exc:
        return document.Defaults(), pydantic_errors(exc, docs[0], str(path), document.Defaults)
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


def load(paths: Iterable[str | Path], *, generating: bool = False) -> SpecSet:
    """Load and fully validate specs; never raises on bad input, errors are in `.errors`.

    `generating`: also report everything `sre generate` would refuse (`sre validate` asks this too).
    """
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
            slo, doc_errors = _load_document(doc, str(f), defaults, result.root, generating)
            result.errors.extend(doc_errors)
            if slo is not None:
                result.slos.append(slo)
                result.warnings.extend(validate.slo_warnings(slo, doc))
    result.errors.extend(validate.check_set(result))
    if generating:
        # What only the generated files must fit: a report or a deploy reads no dashboard it would render.
        result.errors.extend(validate.check_cloudwatch_dashboards(result))
        result.errors.extend(validate.check_hand_runbooks(result))
    result.errors.sort()
    result.warnings.sort()
    return result


def load_or_raise(paths: Iterable[str | Path]) -> SpecSet:
    result = load(paths)
    if result.errors:
        raise SpecLoadError(result.errors)
    return result


def _load_document(
    doc: YamlDocument, file: str, defaults: document.Defaults, root: Path, generating: bool = False
) -> tuple[Slo | None, list[SpecError]]:
    start: Position = doc.start
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            SpecError(
                file, start.line, start.col, "", f"not an SLO spec: expected a mapping, got {type(data).__name__}"
            )
        ]
    if data.get("kind", "SLO") != "SLO" or data.get("apiVersion", document.API_VERSION) != document.API_VERSION:
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
                f"(expected apiVersion: {document.API_VERSION}, kind: SLO)",
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
                f"not an SLO spec: missing {missing} (expected apiVersion: {document.API_VERSION}, kind: SLO)",
            )
        ]
    try:
        spec = document.SloDocument.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_errors(exc, doc, file, document.SloDocument) + validate.check_partial(
            data, doc, file, defaults, root
        )
    name_pos = doc.position_of(("metadata", "name"))
    slo = resolve(spec, defaults, file, start.line, name_pos.line, name_pos.col)
    return slo, validate.check_slo(slo, doc, defaults, root, generating)
