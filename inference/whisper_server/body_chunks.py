"""A floor on the average size of the pieces a request body arrives in.

h11 turns every HTTP chunk (and every read of a declared-length body) into one event, and uvicorn appends each
to the request's buffered body, on the event loop. A body sent in 1-byte chunks costs the loop that work for
every byte, and the appends copy the buffer each time: two or three such clients held /ping for 3.7-4.5 s.
The byte-rate floor (connections.BodyPace) cannot see this: 1-byte chunks can arrive fast. So, once a body has
come in more than GRACE_PIECES pieces, their average size must be at least the floor
(WHISPER_MIN_BODY_CHUNK_BYTES), or the request gets 400 `body_chunks_too_small` and its connection is closed.
"""

from __future__ import annotations

import json
from typing import Any

import h11

from .errors import RequestError

GRACE_PIECES = 1024
"""Pieces a body may arrive in before the floor applies (a small body in a few small chunks is fine)."""


class ChunksTooSmall(Exception):
    """A body's pieces averaged less than the floor; carries the 400 to answer with."""

    def __init__(self, error: RequestError) -> None:
        super().__init__(error.message)
        self.error = error


class CountedConnection:
    """An h11 connection that counts each request's body pieces and raises ChunksTooSmall under the floor;
    everything else is the wrapped connection's."""

    def __init__(self, connection: h11.Connection, min_average_bytes: int) -> None:
        self._connection = connection
        self._min_average_bytes = min_average_bytes
        self._pieces = 0
        self._bytes = 0

    def next_event(self) -> Any:
        event = self._connection.next_event()
        if isinstance(event, h11.Request):
            self._pieces = self._bytes = 0
        elif isinstance(event, h11.Data) and self._min_average_bytes:
            self._pieces += 1
            self._bytes += len(event.data)
            if self._pieces > GRACE_PIECES and self._bytes < self._min_average_bytes * self._pieces:
                raise ChunksTooSmall(too_small(self._pieces, self._bytes, self._min_average_bytes))
        return event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def too_small(pieces: int, received: int, floor: int) -> RequestError:
    """The 400 of a body that came in `pieces` pieces holding `received` bytes."""
    return RequestError(
        400,
        "body_chunks_too_small",
        f"the body came in {pieces} pieces of {received / pieces:.1f} bytes on average; the server needs "
        f"{floor} bytes a piece on average (WHISPER_MIN_BODY_CHUNK_BYTES): send it with Content-Length or in "
        "larger chunks",
    )


def error_response(error: RequestError) -> bytes:
    """The whole HTTP/1.1 response for `error`, closing the connection, in the JSON error shape."""
    body = json.dumps(error.body()).encode()
    head = (
        f"HTTP/1.1 {error.status} Bad Request\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body
