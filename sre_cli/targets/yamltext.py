"""Block YAML text of rule documents, byte-identical to `yaml.dump` with libyaml, without PyYAML's representer.

PyYAML's representer is pure Python even under CSafeDumper (only the emitter is C): it builds a
node per scalar and asks the resolver about each one twice (what that costs: benchmarks/README.md).
Rule documents hold only mappings, lists and strings, so this module writes them directly and
produces exactly what

    yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False, width=WIDTH)

produces (a test compares both on the real specs, the 1,000-SLO benchmark set and generated
documents). Anything outside what it can prove identical goes to that very call instead: other
value types, nested lists, keys that are not plain or longer than a simple key may be, and strings
that libyaml would not write on one line.

How libyaml writes what is handled here (block style, indent 2, no line folding at this width):
- a mapping's keys one per line; a value that is a mapping is indented by 2, a list is not
  (`key:` then `- item` at the key's column), an empty mapping or list is written `{}` / `[]`;
- a list item `- ` then the item; a mapping item continues on the same line, its other keys at the
  column after `- `;
- a string is plain when nothing in it could read as another type or as YAML syntax
  (`_plain`); any other single-line string is quoted exactly as libyaml quotes it (asked once per
  distinct string).
"""

from __future__ import annotations

from typing import Any

import yaml

WIDTH = 1_000_000  # no folding of long PromQL lines
# Strings this long could reach WIDTH with their indentation and be folded: left to PyYAML.
_MAX_INLINE = WIDTH // 10
# libyaml writes a mapping key inline (`key: value`) only up to this length.
_MAX_SIMPLE_KEY = 128

try:  # libyaml's emitter: the text this module must reproduce
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Dumper = yaml.SafeDumper

# Characters that may start YAML syntax when first (with "." for "..." and "-" for "---"/"- ");
# stricter than libyaml where that keeps the rule short: a string it rejects is quoted by the
# rules below or asked of libyaml, never written differently.
_PLAIN_NEVER_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`. ")
# Single-line text libyaml surely does not write plain: single-quoted, quotes doubled.
_QUOTE_FIRST = frozenset(" #,[]{}&*!|>'\"%@`")
# Plain text the resolver reads back as null, a bool, a number, a date...: keyed like PyYAML's
# table, by first character.
_IMPLICIT = {first: [regexp for _, regexp in resolvers] for first, resolvers in _Dumper.yaml_implicit_resolvers.items()}


class _Unsupported(Exception):
    """The document holds something this module does not prove identical: PyYAML writes it."""


def _implicit(text: str) -> bool:
    """Whether the resolver reads `text` back as something other than a string."""
    return any(regexp.match(text) for regexp in _IMPLICIT.get(text[0] if text else "", ()))


def _one_line(text: str) -> bool:
    """Printable ASCII only (no line break, tab or character libyaml would escape), short enough."""
    return text.isascii() and text.isprintable() and len(text) <= _MAX_INLINE


def _plain(text: str) -> bool:
    return (
        bool(text)
        and _one_line(text)
        and text[0] not in _PLAIN_NEVER_FIRST
        and text[-1] not in ": "
        and ": " not in text
        and " #" not in text
        and not _implicit(text)
    )


def _single_quoted(text: str) -> bool:
    """Whether libyaml single-quotes `text` for sure (it is not plain, and needs no escapes)."""
    if not text or not _one_line(text):
        return False
    return text[0] in _QUOTE_FIRST or text[-1] in ": " or ": " in text or " #" in text or _implicit(text)


def _scalar_text(text: str) -> str:
    if _plain(text):
        return text
    if _single_quoted(text):
        return "'" + text.replace("'", "''") + "'"
    return _libyaml_scalar(text)


def _libyaml_scalar(text: str) -> str:
    """How libyaml writes a string as a mapping value, if that fits on the line."""
    if len(text) > _MAX_INLINE:
        raise _Unsupported
    dumped = pyyaml_dump({"k": text})
    if not dumped.startswith("k: ") or dumped.count("\n") != 1:
        raise _Unsupported  # a block scalar or a folded quoted string spans lines
    return dumped[3:-1]


class _Writer:
    """Appends the lines of one document to `out`; raises _Unsupported where PyYAML must write it."""

    def __init__(self) -> None:
        self.out: list[str] = []
        # Text of each distinct string: label values and names repeat thousands of times.
        self.scalars: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    def scalar(self, value: Any) -> str:
        text = self.scalars.get(value)
        if text is None:
            if type(value) is not str:  # exactly str: PyYAML refuses str subclasses
                raise _Unsupported
            text = self.scalars[value] = _scalar_text(value)
        return text

    def key(self, key: Any) -> str:
        text = self.keys.get(key)
        if text is None:
            if type(key) is not str or len(key) > _MAX_SIMPLE_KEY or not _plain(key):
                raise _Unsupported
            text = self.keys[key] = key
        return text

    def mapping(self, mapping: dict[str, Any], indent: int, inline_first: bool) -> None:
        """Keys at column `indent`; with `inline_first` the first key follows a `- ` already written."""
        pad = " " * indent
        out = self.out
        keys = self.keys
        scalars = self.scalars
        first = inline_first
        for key, value in mapping.items():
            name = keys.get(key) or self.key(key)
            head = f"{name}:" if first else f"{pad}{name}:"
            first = False
            kind = type(value)
            if kind is str:
                out.append(f"{head} {scalars.get(value) or self.scalar(value)}\n")
            elif kind is dict:
                if value:
                    out.append(head + "\n")
                    self.mapping(value, indent + 2, False)
                else:
                    out.append(head + " {}\n")
            elif kind is list:
                if value:
                    out.append(head + "\n")
                    self.sequence(value, indent)
                else:
                    out.append(head + " []\n")
            else:
                raise _Unsupported

    def sequence(self, items: list[Any], indent: int) -> None:
        pad = " " * indent
        out = self.out
        for item in items:
            kind = type(item)
            if kind is dict:
                if item:
                    out.append(f"{pad}- ")
                    self.mapping(item, indent + 2, True)
                else:
                    out.append(f"{pad}- {{}}\n")
            elif kind is str:
                out.append(f"{pad}- {self.scalar(item)}\n")
            else:
                raise _Unsupported  # nested lists and other types


def pyyaml_dump(doc: Any) -> str:
    """The reference: what PyYAML writes for `doc` (and the fallback of `dump`)."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=WIDTH)


def dump(doc: Any) -> str:
    """`doc` as block YAML, exactly as `pyyaml_dump` writes it."""
    if type(doc) is not dict or not doc:
        return pyyaml_dump(doc)
    writer = _Writer()
    try:
        writer.mapping(doc, 0, False)
    except _Unsupported:
        return pyyaml_dump(doc)
    return "".join(writer.out)
