"""The single-worker job queue: one job at a time, bounded waiting, slots released on failure."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from whisper_server.errors import RequestError
from whisper_server.jobs import JobQueue


def test_runs_one_job_at_a_time_in_arrival_order() -> None:
    running = 0
    most_at_once = 0
    order: list[int] = []
    lock = threading.Lock()

    def job(number: int) -> int:
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(0.02)
        order.append(number)
        with lock:
            running -= 1
        return number * 10

    async def scenario() -> list[int]:
        queue = JobQueue(max_waiting=8)
        results = await asyncio.gather(*(queue.run(lambda n=n: job(n)) for n in range(5)))
        queue.shutdown()
        return list(results)

    assert asyncio.run(scenario()) == [0, 10, 20, 30, 40]
    assert most_at_once == 1
    assert order == [0, 1, 2, 3, 4]


def test_refuses_beyond_the_queue_and_frees_slots_after_failures() -> None:
    release = threading.Event()

    def blocked() -> str:
        release.wait(5)
        return "done"

    def failing() -> None:
        raise ValueError("boom")

    async def scenario() -> None:
        queue = JobQueue(max_waiting=1)
        running = asyncio.ensure_future(queue.run(blocked))
        waiting = asyncio.ensure_future(queue.run(blocked))
        await asyncio.sleep(0.05)
        with pytest.raises(RequestError) as refused:
            await queue.run(blocked)
        assert refused.value.status == 503
        assert "WHISPER_MAX_QUEUE=1" in refused.value.message
        release.set()
        assert await asyncio.gather(running, waiting) == ["done", "done"]
        with pytest.raises(ValueError, match="boom"):
            await queue.run(failing)
        await asyncio.sleep(0.01)  # the release is scheduled back onto the loop
        assert queue.in_flight == 0
        queue.shutdown()

    asyncio.run(scenario())
