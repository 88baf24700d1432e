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
from collections.abc import Callable
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
    elif isinstance(item, list | tuple):
        _array(item, out, newline, default)
    elif isinstance(item, dict):
        _object(item, out, newline, default)
    elif default is not None:
        _value(default(item), out, newline, default)
    else:
        raise _Unsupported  # json.dumps raises its TypeError


def _value(item: Any, out: list[str], newline: str, default: Default) -> None:
    kind = type(item)
    if kind is str:
        out.append(encode_basestring_ascii(item))
    elif kind is dict:
        _object(item, out, newline, default)
    elif kind is list:
        _array(item, out, newline, default)
    else:
        _other(item, out, newline, default)


def _object(value: dict[Any, Any], out: list[str], newline: str, default: Default) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + INDENT
    separator = "{" + inner
    for key, item in sorted(value.items()):
        if not isinstance(key, str):
            raise _Unsupported
        kind = type(item)
        # One append per member: the list grows by hundreds of thousands of pieces per file. The
        # dispatch below is written out here and in _array rather than shared: a call per member cost
        # 3-4% of this module's time on the 1,000-SLO dashboards (issue 11, duplicates).
        if kind is str:
            out.append(f"{separator}{encode_basestring_ascii(key)}: {encode_basestring_ascii(item)}")
        else:
            out.append(f"{separator}{encode_basestring_ascii(key)}: ")
            if kind is dict:
                _object(item, out, inner, default)
            elif kind is list:
                _array(item, out, inner, default)
            else:
                _other(item, out, inner, default)
        separator = "," + inner
    out.append(newline + "}")


def _array(value: list[Any] | tuple[Any, ...], out: list[str], newline: str, default: Default) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + INDENT
    separator = "[" + inner
    for item in value:
        kind = type(item)
        if kind is str:
            out.append(separator + encode_basestring_ascii(item))
        else:
            out.append(separator)
            if kind is dict:
                _object(item, out, inner, default)
            elif kind is list:
                _array(item, out, inner, default)
            else:
                _other(item, out, inner, default)
        separator = "," + inner
    out.append(newline + "]")


def dumps(value: Any, default: Default = None) -> str:
    """`json.dumps(value, indent=2, sort_keys=True, default=default)`."""
    out: list[str] = []
    try:
        _value(value, out, "\n", default)
    except (_Unsupported, RecursionError):
        return json.dumps(value, indent=2, sort_keys=True, default=default)
    return "".join(out)
