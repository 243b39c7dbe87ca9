"""The HTTP app: SageMaker's container contract (GET /ping, POST /invocations)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from . import formats
from .audio import decode
from .channel_audio import decode_channels
from .channels import transcribe_by_channel
from .chunked import Request as TranscriptionRequest
from .connections import BodyPace
from .diarizer import Diarizer, load_diarizer, transcribe_with_speakers
from .errors import RequestError
from .jobs import JobQueue, Ticket
from .options import HEADER as OPTIONS_HEADER
from .options import parse_options, single_header
from .packing import RequestPacker
from .prompt import check_prompt_budget
from .results import Transcription
from .settings import Settings
from .transcriber import Transcriber

log = logging.getLogger("whisper_server")
T = TypeVar("T")
# SageMaker sets the first on async and real-time invocations; the second is the generic AWS request id.
REQUEST_ID_HEADERS = ("x-amzn-sagemaker-inference-id", "x-amzn-requestid")
# Status logged for a request whose client went away before its answer (nginx's convention); the
# client never sees it.
CLIENT_GONE_STATUS = 499


class ClientGone(Exception):
    """The client closed the connection before the body was complete or the answer was ready."""


def create_app(
    settings: Settings | None = None,
    transcriber: Transcriber | None = None,
    diarizer: Diarizer | None = None,
) -> FastAPI:
    """Builds the app. The models load in the lifespan (once), unless a loaded `transcriber` is given
    (and a `diarizer`; without one it loads from the artifact when its models are there).

    `app.state.begin_shutdown()` is what the server calls when it is told to stop (see serve.py).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs = JobQueue(settings.max_queue, settings.max_buffered_bytes)
        loading = time.perf_counter()
        # Loading takes seconds to minutes; off the loop so the process stays responsive meanwhile.
        try:
            app.state.diarizer = diarizer or await asyncio.to_thread(load_diarizer, settings)
            app.state.transcriber = transcriber or await asyncio.to_thread(Transcriber, settings)
        except Exception as e:
            # One readable line before uvicorn's traceback; `serve` then exits with code 3.
            log.error("model not loaded: %s", e)
            raise
        app.state.packer = RequestPacker(app.state.transcriber, settings.pack_requests)
        # One line per start: a metric filter counts cold starts and their load time from it.
        log.info("ready", extra={"load_seconds": round(time.perf_counter() - loading, 3)})
        yield
        app.state.jobs.shutdown()
        if app.state.diarizer is not None and app.state.diarizer is not diarizer:
            app.state.diarizer.close()  # the child process the lifespan started

    # redirect_slashes=False: `/ping/` and `/invocations/` are unknown paths (the JSON 404), not a 307 whose
    # Location is built from the client's Host header.
    app = FastAPI(
        title="whisper-server",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    app.state.transcriber = None
    app.state.diarizer = None

    def begin_shutdown() -> None:
        """Stops taking work: waiting requests get a retryable 503 now, the running one after
        WHISPER_SHUTDOWN_GRACE_SECONDS unless it finishes first. Must run on the event loop."""
        jobs: JobQueue | None = getattr(app.state, "jobs", None)
        if jobs is None:
            return
        refused = jobs.close()
        log.warning(
            "shutting down: refusing new requests",
            extra={"waiting_refused": refused, "grace_seconds": settings.shutdown_grace_seconds},
        )

        def give_up_on_running() -> None:
            if jobs.answer_running():
                log.warning("shutting down: the running request got 503, its result will be discarded")

        asyncio.get_running_loop().call_later(settings.shutdown_grace_seconds, give_up_on_running)

    app.state.begin_shutdown = begin_shutdown

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> Response:
        """Routing errors (unknown path 404, wrong method 405) in the same JSON shape as ours."""
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = {
            404: "no such path; the server answers GET /ping and POST /invocations",
            405: "method not allowed here; the server answers GET /ping and POST /invocations",
        }.get(error.status_code, str(error.detail))
        return JSONResponse(
            {"error": codes.get(error.status_code, "http_error"), "message": message},
            status_code=error.status_code,
            headers=error.headers,
        )

    @app.api_route("/ping", methods=["GET", "HEAD"])
    async def ping() -> Response:
        """200 once the model is loaded; never waits for inference."""
        if app.state.transcriber is None:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.post("/invocations")
    async def invocations(request: Request) -> Response:
        request_id = _request_id(request)
        started = time.perf_counter()
        record: dict[str, Any] = {"request_id": request_id}
        try:
            response = await _invoke(
                request,
                app.state.transcriber,
                app.state.diarizer,
                app.state.jobs,
                app.state.packer,
                settings,
                record,
            )
            record.update(status=200, outcome="ok")
        except RequestError as e:
            response = JSONResponse(e.body(), status_code=e.status)
            record.update(status=e.status, outcome=e.code, detail=e.message)
        except ClientGone:
            # Not a server fault: nobody is there to answer. Work that had not started was dropped.
            response = Response(status_code=CLIENT_GONE_STATUS)
            record.update(status=CLIENT_GONE_STATUS, outcome="client_disconnected")
        except Exception:
            log.exception("invocation failed", extra={"request_id": request_id})
            response = JSONResponse(
                {
                    "error": "internal_error",
                    "message": "transcription failed unexpectedly; the server logged it as request "
                    + request_id,
                },
                status_code=500,
            )
            record.update(status=500, outcome="internal_error")
        record["total_seconds"] = round(time.perf_counter() - started, 3)
        response.headers["X-Request-Id"] = request_id
        if "bytes" not in record:
            # Answered before the body was read (a full queue, a bad option): closing the connection stops an
            # upload that would otherwise go on, only for uvicorn to discard it.
            response.headers["Connection"] = "close"
        log.info("invocation", extra=record)
        return response

    return app


async def _invoke(
    request: Request,
    transcriber: Transcriber,
    diarizer: Diarizer | None,
    jobs: JobQueue,
    packer: RequestPacker,
    settings: Settings,
    record: dict[str, Any],
) -> Response:
    """Validates the request cheapest check first (headers, then queue room, then the body), then queues
    decode + transcription as one job. Without speaker labels that job may transcribe it together with
    other waiting requests (packing.py)."""
    media_type = formats.negotiate(request.headers.get("accept"))
    options = parse_options(
        single_header(request.headers.getlist(OPTIONS_HEADER)),
        transcriber.supported_languages,
        transcriber.multilingual,
    )
    if options.initial_prompt or options.hotwords:
        check_prompt_budget(options, transcriber.model.hf_tokenizer)
    speakers = options.wants_speakers(settings.diarize)
    if speakers and diarizer is None:
        raise RequestError(
            400,
            "diarization_unavailable",
            "this server has no diarization models, so it cannot label speakers; package the model with "
            "package-model --diarization, or send the request without diarize",
        )
    ticket = jobs.admit()  # before a byte of the body is read: a full queue costs the client no upload
    try:
        body = await _read_body(request, settings, ticket)
        record["bytes"] = len(body)

        queued = time.perf_counter()

        def job() -> tuple[Transcription, float, float]:
            job_started = time.perf_counter()
            audio = decode(body, settings.max_audio_seconds)
            assert diarizer is not None
            result, diarization_seconds = transcribe_with_speakers(
                lambda opts: transcriber.transcribe(audio, opts),
                diarizer,
                audio,
                options,
            )
            record["diarization_seconds"] = round(diarization_seconds, 3)
            if result.speaker_count is not None:
                record["speakers_found"] = result.speaker_count.found
            return result, job_started - queued, time.perf_counter() - job_started

        def channels_job() -> tuple[Transcription, float, float]:
            job_started = time.perf_counter()
            channels = decode_channels(body, settings.max_audio_seconds)
            record["channels"] = channels.shape[0]
            result = transcribe_by_channel(transcriber, channels, options)
            return result, job_started - queued, time.perf_counter() - job_started

        def prepare() -> TranscriptionRequest:
            return TranscriptionRequest(decode(body, settings.max_audio_seconds), options)

        # queue_seconds: the wait behind the running job (maxConcurrentInvocationsPerInstance > 1 sends more).
        # A packed request's pack_seconds is its time in its pack, and its processing_seconds its share of
        # the pack's time, so that the shares add up to the worker's busy time (the cost metrics sum them).
        if options.channels == "separate":  # one speaker per channel: its own job, never packed
            result, queue_seconds, processing_seconds = await _unless_client_leaves(
                request, ticket.run(channels_job)
            )
        elif speakers:
            result, queue_seconds, processing_seconds = await _unless_client_leaves(request, ticket.run(job))
        else:
            packed = await _unless_client_leaves(request, packer.transcribe(prepare, ticket))
            result, queue_seconds, processing_seconds = (
                packed.transcription,
                packed.queue_seconds,
                packed.share_seconds,
            )
            record.update(pack_size=packed.pack_size, pack_seconds=round(packed.pack_seconds, 3))
    finally:
        ticket.release()
    record.update(
        queue_seconds=round(queue_seconds, 3),
        audio_seconds=round(result.duration, 3),
        processing_seconds=round(processing_seconds, 3),
        x_realtime=round(result.duration / processing_seconds, 2) if processing_seconds > 0 else None,
        redecoded_chunks=result.redecodes.truncated,
        widened_chunks=result.redecodes.repeated,
        redecodes_over_budget=result.redecodes.over_budget,
    )
    if media_type == formats.JSON:
        return JSONResponse(
            formats.to_json(
                result,
                transcriber.model_name,
                processing_seconds,
                transcriber.multilingual,
                words=options.word_timestamps,
            )
        )
    if media_type == formats.RENDERINGS:
        return JSONResponse(
            formats.to_renderings(
                result, options, transcriber.model_name, processing_seconds, transcriber.multilingual
            ),
            media_type=formats.RENDERINGS,
        )
    return Response(formats.RENDERERS[media_type](result, options), media_type=f"{media_type}; charset=utf-8")


async def _read_body(request: Request, settings: Settings, ticket: Ticket) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed WHISPER_MAX_BODY_BYTES, 400 when empty,
    and 408 when it stalls (connections.BodyPace).

    Its bytes count against the ticket's share of WHISPER_MAX_BUFFERED_BYTES: all of a declared length
    before reading, or chunk by chunk when the length is not declared.
    """
    limit = settings.max_body_bytes
    too_big = RequestError(
        413,
        "payload_too_large",
        f"body is larger than {limit} bytes (WHISPER_MAX_BODY_BYTES); send a smaller file",
    )
    declared = request.headers.get("content-length", "")
    length = int(declared) if declared.isascii() and declared.isdigit() else None
    held = 0
    if length is not None:
        if length > limit:
            raise too_big
        held = length
        ticket.hold_bytes(held)
    pace = BodyPace(settings.body_timeout_seconds, settings.min_body_bytes_per_second)
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        try:
            message = await asyncio.wait_for(request.receive(), pace.seconds_left(size))
        except TimeoutError:
            raise RequestError(
                408,
                "body_timeout",
                pace.stalled(size, length) + " (WHISPER_BODY_TIMEOUT_SECONDS, "
                "WHISPER_MIN_BODY_BYTES_PER_SECOND); send it again",
            ) from None
        if message["type"] == "http.disconnect":
            raise ClientGone()
        chunk, more = message.get("body", b""), message.get("more_body", False)
        if not chunk:
            continue
        pace.arrived()
        size += len(chunk)
        if size > limit:
            raise too_big
        if size > held:
            ticket.hold_bytes(size - held)
            held = size
        chunks.append(chunk)
    if size == 0:
        raise RequestError(400, "empty_body", "the request body is empty; send the audio file as the body")
    return b"".join(chunks)


async def _unless_client_leaves(request: Request, work: Awaitable[T]) -> T:
    """Awaits `work`; if the client disconnects first, cancels it (a job still waiting is dropped) and
    raises ClientGone."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        gone.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise ClientGone()


async def _disconnected(request: Request) -> None:
    """Returns once the client has disconnected (the body must have been read already)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _request_id(request: Request) -> str:
    for header in REQUEST_ID_HEADERS:
        if value := request.headers.get(header):
            return value
    return str(uuid.uuid4())
