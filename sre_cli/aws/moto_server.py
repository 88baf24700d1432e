"""A moto server on 127.0.0.1 for tests and the benchmark: real boto3 clients, fake AWS behind them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sre_cli.promrun import free_port

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's ThreadedMotoServer on a free local port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
