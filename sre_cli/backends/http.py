"""GET JSON from an HTTP API: retries on transient failures, all under one deadline per run.

The URL sent is built here, query included (RFC 3986 encoding, spaces as %20), so an auth hook
such as SigV4 signs exactly the bytes that go on the wire. Retries (connection errors, 429,
502, 503, 504) back off exponentially and honour Retry-After, but never wait past the deadline:
a wait that would outlast it fails at once.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from sre_cli.backends.deadline import Deadline, DeadlineExceeded
from sre_cli.backends.urls import one_line, query_string

RETRY_STATUS = frozenset({429, 502, 503, 504})
BACKOFF = 0.2  # seconds before the first retry, doubling after each


class HttpError(RuntimeError):
    """The request failed: unreachable, HTTP error, out of time. The text names no secret."""


class BadAnswer(HttpError):
    """HTTP 200 whose body is not the JSON the API promises."""


class JsonApi:
    def __init__(self, base_url: str, *, auth: Any = None, timeout: float = 30.0, retries: int = 2) -> None:
        from urllib.parse import parse_qsl, urlsplit, urlunsplit

        parts = urlsplit(base_url)
        # A query in the base URL (a gateway's ?access_token=) goes with every request.
        self.base_params = parse_qsl(parts.query, keep_blank_values=True)
        self.base_url = urlunsplit(parts._replace(query="", fragment="")).rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()
        self.session.auth = auth
        self.session.trust_env = True  # proxies and CA bundles from the environment, as requests does
        adapter = _WatchedAdapter(self._watch)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._deadline: Deadline | None = None

    @contextlib.contextmanager
    def run(self) -> Iterator[Deadline]:
        """One deadline (`timeout` seconds) for every request made inside the block."""
        deadline = self._deadline = Deadline(self.timeout)
        try:
            yield deadline
        finally:
            deadline.cancel()
            self._deadline = None
            self.session.close()  # pooled sockets were watched by this run's deadline only

    def _watch(self, sock: socket.socket) -> None:
        if self._deadline is not None:
            self._deadline.watch(sock)

    def get(self, path: str, params: list[tuple[str, str]]) -> Any:
        """The decoded JSON body of GET base_url + path ? params. Raises HttpError."""
        if self._deadline is None:
            with self.run():
                return self.get(path, params)
        deadline = self._deadline
        url = f"{self.base_url}{path}?{query_string([*self.base_params, *params])}"
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                left = deadline.check()
                try:
                    response = self.session.get(url, timeout=(left, left))
                    body = response.content
                except requests.RequestException as exc:
                    if deadline.passed:
                        raise DeadlineExceeded(deadline.describe()) from None
                    failure, wait = _connection_failure(exc), BACKOFF * 2 ** (attempt - 1)
                    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema):
                        raise HttpError(failure) from None
                else:
                    if deadline.passed:  # the watchdog cut it: what arrived is a fragment
                        raise DeadlineExceeded(deadline.describe())
                    if response.status_code not in RETRY_STATUS:
                        return _decode(response, body)
                    failure = _status_failure(response, body)
                    wait = max(BACKOFF * 2 ** (attempt - 1), _retry_after(response) or 0.0)
                if attempt == attempts:
                    raise HttpError(failure + (f" (after {attempts} attempts)" if attempts > 1 else ""))
                if wait >= deadline.remaining():
                    raise HttpError(
                        f"{failure}; the retry in {wait:g}s would pass the {self.timeout:g}s deadline (--timeout)"
                    )
                deadline.sleep(wait)
            except DeadlineExceeded as exc:
                raise HttpError(str(exc)) from None
        raise AssertionError("unreachable")  # the loop returns or raises


def _decode(response: requests.Response, body: bytes) -> Any:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        doc = None
    if response.status_code != 200:
        raise HttpError(_status_failure(response, body, doc))
    if doc is None:
        kind = response.headers.get("Content-Type") or "no Content-Type"
        what = "truncated or invalid JSON" if "json" in kind else f"{kind}, not JSON"
        raise BadAnswer(f"{what}: {_text_of(body) or 'empty body'}")
    return doc


def _status_failure(response: requests.Response, body: bytes, doc: Any = None) -> str:
    if doc is None:
        with contextlib.suppress(ValueError, RecursionError):
            doc = json.loads(body)
    detail = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        detail = doc["error"]
    return f"HTTP {response.status_code}: {one_line(detail or _text_of(body) or response.reason or 'no body')}"


def _text_of(body: bytes) -> str:
    """Readable gist of a body: an HTML page's title (or text without tags), else the text."""
    text = body[:4096].decode("utf-8", "replace")
    title = re.search(r"(?is)<title[^>]*>(.*?)</title>", text)
    if title:
        text = title.group(1)
    elif "<" in text:
        text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]*>", " ", text)
    return one_line(text, 200)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(float(value), 0.0)
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        when = email.utils.parsedate_to_datetime(value)
        return max(when.timestamp() - time.time(), 0.0)
    return None


def _connection_failure(exc: requests.RequestException) -> str:
    text = str(exc)
    for marker, said in (
        ("Connection refused", "cannot connect (connection refused)"),
        ("Name or service not known", "cannot connect (host name not known)"),
        ("Temporary failure in name resolution", "cannot connect (host name not resolved)"),
        ("Connection reset", "connection reset by the server"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
        ("IncompleteRead", "the server closed the connection mid-answer"),
        ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
        ("timed out", "no answer in time"),
    ):
        if marker in text:
            return said
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "cannot connect"
    return f"request failed ({type(exc).__name__})"


# ---- sockets under the deadline ----------------------------------------------------------------


def _watched(base: type[HTTPConnection], watch: Callable[[socket.socket], None]) -> type[HTTPConnection]:
    class Watched(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            watch(sock)  # before TLS and before the request: the watchdog covers every later byte
            return sock

    return Watched


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections register their sockets with the run's deadline."""

    def __init__(self, watch: Callable[[socket.socket], None]) -> None:
        self._pools = {
            "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": _watched(HTTPConnection, watch)}),
            "https": type("Pool", (HTTPSConnectionPool,), {"ConnectionCls": _watched(HTTPSConnection, watch)}),
        }
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = self._pools
        return manager
