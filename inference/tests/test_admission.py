"""Requests are admitted before their body is read, and a client that leaves takes its work with it.

These drive the ASGI app directly (no HTTP client), so that the test controls exactly which body
messages arrive and when the client disconnects, and can see whether the body was read at all.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import cpu_settings

from whisper_server.app import create_app
from whisper_server.results import Transcription

Message = dict[str, Any]


class BlockingTranscriber:
    """Holds the worker until `release` is set; records each job it runs."""

    supported_languages = ("en",)
    multilingual = False
    model_name = "fake"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Event()
        self.calls = 0

    def transcribe(self, audio: Any, *_: object, **__: object) -> Transcription:
        self.calls += 1
        self.started.set()
        self.release.wait(10)
        return Transcription(text="x", language="en", language_probability=1.0, duration=1.0, segments=())

    def transcribe_many(
        self, requests: Sequence[Any], on_result: Callable[[int, Transcription], None] | None = None
    ) -> list[Transcription]:
        """What the server calls for requests without speaker labels (several when they were packed); each
        result is reported to `on_result` as it is done, as the real transcriber does."""
        results = []
        for index, request in enumerate(requests):
            results.append(self.transcribe(request.audio))
            if on_result is not None:
                on_result(index, results[-1])
        return results


@dataclass
class Exchange:
    """One request's ASGI conversation: the messages the app is given and what it answered."""

    body: Sequence[Message]
    headers: Sequence[tuple[bytes, bytes]] = ()
    disconnect: asyncio.Event | None = None  # the client leaves once this is set (after the body)
    received: int = 0
    status: int | None = None
    headers_sent: list[tuple[bytes, bytes]] = field(default_factory=list)
    answer: bytes = b""
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def receive(self) -> Message:
        if self.received < len(self.body):
            self.received += 1
            return self.body[self.received - 1]
        if self.disconnect is not None:
            await self.disconnect.wait()
        else:
            await self.done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers_sent = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.answer += message.get("body", b"")
            if not message.get("more_body"):
                self.done.set()


def post(app: Any, exchange: Exchange) -> asyncio.Task[None]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/invocations",
        "raw_path": b"/invocations",
        "query_string": b"",
        "root_path": "",
        "headers": list(exchange.headers),
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8080),
    }
    return asyncio.ensure_future(app(scope, exchange.receive, exchange.send))


def whole(body: bytes) -> list[Message]:
    return [{"type": "http.request", "body": body, "more_body": False}]


def run_with_app(model_dir: str, transcriber: Any, scenario: Callable[[Any], Any], **settings: Any) -> None:
    app = create_app(cpu_settings(model_dir, **settings), transcriber=transcriber)

    async def main() -> None:
        async with app.router.lifespan_context(app):
            await scenario(app)

    asyncio.run(main())


async def until(condition: Callable[[], bool], seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


def test_a_full_queue_refuses_before_reading_the_body(
    model_dir: str, audio_bytes: Callable[[str], bytes]
) -> None:
    transcriber = BlockingTranscriber()
    speech = audio_bytes("speech.ogg")

    async def scenario(app: Any) -> None:
        running, waiting = Exchange(whole(speech)), Exchange(whole(speech))
        tasks = [post(app, running)]
        await until(transcriber.started.is_set)
        tasks.append(post(app, waiting))
        await until(lambda: app.state.jobs.waiting == 1)

        refused = Exchange(whole(speech), headers=[(b"content-length", str(len(speech)).encode())])
        await post(app, refused)
        assert refused.status == 503
        assert b"queue_full" in refused.answer
        assert refused.received == 0  # not a byte of the body was read
        assert (b"connection", b"close") in refused.headers_sent  # and the upload is cut short

        transcriber.release.set()
        await asyncio.gather(*tasks)
        assert (running.status, waiting.status) == (200, 200)
        assert app.state.jobs.in_flight == 0

    run_with_app(model_dir, transcriber, scenario, max_queue=1)


def test_bodies_in_memory_are_bounded(model_dir: str, audio_bytes: Callable[[str], bytes]) -> None:
    transcriber = BlockingTranscriber()
    speech = audio_bytes("speech.ogg")  # 21 kB
    chunk = {"type": "http.request", "body": speech[:10_000], "more_body": True}

    async def scenario(app: Any) -> None:
        running = Exchange(whole(speech), headers=[(b"content-length", str(len(speech)).encode())])
        task = post(app, running)
        await until(transcriber.started.is_set)
        assert app.state.jobs.buffered_bytes == len(speech)

        # A declared length that does not fit what is left: refused before reading.
        declared = Exchange(whole(speech), headers=[(b"content-length", str(len(speech)).encode())])
        await post(app, declared)
        assert (declared.status, declared.received) == (503, 0)
        assert b"WHISPER_MAX_BUFFERED_BYTES" in declared.answer

        # No declared length: refused as soon as the chunks read pass it.
        chunked = Exchange([chunk, chunk, chunk, chunk])
        await post(app, chunked)
        assert chunked.status == 503 and chunked.received < 4
        assert app.state.jobs.buffered_bytes == len(speech)

        transcriber.release.set()
        await task
        assert running.status == 200
        assert app.state.jobs.buffered_bytes == 0

    run_with_app(model_dir, transcriber, scenario, max_body_bytes=30_000, max_buffered_bytes=35_000)


def test_a_body_cut_short_is_a_client_disconnect_not_a_server_error(
    model_dir: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(app: Any) -> None:
        cut = Exchange(
            [{"type": "http.request", "body": b"RIFF", "more_body": True}, {"type": "http.disconnect"}],
            headers=[(b"content-length", b"100000")],
        )
        await post(app, cut)
        assert app.state.jobs.in_flight == 0

    with caplog.at_level(logging.INFO, logger="whisper_server"):
        run_with_app(model_dir, BlockingTranscriber(), scenario)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    summary = next(r for r in caplog.records if r.getMessage() == "invocation")
    assert (summary.status, summary.outcome) == (499, "client_disconnected")  # type: ignore[attr-defined]
    assert summary.levelno == logging.INFO


def test_a_waiting_job_whose_client_left_is_dropped(
    model_dir: str, audio_bytes: Callable[[str], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    transcriber = BlockingTranscriber()
    speech = audio_bytes("speech.ogg")

    async def scenario(app: Any) -> None:
        running = Exchange(whole(speech))
        task = post(app, running)
        await until(transcriber.started.is_set)
        leaves = asyncio.Event()
        gone = Exchange(
            whole(speech), headers=[(b"x-amzn-sagemaker-inference-id", b"gone")], disconnect=leaves
        )
        gone_task = post(app, gone)
        await until(lambda: app.state.jobs.waiting == 1)
        leaves.set()
        await gone_task
        assert app.state.jobs.waiting == 0
        assert app.state.jobs.in_flight == 1  # only the running job holds a place now

        transcriber.release.set()
        await task
        await asyncio.sleep(0.1)  # the worker would take the next job now, if there were one
        assert transcriber.calls == 1

    with caplog.at_level(logging.INFO, logger="whisper_server"):
        run_with_app(model_dir, transcriber, scenario)
    summaries = {r.request_id: r for r in caplog.records if r.getMessage() == "invocation"}  # type: ignore[attr-defined]
    assert (summaries["gone"].status, summaries["gone"].outcome) == (499, "client_disconnected")  # type: ignore[attr-defined]
