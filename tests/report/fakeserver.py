"""A real HTTP server on 127.0.0.1 that misbehaves as a test tells it to (raw bytes, drips, resets)."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sre_cli.promrun import free_port


@dataclass
class Request:
    path: str  # as sent, query included
    headers: dict[str, str]

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.path).query, keep_blank_values=True)

    @property
    def query(self) -> str:
        return dict(self.params).get("query", "")


Respond = Callable[[BaseHTTPRequestHandler, Request], None]


def vector(*values: Any) -> dict[str, Any]:
    return {
        "status": "success",
        "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1.0, v]} for v in values]},
    }


_TERM_END = re.compile(r', "sre_q", "([^"$]+)", "", ""\)')


def union_terms(query: str) -> dict[str, str]:
    """The terms of the report's union query (`promql.union`): key -> expression; {} for another query."""
    terms = {}
    for match in _TERM_END.finditer(query):
        # Walk back from the term's end to its `label_replace(` at the same depth.
        depth, i = 0, match.start() - 1
        while i >= 0 and not (depth == 0 and query[i] == "("):
            depth += {")": 1, "(": -1}.get(query[i], 0)
            i -= 1
        terms[match.group(1)] = query[i + 1 : match.start()]
    return terms


def tagged_vector(query: str, value: Callable[[str, str], Any] | Any) -> dict[str, Any]:
    """A union query answered term by term (`value(key, expression)` or one value for all);
    any other query answered with one label-less sample, as `vector`."""
    terms = union_terms(query)
    if not terms:
        return vector(value("", query) if callable(value) else value)
    result = [
        {"metric": {"sre_q": key}, "value": [1.0, value(key, expr) if callable(value) else value]}
        for key, expr in terms.items()
    ]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def per_term(value: Any) -> Respond:
    """Every instant query answered with `value` for each term; range queries with no series."""

    def respond(h: BaseHTTPRequestHandler, req: Request) -> None:
        if "query_range" in req.path:
            return send(h, json.dumps({"status": "success", "data": {"resultType": "matrix", "result": []}}).encode())
        return send(h, json.dumps(tagged_vector(req.query, value)).encode())

    return respond


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    status: int = 200,
    ctype: str | None = "application/json",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    if ctype:
        handler.send_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(body)


def answer(
    doc: Any, status: int = 200, ctype: str | None = "application/json", headers: dict[str, str] | None = None
) -> Respond:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return lambda h, _r: send(h, body, status, ctype, headers)


def reset(handler: BaseHTTPRequestHandler, _r: Request) -> None:
    """Close with a TCP RST (SO_LINGER 0): the client sees 'connection reset'."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def hang_up(handler: BaseHTTPRequestHandler, _r: Request) -> None:
    handler.close_connection = True


def drip(in_headers: bool, seconds: float = 60) -> Respond:
    """One byte a second for `seconds`, in the headers or in the body: per-read timeouts never trip."""

    def respond(handler: BaseHTTPRequestHandler, _r: Request) -> None:
        body = json.dumps(vector("1")).encode() + b" " * 1000
        if in_headers:
            head, slow = b"HTTP/1.1 200 OK\r\nX-Pad: ", b"x" * 1000
        else:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            slow = body
        end = time.monotonic() + seconds
        with contextlib.suppress(OSError):
            handler.wfile.write(head)
            handler.wfile.flush()
            for byte in slow:
                if time.monotonic() > end:
                    break
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(1)
        handler.close_connection = True

    return respond


@dataclass
class FakeServer:
    respond: Respond = field(default=answer(vector()))
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                request = Request(self.path, dict(self.headers))
                fake.requests.append(request)
                fake.respond(self, request)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
