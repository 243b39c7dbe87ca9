"""The HTTP app: SageMaker's container contract (GET /ping, POST /invocations)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from . import formats
from .audio import decode
from .chunked import Request as TranscriptionRequest
from .errors import RequestError
from .jobs import JobQueue
from .options import HEADER as OPTIONS_HEADER
from .options import parse_options
from .packing import RequestPacker
from .settings import Settings
from .transcriber import Transcriber

log = logging.getLogger("whisper_server")
# SageMaker sets the first on async and real-time invocations; the second is the generic AWS request id.
REQUEST_ID_HEADERS = ("x-amzn-sagemaker-inference-id", "x-amzn-requestid")


def create_app(settings: Settings | None = None, transcriber: Transcriber | None = None) -> FastAPI:
    """Builds the app. The model loads in the lifespan (once), unless a loaded `transcriber` is given."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs = JobQueue(settings.max_queue)
        loading = time.perf_counter()
        # Loading takes seconds to minutes; off the loop so the process stays responsive meanwhile.
        try:
            app.state.transcriber = transcriber or await asyncio.to_thread(Transcriber, settings)
        except Exception as e:
            # One readable line before uvicorn's traceback; `serve` then exits with code 3.
            log.error("model not loaded: %s", e)
            raise
        app.state.packer = RequestPacker(app.state.transcriber, app.state.jobs, settings.pack_requests)
        # One line per start: a metric filter counts cold starts and their load time from it.
        log.info("ready", extra={"load_seconds": round(time.perf_counter() - loading, 3)})
        yield
        await asyncio.to_thread(app.state.jobs.shutdown)

    app = FastAPI(title="whisper-server", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.transcriber = None

    @app.get("/ping")
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
            response = await _invoke(request, app.state.transcriber, app.state.packer, settings, record)
            record.update(status=200, outcome="ok")
        except RequestError as e:
            response = JSONResponse(e.body(), status_code=e.status)
            record.update(status=e.status, outcome=e.code, detail=e.message)
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
        log.info("invocation", extra=record)
        return response

    return app


async def _invoke(
    request: Request,
    transcriber: Transcriber,
    packer: RequestPacker,
    settings: Settings,
    record: dict[str, Any],
) -> Response:
    """Validates the request cheapest check first, then queues decode + transcription as one job,
    which may transcribe it together with other waiting requests (packing.py)."""
    media_type = formats.negotiate(request.headers.get("accept"))
    options = parse_options(
        request.headers.get(OPTIONS_HEADER), transcriber.supported_languages, transcriber.multilingual
    )
    body = await _read_body(request, settings.max_body_bytes)
    record["bytes"] = len(body)

    def prepare() -> TranscriptionRequest:
        audio = decode(body, settings.max_audio_seconds)
        return TranscriptionRequest(audio, options, subtitles=media_type in formats.SUBTITLES)

    # queue_seconds: the wait until the pack that took this request started (behind the running job;
    # maxConcurrentInvocationsPerInstance > 1 sends more). processing_seconds: this request's share of
    # its pack's time, so that the shares add up to the worker's busy time (the cost metrics sum them).
    packed = await packer.transcribe(prepare)
    result, queue_seconds, processing_seconds = (
        packed.transcription,
        packed.queue_seconds,
        packed.share_seconds,
    )
    record["pack_size"] = packed.pack_size
    record.update(
        queue_seconds=round(queue_seconds, 3),
        audio_seconds=round(result.duration, 3),
        processing_seconds=round(processing_seconds, 3),
        x_realtime=round(result.duration / processing_seconds, 2) if processing_seconds > 0 else None,
    )
    if media_type == formats.JSON:
        return JSONResponse(formats.to_json(result, settings.model_name, processing_seconds))
    return Response(formats.RENDERERS[media_type](result), media_type=f"{media_type}; charset=utf-8")


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit`, and 400 when empty."""
    too_big = RequestError(
        413,
        "payload_too_large",
        f"body is larger than {limit} bytes (WHISPER_MAX_BODY_BYTES); send a smaller file",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    if size == 0:
        raise RequestError(400, "empty_body", "the request body is empty; send the audio file as the body")
    return b"".join(chunks)


def _request_id(request: Request) -> str:
    for header in REQUEST_ID_HEADERS:
        if value := request.headers.get(header):
            return value
    return str(uuid.uuid4())
