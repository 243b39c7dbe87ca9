"""Work computed ahead on a pool is taken in order, overlaps, and never outlives its block."""

from __future__ import annotations

import threading
import time

import pytest

from whisper_server.ahead import computed_ahead


def test_results_come_in_the_items_order_whichever_finishes_first() -> None:
    def slow_first(item: int) -> int:
        time.sleep(0.05 if item == 0 else 0)
        return item * 10

    with computed_ahead(slow_first, range(7), workers=2) as results:
        assert list(results) == [0, 10, 20, 30, 40, 50, 60]


def test_two_items_are_computed_at_once() -> None:
    both_running = threading.Barrier(2, timeout=10)
    threads: set[int] = set()

    def beside_another(item: int) -> int:
        threads.add(threading.get_ident())
        both_running.wait()  # passes only while a second item is computed at the same time
        return item

    with computed_ahead(beside_another, range(4), workers=2) as results:
        assert list(results) == [0, 1, 2, 3]
    assert len(threads) == 2 and threading.get_ident() not in threads


def test_no_more_than_the_workers_are_computed_ahead_of_the_one_taken() -> None:
    started: list[int] = []
    with computed_ahead(lambda item: started.append(item) or item, range(10), workers=2) as results:
        assert next(results) == 0
        time.sleep(0.1)  # time for the pool to start anything it was given
        assert sorted(started) == [0, 1, 2]


def test_an_error_is_raised_where_its_result_is_taken() -> None:
    def fails_on_two(item: int) -> int:
        if item == 2:
            raise RuntimeError("out of memory")
        return item

    with computed_ahead(fails_on_two, range(5), workers=2) as results:
        assert [next(results), next(results)] == [0, 1]
        with pytest.raises(RuntimeError, match="out of memory"):
            next(results)


def test_leaving_the_block_early_cancels_what_has_not_started_and_waits_for_the_rest() -> None:
    running = threading.Event()
    finished: list[int] = []

    def slow(item: int) -> int:
        running.set()
        time.sleep(0.2)
        finished.append(item)
        return item

    with pytest.raises(KeyError), computed_ahead(slow, range(100), workers=2) as results:
        next(results)
        raise KeyError("the caller failed")
    done = len(finished)
    assert running.is_set() and 1 <= done <= 3, "only the first and what ran beside it"
    time.sleep(0.3)
    assert len(finished) == done, "nothing runs after the block"


def test_one_worker_computes_each_result_when_taken_on_the_callers_thread() -> None:
    threads: list[int] = []
    with computed_ahead(lambda item: threads.append(threading.get_ident()) or item, range(3), 1) as results:
        assert threads == []
        assert next(results) == 0
        assert threads == [threading.get_ident()]
        assert list(results) == [1, 2]
