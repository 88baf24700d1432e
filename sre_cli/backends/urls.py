"""Endpoint URLs: check them before use, and never show the secrets they may carry.

A URL may hold credentials (`https://user:pass@host`) or tokens in its query (`?access_token=`,
presigned `X-Amz-Signature=`). Whatever is shown to a user (errors, the report's `source`) goes
through `redact`, which works on any text, parseable URL or not.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

HIDDEN = "***"
# Query parameter names that carry secrets (matched anywhere in the name, any case).
_SECRET_NAME = r"[^=&#;\s?]*(?:token|secret|passw|pwd|signature|credential|key|auth|sig|session|code)[^=&#;\s]*"
_QUERY_SECRET = re.compile(rf"(?i)([?&;]{_SECRET_NAME}=)[^&#;\s]*")
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/?#\s@]*@")


def redact(text: str) -> str:
    """`text` with URL credentials and secret query values replaced by ***."""
    return _QUERY_SECRET.sub(rf"\g<1>{HIDDEN}", _USERINFO.sub(rf"\g<1>{HIDDEN}@", text))


def one_line(text: str, limit: int = 300) -> str:
    """Server-sent text made safe for one terminal line: no control characters, bounded length."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def problem(url: str) -> str | None:
    """Why `url` cannot be an http(s) endpoint, or None when it can."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "expected http(s)://host[:port][/path]"
    if not parts.hostname:
        return "has no host name"
    if port == 0:
        return "port 0 is not a port"
    return None


def query_string(params: list[tuple[str, str]]) -> str:
    """The query as SigV4 canonicalizes it: RFC 3986 unreserved characters bare, the rest %XX (space: %20)."""
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in params)
