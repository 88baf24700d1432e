"""What one `generate.render_all` call sets up for its targets: shared work, and no cyclic GC.

Shared work: the rule-file and PrometheusRule targets carry the same rule groups; building and
writing them once instead of twice is a large part of generating 1,000 SLOs. Sharing is scoped
to the session: the specs cannot change within it, so a result keyed by the SpecSet's identity is
valid for every target of that call. Outside a session (a target rendered on its own, as tests
do) nothing is kept and every call computes afresh.

No cyclic GC: rendering allocates millions of small dicts, lists and strings that live until the
files are written. Each allocation burst triggers the cyclic collector, which rescans everything
still alive (the whole growing output) to find cycles the rendering does not make; that was
about a tenth of the time of 1,000 SLOs. Reference counting still frees everything acyclic at
once; the collector resumes when the session ends (mypy raises its thresholds for the same reason).
"""

from __future__ import annotations

import gc
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
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        _session.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per session and key; every call outside a session."""
    cache = _session.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]
