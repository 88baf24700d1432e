"""One deadline for a whole report run (`--timeout`), enforced on open sockets.

Per-socket timeouts bound each read, not the request: a server that drips a byte a second
never trips them. So every socket a run opens is registered here, and when the deadline passes
a watchdog shuts them down, which ends any blocked connect, send or read at once. Waits between
retries (backoff, Retry-After) end at the deadline too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class DeadlineExceeded(RuntimeError):
    pass


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._passed = threading.Event()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self._end - time.monotonic(), 0.0)

    @property
    def passed(self) -> bool:
        return self._passed.is_set() or self.remaining() <= 0

    def check(self) -> float:
        """Seconds left; DeadlineExceeded when none are."""
        left = self.remaining()
        if left <= 0 or self._passed.is_set():
            raise DeadlineExceeded(self.describe())
        return left

    def describe(self) -> str:
        return f"no answer within {self.seconds:g}s (--timeout)"

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or raise DeadlineExceeded if the deadline comes first."""
        if seconds >= self.remaining():
            raise DeadlineExceeded(self.describe())
        if self._passed.wait(seconds):
            raise DeadlineExceeded(self.describe())

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down when the deadline passes (at once if it already has)."""
        with self._lock:
            if not self._passed.is_set():
                self._sockets.add(sock)
                return
        _shut(sock)

    def forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def cancel(self) -> None:
        """The run is over: stop the watchdog (sockets stay open for reuse)."""
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self._passed.set()
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
