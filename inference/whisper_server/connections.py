"""Connection limits for uvicorn: idle connections are closed, and their number is bounded.

uvicorn closes a keep-alive connection that stays idle after a response, but not one that never sends
a request, and it has no cap on open connections (`limit_concurrency` answers 503 to every request
beyond it, /ping included, which would make SageMaker replace a healthy instance). Hundreds of idle
sockets then use up the process's file descriptors: accept() fails, asyncio logs each failure, and
/ping stops answering. Here an idle connection is closed after `idle_timeout_seconds` from its start
too, and a connection beyond the cap evicts the longest-idle one (or, when all are busy, is itself
closed), so /ping always finds room.

A request body that stops arriving would hold its place in the queue and its share of the body budget for
as long as the client keeps the socket open (uvicorn has no body timeout): `BodyPace` says how long the
app may wait for its next bytes.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from .body_chunks import ChunksTooSmall, CountedConnection, error_response

log = logging.getLogger("whisper_server")

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


def guarded_protocol(max_connections: int, min_body_chunk_bytes: int = 0) -> type[H11Protocol]:
    """uvicorn's h11 protocol with the idle timeout from the connection's start, the connection cap, and the
    floor on the average size of a body's pieces (body_chunks.py; 0: none)."""

    class GuardedH11Protocol(H11Protocol):
        cap: ClassVar[int] = max_connections

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.conn = CountedConnection(self.conn, min_body_chunk_bytes)  # type: ignore[assignment]

        def handle_events(self) -> None:
            try:
                super().handle_events()
            except ChunksTooSmall as refused:
                self._refuse(refused)

        def _refuse(self, refused: ChunksTooSmall) -> None:
            """Answers the 400 itself (the app is still reading the body) and closes the connection; the app
            then sees the client gone, and whatever it answers is dropped."""
            log.warning("request refused: %s", refused.error.message, extra={"status": 400})
            cycle = getattr(self, "cycle", None)
            if cycle is not None:
                cycle.disconnected = True
                cycle.message_event.set()
                if cycle.response_started:
                    self.transport.close()
                    return
            self.transport.write(error_response(refused.error))
            self.transport.close()

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


@dataclass
class BodyPace:
    """How long a body that is still arriving may take to send its next bytes: it stalls when no byte comes
    for `pause_seconds`, or when, once `pause_seconds` have passed since it started, it has averaged less
    than `min_bytes_per_second` (0: no rate) since then. A body that keeps the rate is never cut: a large
    upload just needs time in proportion to its size."""

    pause_seconds: float
    min_bytes_per_second: int
    started: float = field(default_factory=time.monotonic)
    last_arrival: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.last_arrival = self.started

    def seconds_left(self, received: int) -> float:
        """Seconds to wait for the next bytes, `received` bytes having come so far (0: stalled now)."""
        return max(0.0, min(self._deadlines(received)) - time.monotonic())

    def arrived(self) -> None:
        """Bytes came just now."""
        self.last_arrival = time.monotonic()

    def stalled(self, received: int, declared: int | None) -> str:
        """What the stalled body did, for the 408's message."""
        now = time.monotonic()
        of = f" of {declared}" if declared is not None else ""
        rate = (
            f", and {self.min_bytes_per_second} bytes a second on average"
            if self.min_bytes_per_second
            else ""
        )
        return (
            f"the body stalled: {received}{of} bytes in {now - self.started:.1f} s, none in the last "
            f"{now - self.last_arrival:.1f} s (a body may pause at most {self.pause_seconds:g} s{rate})"
        )

    def _deadlines(self, received: int) -> tuple[float, float]:
        """When the pause and the rate run out (the rate never, when it is 0)."""
        pause = self.last_arrival + self.pause_seconds
        if not self.min_bytes_per_second:
            return pause, float("inf")
        return pause, self.started + self.pause_seconds + received / self.min_bytes_per_second
