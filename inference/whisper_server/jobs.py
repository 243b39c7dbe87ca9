"""One worker thread for all inference, a bounded number of waiting jobs, and a bounded body budget.

The event loop only ever awaits; decoding and transcription run in the worker, so /ping answers at
once whatever the device is doing. One worker means one job on the device at a time: GPU memory
stays predictable and jobs finish in arrival order.

A request takes a `Ticket` before its body is read (`JobQueue.admit`), so a full queue refuses it
without reading a byte, and only admitted requests can hold bodies in memory. A ticket is given back
when both its request is finished with it and its job (if it ever started) has ended.

How a job travels: `Ticket.run` puts it on `_pending`; the worker takes the next one in
`_next_job`, the single place where it picks work (the spot to gather several jobs into one batch),
runs it, and answers the waiting request through its asyncio future. A job whose request has gone
before the worker reached it is dropped there. On shutdown, `close` answers every waiting request
with a retryable 503 and `answer_running` gives the running one its 503 too: the worker is a daemon
thread, so the process can exit while the device is still busy.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from .errors import RequestError
from .memory import give_back_memory

T = TypeVar("T")

JobState = Literal["waiting", "running", "done", "dropped"]


def shutting_down() -> RequestError:
    """The retryable 503 of a request the server will not process because it is stopping."""
    return RequestError(
        503, "shutting_down", "the server is shutting down; the request was not processed, retry it"
    )


@dataclass(eq=False)
class _Job(Generic[T]):
    work: Callable[[], T]
    answer: asyncio.Future[T]
    ticket: Ticket
    state: JobState = "waiting"


@dataclass(eq=False)
class Ticket:
    """One admitted request's place in the queue, and the body bytes it holds in memory."""

    _queue: JobQueue
    _holders: int = 1  # the request; the worker too while it runs the job
    buffered_bytes: int = 0
    _job: _Job[Any] | None = field(default=None, repr=False)

    def hold_bytes(self, count: int) -> None:
        """Counts `count` more body bytes against WHISPER_MAX_BUFFERED_BYTES; 503 when they do not fit."""
        self._queue._hold_bytes(self, count)

    async def run(self, work: Callable[[], T]) -> T:
        """Runs `work` in the worker thread and returns its result (or raises its exception).

        Cancelled while the job still waits (its client left), the job is dropped and never runs.
        A job that already runs cannot be stopped; its ticket is given back when it ends.
        """
        job: _Job[T] = _Job(work, asyncio.get_running_loop().create_future(), self)
        self._job = job
        self._queue._submit(job)
        try:
            return await job.answer
        except asyncio.CancelledError:
            self._queue._drop_if_waiting(job)
            raise

    def release(self) -> None:
        """Called once by the request when it is done; the slot frees once the job has ended too."""
        self._queue._let_go(self)


class JobQueue:
    """Runs jobs one at a time; at most `max_waiting` requests may wait behind the running one, and
    admitted requests may hold at most `max_buffered_bytes` of bodies together."""

    def __init__(self, max_waiting: int, max_buffered_bytes: int | None = None) -> None:
        self.max_waiting = max_waiting
        self.max_buffered_bytes = max_buffered_bytes
        self._lock = threading.Lock()  # guards the counters and job states (loop thread + worker)
        self._tickets = 0
        self._buffered = 0
        self._closed = False
        self._waiting: list[_Job[Any]] = []
        self._running: _Job[Any] | None = None
        self._pending: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        # A daemon thread: interpreter exit does not wait for a job that is still on the device.
        self._worker = threading.Thread(target=self._work, name="inference", daemon=True)
        self._worker.start()

    @property
    def in_flight(self) -> int:
        """Admitted requests: reading their body, waiting, or running."""
        return self._tickets

    @property
    def buffered_bytes(self) -> int:
        """Body bytes the admitted requests hold."""
        return self._buffered

    @property
    def waiting(self) -> int:
        """Jobs submitted and not yet taken by the worker."""
        return len(self._waiting)

    def admit(self) -> Ticket:
        """A ticket for one request, before its body is read. 503 when the queue is full or closed."""
        with self._lock:
            if self._closed:
                raise shutting_down()
            if self._tickets >= self.max_waiting + 1:
                raise RequestError(
                    503,
                    "queue_full",
                    f"{self._tickets} requests are already running or waiting (WHISPER_MAX_QUEUE="
                    f"{self.max_waiting}); retry later",
                )
            self._tickets += 1
            return Ticket(self)

    async def run(self, work: Callable[[], T]) -> T:
        """`admit`, `Ticket.run` and `Ticket.release` in one, for a caller with no body to read first."""
        ticket = self.admit()
        try:
            return await ticket.run(work)
        finally:
            ticket.release()

    def close(self) -> int:
        """Refuses new requests and answers every waiting one with a retryable 503. Returns how many
        were answered. The running job, if any, goes on (see `answer_running`)."""
        with self._lock:
            self._closed = True
            refused, self._waiting = self._waiting, []
            for job in refused:
                job.state = "dropped"
        for job in refused:
            _answer(job, error=shutting_down())
        return len(refused)

    def answer_running(self) -> bool:
        """Gives the running job's request a 503 now (its work goes on, its result is discarded).
        Returns whether a job was running."""
        with self._lock:
            job = self._running
        if job is None:
            return False
        _answer(job, error=shutting_down())
        return True

    def shutdown(self) -> None:
        """Closes the queue and lets the worker stop after the job it runs; does not wait for it."""
        self.close()
        self._pending.put(None)

    # The worker thread.

    def _work(self) -> None:
        while (job := self._next_job()) is not None:
            result: Any = None
            error: Exception | None = None
            try:
                result = job.work()
            except Exception as e:  # handed to the request, which logs it
                error = e
            give_back_memory()  # what decoding freed (memory.py)
            with self._lock:
                job.state = "done"
                self._running = None
            # The place is given back before the answer, so a client that has its answer finds it free.
            job.ticket.release()
            _answer(job, result=result, error=error)

    def _next_job(self) -> _Job[Any] | None:
        """Blocks until a job is due and marks it running; None once the queue is shut down.

        Jobs whose request has gone (dropped) are skipped here.
        """
        while (job := self._pending.get()) is not None:
            with self._lock:
                if job.state != "waiting":
                    continue
                job.state = "running"
                self._waiting.remove(job)
                self._running = job
                job.ticket._holders += 1
                return job
        return None

    # Called through Ticket, on the event loop thread.

    def _submit(self, job: _Job[Any]) -> None:
        with self._lock:
            if self._closed:
                raise shutting_down()
            self._waiting.append(job)
        self._pending.put(job)

    def _drop_if_waiting(self, job: _Job[Any]) -> None:
        with self._lock:
            if job.state == "waiting":
                job.state = "dropped"
                self._waiting.remove(job)

    def _hold_bytes(self, ticket: Ticket, count: int) -> None:
        with self._lock:
            limit = self.max_buffered_bytes
            if limit is not None and self._buffered + count > limit:
                raise RequestError(
                    503,
                    "server_busy",
                    f"the requests in progress already hold {self._buffered} bytes of audio "
                    f"(WHISPER_MAX_BUFFERED_BYTES={limit}); retry later",
                )
            self._buffered += count
            ticket.buffered_bytes += count

    def _let_go(self, ticket: Ticket) -> None:
        with self._lock:
            ticket._holders -= 1
            if ticket._holders == 0:
                self._tickets -= 1
                self._buffered -= ticket.buffered_bytes
                ticket.buffered_bytes = 0


def _answer(job: _Job[T], result: T | None = None, error: BaseException | None = None) -> None:
    """Completes the request's future from any thread (first answer wins; a closed loop is ignored)."""

    def settle() -> None:
        if job.answer.done():
            return
        if error is not None:
            job.answer.set_exception(error)
        else:
            job.answer.set_result(result)  # type: ignore[arg-type]

    # A closed loop raises RuntimeError: nobody waits for the answer any more.
    with contextlib.suppress(RuntimeError):
        job.answer.get_loop().call_soon_threadsafe(settle)
