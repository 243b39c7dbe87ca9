"""Polling with exponential backoff, jitter and an overall deadline (in the style of the AWS SDK's waiters):
many clients polling one bucket do not fall into lockstep, and the last check happens at the deadline."""

from __future__ import annotations

import random
import time
from typing import Callable, TypeVar

T = TypeVar("T")

MIN_DELAY_SECONDS = 1.0
"""Shortest pause between two checks."""
MAX_DELAY_SECONDS = 15.0
"""Longest pause between two checks."""


def backoff_delay(
    attempt: int,
    min_delay: float = MIN_DELAY_SECONDS,
    max_delay: float = MAX_DELAY_SECONDS,
    rand: Callable[[], float] = random.random,
) -> float:
    """The pause after check number `attempt` (1-based): random in [min, min(max, min * 2^(attempt-1))]."""
    ceiling = min(max_delay, min_delay * 2 ** (attempt - 1))
    return min_delay + rand() * max(0.0, ceiling - min_delay)


def poll_until(
    check: Callable[[], T | None],
    deadline: float,
    *,
    min_delay: float = MIN_DELAY_SECONDS,
    max_delay: float = MAX_DELAY_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> T | None:
    """Calls `check` until it returns something other than None and returns that; None once `deadline` (a
    `clock()` value) has passed. Errors from `check` propagate at once: only "not there yet" is retried."""
    attempt = 0
    while True:
        attempt += 1
        value = check()
        if value is not None:
            return value
        remaining = deadline - clock()
        if remaining <= 0:
            return None
        sleep(min(remaining, backoff_delay(attempt, min_delay, max_delay, rand)))
