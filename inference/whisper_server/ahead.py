"""Work computed ahead on other threads, taken in order: how decoder batches overlap on CPU.

On the 2-core VM with tiny.en int8, beam 5 on CTranslate2 barely uses a second thread inside one call (two
batches of 8 decoded one after the other: 1.36 s on one thread, 1.50 s on two), while two calls on two
one-thread replicas of the model run side by side (0.74 s for both; encoder and decoder of two batches
1.75 s against 2.95 s in turn). So the batched path computes the next batches' encoder, decoder and word
alignment on a pool while its own thread takes the batch before in order and checks its chunks (chunked.py).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@contextlib.contextmanager
def computed_ahead(
    compute: Callable[[Item], Result], items: Iterable[Item], workers: int
) -> Iterator[Iterator[Result]]:
    """An iterator of `compute(item)` for each of `items`, in their order. With `workers` >= 2 up to that
    many are computed at once on a pool of as many threads, starting with the first `workers` items and
    one more each time a result is taken, so at most `workers` + 1 results are held. An exception raised by
    `compute` is raised where its result is taken. With `workers` < 2 each result is computed when it is
    taken, on the caller's thread. On leaving the block the results not yet started are cancelled and
    those running are waited for, so no work outlives it."""
    if workers < 2:
        yield (compute(item) for item in items)
        return
    pending: collections.deque[Future[Result]] = collections.deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as pool:
        upcoming = iter(items)

        def results() -> Iterator[Result]:
            pending.extend(pool.submit(compute, item) for item in itertools.islice(upcoming, workers))
            while pending:
                taken = pending.popleft()
                pending.extend(pool.submit(compute, item) for item in itertools.islice(upcoming, 1))
                yield taken.result()

        try:
            yield results()
        finally:
            for future in pending:
                future.cancel()
