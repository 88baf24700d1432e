"""Whether Prometheus 2.42 accepts a label-matcher regex: RE2 syntax as Go 1.19's regexp/syntax reads it.

Prometheus compiles `=~`/`!~` values with Go's regexp, both as written and anchored as
`^(?:...)$`. Google's RE2 (C++) parses the same syntax, with these differences, checked here:

- Go before 1.22 has no `(?<name>...)` (only `(?P<name>...)`), and names only of ASCII letters,
  digits and `_`;
- Go has no `\\C` (any byte);
- Go 1.19's Unicode tables are Unicode 13: scripts added since (`\\p{Vithkuqi}`...) are unknown;
- Go refuses a parse tree over 1,000 levels high (nested groups);
- RE2 refuses to compile some programs as too large (`\\pL{1000}`), which Go builds.
"""

from __future__ import annotations

import re

import re2

# Scripts of Unicode 14.0 and later, which Go 1.19 (Unicode 13.0) does not know.
_NEWER_SCRIPTS = frozenset(
    [
        "Cypro_Minoan",
        "Old_Uyghur",
        "Tangsa",
        "Toto",
        "Vithkuqi",
        "Kawi",
        "Nag_Mundari",
        "Garay",
        "Gurung_Khema",
        "Kirat_Rai",
        "Ol_Onal",
        "Sunuwar",
        "Todhri",
        "Tulu_Tigalari",
    ]
)
_GO_MAX_HEIGHT = 1000
_CAPTURE_NAME = re.compile(r"[A-Za-z0-9_]+")

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_TOO_LARGE = "pattern too large"


def regex_problem(pattern: str) -> str | None:
    """Why Prometheus would refuse `pattern` as a matcher regex, or None when it accepts it."""
    for form in (pattern, f"^(?:{pattern})$"):
        try:
            re2.compile(form, _OPTIONS)
        except re2.error as exc:
            message = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            if not message.startswith(_TOO_LARGE):
                return f"invalid regex {pattern!r}: {message}"
    return _go_only_problem(pattern)


def _go_only_problem(pattern: str) -> str | None:
    """What RE2 accepts and Go 1.19 does not; `pattern` already parses as RE2."""
    depth = deepest = 0
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            escaped = pattern[i + 1 : i + 2]
            if escaped == "Q":
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
                continue
            if escaped == "C":
                return f"invalid regex {pattern!r}: \\C (any byte) is not supported by Prometheus (Go regexp)"
            if escaped in ("p", "P"):
                name = re.match(r"\{\^?([^}]*)\}", pattern[i + 2 :])
                if name and name.group(1) in _NEWER_SCRIPTS:
                    return f"invalid regex {pattern!r}: \\p{{{name.group(1)}}} is newer than Prometheus' Unicode 13"
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                i = i + 1 if end < 0 else end + 2
                continue
        elif c == "[":
            in_class = True
            # A `]` first in the class (after an optional `^`) is a literal.
            i += 2 if pattern[i + 1 : i + 2] == "]" else 3 if pattern[i + 1 : i + 3] == "^]" else 1
            continue
        elif c == "(":
            if pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!"):
                return f"invalid regex {pattern!r}: (?<name> needs Go 1.22; Prometheus 2.42 reads (?P<name>"
            if pattern.startswith("(?P<", i):
                name = pattern[i + 4 : pattern.find(">", i)]
                if not _CAPTURE_NAME.fullmatch(name):
                    return f"invalid regex {pattern!r}: capture name {name!r} (Go: ASCII letters, digits and _)"
            if not pattern.startswith("(?", i) or pattern.startswith("(?P<", i):
                depth += 1
                deepest = max(deepest, depth)
        elif c == ")" and depth:
            depth -= 1
        i += 1
    # Anchoring adds a concatenation above the groups; the innermost literal is one more level.
    if deepest + 2 > _GO_MAX_HEIGHT:
        return f"invalid regex {pattern!r}: groups nest too deeply for Go's regexp ({deepest} levels)"
    return None
