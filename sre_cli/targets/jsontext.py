"""Indented JSON text, byte-identical to `json.dumps(value, indent=2, sort_keys=True, default=...)`, faster.

With `indent` the standard library leaves its C encoder for a pure-Python generator chain (one
generator frame per container level and value); what writing the Grafana dashboards this way
saves is measured by benchmarks/generate.py (benchmarks/README.md). Here each container is one
plain loop that appends to a list, strings go through the same C escaper and numbers through the
same repr, and everything that is not exactly a dict, list or str takes the standard library's
own order of checks (str and int subclasses such as enums, tuples, `default` for other objects),
so the text is the same; tests compare both on the generated dashboards and on generated values.

Dicts with keys other than strings (the standard library sorts those before converting them),
and reference cycles (it raises ValueError), are handed to `json.dumps` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring_ascii
from typing import Any

INDENT = "  "

Default = Callable[[Any], Any] | None


class _Unsupported(Exception):
    """Something `json.dumps` treats in its own way: it writes the whole value."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def _other(item: Any, out: list[str], newline: str, default: Default) -> None:
    """Any value but an exact dict, list or str, checked in json's order."""
    if isinstance(item, str):
        out.append(encode_basestring_ascii(item))
    elif item is None:
        out.append("null")
    elif item is True:
        out.append("true")
    elif item is False:
        out.append("false")
    elif isinstance(item, int):
        out.append(int.__repr__(item))
    elif isinstance(item, float):
        out.append(_float(item))
    elif isinstance(item, list | tuple | dict):
        _container(item, out, newline, default)
    elif default is not None:
        _value(default(item), out, newline, default)
    else:
        raise _Unsupported  # json.dumps raises its TypeError


def _value(item: Any, out: list[str], newline: str, default: Default) -> None:
    kind = type(item)
    if kind is str:
        out.append(encode_basestring_ascii(item))
    elif kind is dict or kind is list:
        _container(item, out, newline, default)
    else:
        _other(item, out, newline, default)


def _container(
    value: dict[Any, Any] | list[Any] | tuple[Any, ...], out: list[str], newline: str, default: Default
) -> None:
    """An object (members sorted by key) or an array, in one loop with one append per member.

    The list grows by hundreds of thousands of pieces per file; a call per member, or per
    container beyond this one, costs more than the loop's test of `keyed` (benchmarks/README.md).
    """
    keyed = isinstance(value, dict)
    if not value:
        out.append("{}" if keyed else "[]")
        return
    inner = newline + INDENT
    following = "," + inner
    if keyed:
        # A key that is not a str stops encode_basestring_ascii with TypeError: json.dumps takes over.
        members: Iterable[tuple[Any, Any]] = sorted(value.items())  # type: ignore[union-attr]
        separator, closing = "{" + inner, newline + "}"
    else:
        members = enumerate(value)
        separator, closing = "[" + inner, newline + "]"
    for key, item in members:
        kind = type(item)
        if kind is str:
            if keyed:
                out.append(f"{separator}{encode_basestring_ascii(key)}: {encode_basestring_ascii(item)}")
            else:
                out.append(separator + encode_basestring_ascii(item))
        else:
            out.append(f"{separator}{encode_basestring_ascii(key)}: " if keyed else separator)
            if kind is dict or kind is list:
                _container(item, out, inner, default)
            else:
                _other(item, out, inner, default)
        separator = following
    out.append(closing)


def dumps(value: Any, default: Default = None) -> str:
    """`json.dumps(value, indent=2, sort_keys=True, default=default)`."""
    out: list[str] = []
    try:
        _value(value, out, "\n", default)
    except (_Unsupported, RecursionError, TypeError):
        # json.dumps writes what this cannot, or raises its own error (a cycle, an unsorted or
        # unencodable key, `default` refusing a value).
        return json.dumps(value, indent=2, sort_keys=True, default=default)
    return "".join(out)
