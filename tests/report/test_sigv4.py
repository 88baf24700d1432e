"""SigV4 (Amazon Managed Prometheus): the signature covers exactly the query that is sent (issue 17, item 16).

AWS rebuilds the canonical request from the query it receives: it decodes every parameter and
re-encodes it RFC 3986 style (space as %20, `+` as %2B). A client that signs one encoding and
sends another (`+` for spaces, as form encoding does) gets 403s on any query with a space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from botocore.auth import SigV4Auth as BotoSigV4
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sre_cli.backends.auth import SigV4Auth
from sre_cli.backends.http import JsonApi

from .fakeserver import FakeServer, Request, answer, vector

KEY, SECRET, TOKEN, REGION = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-tok", "eu-west-1"
PARAMS = [
    ("query", 'sum(rate(http_requests_total{job="api", path=~"/a b|/c+d"}[5m])) / 2 == 1'),
    ("time", "1700000000.000"),
    ("match[]", 'up{x="é 日本"}'),
    ("match[]", "a+b=c&d"),
    ("key with space", "v~_.-*!'()"),
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    with FakeServer(respond=answer(vector())) as s:
        yield s


def aws_canonical_query(raw_query: str) -> str:
    """What AWS computes from the received query: decode each part, re-encode RFC 3986, sort."""
    pairs = []
    for part in raw_query.split("&"):
        k, _, v = part.partition("=")
        pairs.append((quote(unquote(k), safe=""), quote(unquote(v), safe="")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def test_signature_covers_the_query_as_sent(server: FakeServer) -> None:
    api = JsonApi(f"{server.url}/workspaces/ws-1", auth=SigV4Auth(REGION), timeout=10, retries=0)
    api.get("/api/v1/query", PARAMS)
    (sent,) = server.requests
    raw_query = urlsplit(sent.path).query

    # On the wire: RFC 3986, spaces as %20, never form encoding's +.
    assert " " not in raw_query and "+" not in raw_query and "%20" in raw_query and "%2B" in raw_query
    assert sent.params == PARAMS  # decodes back to exactly what was asked, repeated params in order

    # botocore's signer over the request as received...
    auth = sent.headers["Authorization"]
    signed_headers = re.search(r"SignedHeaders=([^,]+)", auth).group(1).split(";")
    signature = re.search(r"Signature=([0-9a-f]+)", auth).group(1)
    received = {h: sent.headers[next(k for k in sent.headers if k.lower() == h)] for h in signed_headers}
    request = AWSRequest(method="GET", url=f"{server.url}{sent.path}", headers=received)
    request.context["timestamp"] = sent.headers["X-Amz-Date"]
    signer = BotoSigV4(Credentials(KEY, SECRET, TOKEN), "aps", REGION)
    canonical = signer.canonical_request(request)

    # ...has the canonical query AWS derives from it, so AWS computes the same signature.
    assert canonical.split("\n")[2] == aws_canonical_query(raw_query)
    assert canonical.split("\n")[1] == "/workspaces/ws-1/api/v1/query"
    assert signer.signature(signer.string_to_sign(request, canonical), request) == signature
    assert sent.headers["X-Amz-Security-Token"] == TOKEN
    assert f"Credential={KEY}/" in auth and f"/{REGION}/aps/aws4_request" in auth


def test_the_base_url_query_is_signed_too(server: FakeServer) -> None:
    api = JsonApi(f"{server.url}/p?tenant=a b", auth=SigV4Auth(REGION), timeout=10, retries=0)
    api.get("/api/v1/query", [("query", "up == 1")])
    (sent,) = server.requests
    raw_query = urlsplit(sent.path).query
    assert sent.params == [("tenant", "a b"), ("query", "up == 1")]
    auth = sent.headers["Authorization"]
    signed_headers = re.search(r"SignedHeaders=([^,]+)", auth).group(1).split(";")
    received = {h: sent.headers[next(k for k in sent.headers if k.lower() == h)] for h in signed_headers}
    request = AWSRequest(method="GET", url=f"{server.url}{sent.path}", headers=received)
    request.context["timestamp"] = sent.headers["X-Amz-Date"]
    signer = BotoSigV4(Credentials(KEY, SECRET, TOKEN), "aps", REGION)
    canonical = signer.canonical_request(request)
    assert canonical.split("\n")[2] == aws_canonical_query(raw_query)
    assert signer.signature(signer.string_to_sign(request, canonical), request) in auth


def assert_signed_as_aws_would_check(server: FakeServer, sent: Request) -> None:
    raw_query = urlsplit(sent.path).query
    auth = sent.headers["Authorization"]
    signed_headers = re.search(r"SignedHeaders=([^,]+)", auth).group(1).split(";")
    received = {h: sent.headers[next(k for k in sent.headers if k.lower() == h)] for h in signed_headers}
    request = AWSRequest(method="GET", url=f"{server.url}{sent.path}", headers=received)
    request.context["timestamp"] = sent.headers["X-Amz-Date"]
    signer = BotoSigV4(Credentials(KEY, SECRET, TOKEN), "aps", REGION)
    canonical = signer.canonical_request(request)
    assert canonical.split("\n")[2] == aws_canonical_query(raw_query), sent.path
    assert f"Signature={signer.signature(signer.string_to_sign(request, canonical), request)}" in auth


def test_every_report_query_is_signed_as_sent(server: FakeServer, specs: Any) -> None:
    """The report's own queries (spaces, quotes, `=~`, `+`) through the Prometheus backend."""
    from sre_cli.backends.prometheus import PrometheusBackend
    from sre_cli.report.model import measured_window

    from .conftest import END

    slos = [s for s in specs.slos if getattr(s.indicator.body, "prometheus", None) is not None]
    windows = {s.name: measured_window(s, float(END)) for s in slos}
    from sre_cli.backends import MeasureRequest

    PrometheusBackend(server.url, auth=SigV4Auth(REGION), timeout=30).measure(MeasureRequest(slos, float(END), windows))
    assert len(server.requests) > 20
    assert any(" " in r.query for r in server.requests)
    for sent in server.requests:
        assert_signed_as_aws_would_check(server, sent)
