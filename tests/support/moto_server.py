"""A moto server on 127.0.0.1 for tests and the benchmark: real boto3 clients, fake AWS behind them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto.server import ThreadedMotoServer

from sre_cli.promrun import free_port

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}


def use_fake_credentials(mp: pytest.MonkeyPatch) -> None:
    """Credentials moto accepts, and no profile that could point boto3 at a real account."""
    for key, value in FAKE_CREDENTIALS.items():
        mp.setenv(key, value)
    mp.delenv("AWS_PROFILE", raising=False)


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's ThreadedMotoServer on a free local port; yields its endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
