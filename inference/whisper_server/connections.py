"""Connection limits for uvicorn: idle connections are closed, and their number is bounded.

uvicorn closes a keep-alive connection that stays idle after a response, but not one that never sends
a request, and it has no cap on open connections (`limit_concurrency` answers 503 to every request
beyond it, /ping included, which would make SageMaker replace a healthy instance). Hundreds of idle
sockets then use up the process's file descriptors: accept() fails, asyncio logs each failure, and
/ping stops answering. Here an idle connection is closed after `idle_timeout_seconds` from its start
too, and a connection beyond the cap evicts the longest-idle one (or, when all are busy, is itself
closed), so /ping always finds room.
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

RESERVED_FILE_DESCRIPTORS = 64
"""Descriptors kept for everything but client sockets: the model files, the VAD, logs, the listener."""


def raise_open_file_limit() -> int:
    """Raises the soft open-file limit to the hard one (as servers do) and returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = 65536 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass  # keep the soft limit we have
    return soft


def connection_cap(max_connections: int, open_file_limit: int) -> int:
    """`max_connections`, lowered so that client sockets leave RESERVED_FILE_DESCRIPTORS free (at least 2)."""
    return max(2, min(max_connections, open_file_limit - RESERVED_FILE_DESCRIPTORS))


def guarded_protocol(max_connections: int) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the idle timeout from the connection's start and the connection cap."""

    class GuardedH11Protocol(H11Protocol):
        cap: ClassVar[int] = max_connections

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.last_active = time.monotonic()
            # uvicorn only starts this timer after a response; start it for the first request too.
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )
            if len(self.connections) > self.cap:
                self._make_room()

        def on_response_complete(self) -> None:
            self.last_active = time.monotonic()
            super().on_response_complete()

        def _make_room(self) -> None:
            idle = [
                c for c in self.connections if c is not self and _is_idle(c) and not c.transport.is_closing()
            ]
            if idle:
                oldest = min(idle, key=lambda c: getattr(c, "last_active", 0.0))
                oldest.timeout_keep_alive_handler()
            else:
                self.timeout_keep_alive_handler()

    return GuardedH11Protocol


def _is_idle(connection: Any) -> bool:
    """No request in progress: none started yet, or the last one answered."""
    cycle = getattr(connection, "cycle", None)
    return cycle is None or bool(cycle.response_complete)
