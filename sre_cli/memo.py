"""Work shared by several targets within one `generate.render_all` call.

The rule-file and PrometheusRule targets carry the same rule groups; building and writing them
once instead of twice is a large part of generating 1,000 SLOs. Sharing is scoped to a session
that `render_all` opens around all targets: the specs cannot change within it, so a result keyed
by the SpecSet's identity is valid for every target of that call. Outside a session (a target
rendered on its own, as tests do) nothing is kept and every call computes afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_session: ContextVar[dict[Hashable, Any] | None] = ContextVar("sre_render_session", default=None)


@contextmanager
def render_session() -> Iterator[None]:
    """Results of `shared` live until the block ends; sessions nest (an inner one starts empty)."""
    token = _session.set({})
    try:
        yield
    finally:
        _session.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per session and key; every call outside a session."""
    cache = _session.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]
