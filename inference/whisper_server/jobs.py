"""One worker thread for all inference, with a bounded number of waiting jobs.

The event loop only ever awaits; decoding and transcription run in the worker, so /ping answers at
once whatever the device is doing. One worker means one job on the device at a time: GPU memory
stays predictable and jobs finish in arrival order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .errors import RequestError

T = TypeVar("T")


class JobQueue:
    """Runs callables one at a time; at most `max_waiting` may wait behind the running one."""

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self._in_flight = 0  # running + waiting; only touched on the event loop thread

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def run(self, job: Callable[[], T]) -> T:
        """Runs `job` in the worker thread and returns its result; 503 RequestError when the queue is full."""
        if self._in_flight >= self.max_waiting + 1:
            raise RequestError(
                503,
                "queue_full",
                f"{self._in_flight} requests are already running or waiting (WHISPER_MAX_QUEUE="
                f"{self.max_waiting}); retry later",
            )
        loop = asyncio.get_running_loop()
        self._in_flight += 1
        future = self._executor.submit(job)
        # Released when the job really ends, not when the caller stops waiting (a dropped connection
        # does not stop a job that is already on the device).
        future.add_done_callback(lambda _: self._release_from_worker(loop))
        return await asyncio.wrap_future(future)

    def _release_from_worker(self, loop: asyncio.AbstractEventLoop) -> None:
        if not loop.is_closed():  # at shutdown the loop may be gone; nothing waits any more then
            loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self._in_flight -= 1

    def shutdown(self) -> None:
        """Lets the running job finish, drops waiting ones."""
        self._executor.shutdown(wait=True, cancel_futures=True)
