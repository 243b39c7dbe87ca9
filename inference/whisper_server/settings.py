"""Server configuration: one pydantic-settings class read from the environment.

Every field is an env var `WHISPER_<NAME>` except the three that the container contract fixes
(`MODEL_DIR`, `HOST`, `PORT`). Per-device defaults (compute type, batch size) are resolved
once the device is known, in `resolve_*`, so an explicit env var always wins. The per-device defaults of
chunking (chunk and window seconds) say where they were measured: docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Device = Literal["cuda", "cpu"]

# Chosen from `npm run bench` (inference/bench/bench_transcribe.py); see docs/performance.md.
# CUDA: 16 VAD chunks per batch keep the GPU busy. CPU (2 cores): batch size hardly matters (8 and 16
# time the same), 8 holds less memory.
DEFAULT_COMPUTE_TYPE: dict[Device, str] = {"cuda": "float16", "cpu": "int8"}
DEFAULT_BATCH_SIZE: dict[Device, int] = {"cuda": 16, "cpu": 8}
# A default holds only where it was measured (docs/performance.md, "Defaults per device", which a test holds
# these to). CPU: 15 s chunks in 15 s windows, measured with tiny.en and Whisper base on this project's CPU
# benchmarks (half the time of 30 s at the sequential path's WER in English). CUDA (production: large-v3 or
# turbo in float16): no GPU measurement of shorter chunks or windows exists, so faster-whisper's own
# batched settings apply there: speech merged into chunks of up to 30 s, each in a 30 s window, the input
# the model was trained on. The shorter ones stay a stack setting (chunkSeconds, minWindowSeconds).
DEFAULT_CHUNK_SECONDS: dict[Device, int] = {"cuda": 30, "cpu": 15}
DEFAULT_MIN_WINDOW_SECONDS: dict[Device, int] = {"cuda": 30, "cpu": 15}
# CPU: chunks of up to 6.5 s in 10 s windows (windows.SHORT_WINDOW_MARGIN_SECONDS), measured with tiny.en on
# recorded English prompts (development set) and the 158 benchmark clips. CUDA: its floor, i.e. none.
DEFAULT_SHORT_WINDOW_SECONDS: dict[Device, int] = {"cuda": 30, "cpu": 10}
# CPU: two batches at once on two one-thread replicas of the model, measured with tiny.en on the 2-core VM
# (ahead.py; docs/performance.md). CUDA: one (one job on the GPU at a time; not measured there).
DEFAULT_PARALLEL_BATCHES: dict[Device, int] = {"cuda": 1, "cpu": 2}


class Settings(BaseSettings):
    """Everything the server reads from its environment. Invalid values stop the server at start."""

    model_config = SettingsConfigDict(
        env_prefix="WHISPER_", use_attribute_docstrings=True, extra="ignore", populate_by_name=True
    )

    model_dir: str = Field(default="/opt/ml/model", validation_alias=AliasChoices("MODEL_DIR", "model_dir"))
    """Directory of the CTranslate2 Whisper model (env `MODEL_DIR`). Default `/opt/ml/model`, where
    SageMaker mounts the model data."""

    host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("HOST", "host"))
    """Address to listen on (env `HOST`). Default `0.0.0.0` as SageMaker requires; use `127.0.0.1` locally."""

    port: int = Field(default=8080, ge=1, le=65535, validation_alias=AliasChoices("PORT", "port"))
    """TCP port (env `PORT`). Default 8080, the port SageMaker sends requests to."""

    device: Literal["auto", "cuda", "cpu"] = "auto"
    """Where the model runs. Default `auto`: CUDA when a GPU is visible, else CPU."""

    compute_type: str | None = None
    """CTranslate2 compute type (e.g. float16, int8_float16, int8, float32). Default: float16 on CUDA,
    int8 on CPU."""

    cpu_threads: int = Field(default=0, ge=0)
    """Threads of each CTranslate2 replica of the model on CPU (WHISPER_PARALLEL_BATCHES replicas). Default
    0: the cores the process may use, shared out among the replicas (at least one each)."""

    parallel_batches: int | None = Field(default=None, ge=1, le=16)
    """Batches decoded at once (batched path), each on its own replica of the model (faster-whisper's
    `num_workers`): the next batches' encoder, decoder and word alignment run while the chunks of the one
    before are checked, with the same results as one at a time. Default 2 on CPU (at most the cores
    the process may use; on 2 cores beam search hardly uses a second thread inside one call, and two
    one-thread calls side by side took 0.6 of the time of two two-thread calls in turn), 1 on CUDA (one
    model in GPU memory; not measured there) and with WHISPER_BATCHED=false."""

    batched: bool = True
    """Use faster-whisper's BatchedInferencePipeline (VAD chunks decoded in parallel). Default true;
    false falls back to sequential `WhisperModel.transcribe`."""

    batch_size: int | None = Field(default=None, ge=1, le=128)
    """VAD chunks decoded together by the batched pipeline. Default 16 on CUDA, 8 on CPU."""

    beam_size: int = Field(default=5, ge=1, le=20)
    """Beam search width. Default 5: on CPU greedy (1) was only ~10% faster and misheard short clips
    (WER 0.20 against 0.05 on the speech fixtures)."""

    vad: bool = True
    """Skip non-speech with the Silero VAD. Default true; it is also what keeps silence from
    producing invented text."""

    chunk_seconds: int | None = Field(default=None, ge=5, le=30)
    """Longest stretch of speech decoded in one window (batched path): VAD regions are merged into
    chunks up to this long, never across a pause of more than 3 s (with VAD off the audio is cut into
    windows of up to 30 s that end in the VAD's silences). Default 30 on CUDA (faster-whisper's batched
    setting: shorter chunks were not measured on a GPU model), 15 on CPU (two 15 s encoder passes cost
    half of one 30 s pass at the sequential path's WER on the English benchmark: 0.015; 20 s: 0.017)."""

    min_window_seconds: int | None = Field(default=None, ge=1, le=30)
    """Smallest encoder window (batched path). Each chunk is encoded in a window sized to it (rounded
    up to 5 s steps) but never shorter than this (a chunk that leaves room in WHISPER_SHORT_WINDOW_SECONDS
    goes in that one); 30 gives Whisper's fixed 30 s windows. Default 30 on
    CUDA (the window the model was trained on; shorter ones were not measured on a GPU model), 15 on CPU:
    the fastest floor at the sequential path's WER on the 158 English benchmark clips (70 errors in 2284
    words against 71; 10 s windows made 90, mostly a last sentence said twice when speech filled the
    window, 74 once such chunks are decoded again; 20 s 69, 30 s 69, each slower)."""

    short_window_seconds: int | None = Field(default=None, ge=5, le=30)
    """Encoder window for chunks that leave room in one shorter than WHISPER_MIN_WINDOW_SECONDS (batched
    path): a chunk at least 3.5 s shorter than this is encoded in a window of this size (10 s: chunks of up
    to 6.5 s); other chunks keep the floor. Must not be above WHISPER_MIN_WINDOW_SECONDS (equal: no short
    window). Default 10 on CPU (on recorded English prompts as accurate as the 15 s floor, and the short
    benchmark clips about a fifth faster; the floor's repeated sentences came when speech filled a 10 s
    window), 30 on CUDA (none: not measured on a GPU model). Setting WHISPER_MIN_WINDOW_SECONDS without
    this one uses no short window, so that a floor you set holds for every chunk."""

    no_speech_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    """A segment whose no-speech probability is above this and whose average log probability is below
    -1 is dropped as invented. Default 0.6 (faster-whisper's)."""

    max_redecode_share: float = Field(default=0.25, ge=0.0, le=1.0)
    """Most chunks of one request decoded a second time without gain by the checks for dropped and repeated
    speech (batched path), as a share of its chunks, rounded up; the likeliest are decoded first, a
    re-decode that got words back (or stopped a repeat) gives its place back, and the log line counts the
    rest as `redecodes_over_budget` (the JSON lists them as `unchecked`). It bounds how much audio that
    fools the checks can multiply a request's time. Default 0.25 (complete speech trips a check on a few
    percent of chunks); 0 turns both checks off."""

    pack_requests: int = Field(default=8, ge=1, le=64)
    """Most waiting requests transcribed together (batched path): their chunks share encoder and
    decoder batches, with the same results as one by one. Default 8; 1 turns packing off."""

    max_queue: int = Field(default=16, ge=1)
    """Requests allowed to wait behind the one running; more get 503. Default 16. Keep it at least
    the endpoint's max concurrent invocations per instance."""

    max_audio_seconds: float = Field(default=4 * 3600, gt=0)
    """Longest audio accepted, in seconds of decoded audio; longer gets 413. Default 14400 (4 h)."""

    max_body_bytes: int = Field(default=1024**3, ge=1)
    """Largest request body accepted, in bytes; bigger gets 413. Default 1 GiB, SageMaker's async
    payload limit."""

    max_buffered_bytes: int = Field(default=2 * 1024**3, ge=1)
    """Request bodies held in memory at once (uploading, waiting and running), in bytes; a request that
    would go beyond gets a retryable 503 before its body is read (or as soon as an undeclared length
    passes it). Default 2 GiB. Must be at least WHISPER_MAX_BODY_BYTES."""

    max_connections: int = Field(default=64, ge=2)
    """Open client connections kept at once. A new connection beyond it closes the longest-idle one
    (or is itself closed when none is idle), so idle sockets can neither exhaust file descriptors nor
    lock out /ping. Default 64: SageMaker opens a handful. It is further capped by the open-file limit."""

    idle_timeout_seconds: int = Field(default=5, ge=1, le=60)
    """Seconds a connection may sit idle (before its first request or between requests) before the
    server closes it. Default 5 (uvicorn's keep-alive default)."""

    body_timeout_seconds: int = Field(default=10, ge=1, le=300)
    """Longest pause in a request body that is still arriving (no byte for this long), and the grace
    before WHISPER_MIN_BODY_BYTES_PER_SECOND applies; then the request gets a retryable 408
    `body_timeout`, its connection is closed and its place in the queue and its bytes are freed. Default
    10."""

    min_body_bytes_per_second: int = Field(default=256 * 1024, ge=0)
    """Slowest average rate a body may arrive at, from its start, once WHISPER_BODY_TIMEOUT_SECONDS have
    passed; slower gets 408 `body_timeout`. Default 262144 (256 KiB/s, 2 Mbit/s: a 1 GiB body may take
    68 minutes, a 10 MB file 50 s); 0 bounds only the pauses."""

    min_body_chunk_bytes: int = Field(default=256, ge=0, le=65536)
    """Smallest average size, in bytes, of the pieces a request body arrives in (HTTP chunks, or the reads of
    a body of declared length), once it has come in more than 1024 of them; smaller gets 400
    `body_chunks_too_small` and the connection is closed. Every piece costs the event loop the same work, so
    bodies in 1-byte chunks from two or three clients delayed /ping by 4 s. Default 256 (real uploads come in
    pieces of kilobytes: TCP segments, 8-64 KB chunks); 0: no floor."""

    shutdown_grace_seconds: int = Field(default=20, ge=0, le=25)
    """After SIGTERM, seconds the running job may still finish before its client gets a retryable 503
    and the server exits. Waiting requests get their 503 at once. Default 20: SageMaker kills the
    container 30 s after SIGTERM."""

    model_name: str | None = None
    """Label echoed as `model` in JSON output (e.g. `Systran/faster-whisper-large-v3@edaa852ec7e1`, what the
    stack sets). Default: the Whisper size read from the model's weights, e.g. `whisper-tiny.en`."""

    log_level: Literal["debug", "info", "warning", "error"] = "info"
    """Log level of the server's JSON logs. Default `info`."""

    # Speaker labels (diarizer.py); defaults chosen with inference/bench/bench_diarization.py.
    diarize: bool = False
    """Label speakers when a request does not say (its `diarize` option). Default false. True needs the
    diarization models in the model artifact, or the server does not start."""

    diarization_dir: str | None = None
    """Directory of the diarization models (segmentation.onnx, embedding.onnx). Default
    `<MODEL_DIR>/diarization`, where package-model uploads them. Without them `diarize=true` gets 400."""

    diarization_threads: int = Field(default=0, ge=0, le=64)
    """CPU threads for each diarization model. Default 0: half the cores the process may use (one per
    physical core on g4dn/g5), at least 1, at most 4."""

    diarization_window_shift: float = Field(default=0.25, ge=0.05, le=1.0)
    """Shift between two 10 s segmentation windows, as a fraction of the window. Default 0.25 (2.5 s):
    on the fixtures as accurate as pyannote's 0.1 at 4x its speed; 0.5 is faster but found the right
    count on 79% of the development conversations instead of 88% (at the earlier threshold 0.25)."""

    diarization_threshold: float = Field(default=0.25, gt=0.0, lt=2.0)
    """Cosine distance under which two groups of speech are always one speaker when a request gives no
    speaker count (the second pass, voiceprints.py); above it, the count is the one whose groups are best
    separated (clustering.py): lower can find more speakers. Default 0.25, the best of 0.22-0.35 on the
    development conversations (inference/bench/conversations.py and real_voices.py, sets dev and real-dev
    together; tune_diarization.py): the right count on 27 of 40 of them."""

    diarization_timeout_seconds: int = Field(default=60, ge=1, le=3600)
    """Seconds the diarization process may take for a request, beyond
    WHISPER_DIARIZATION_TIMEOUT_PER_AUDIO_SECOND for each second of its audio, counted from when the request
    reaches it; past that the process is killed (the next request starts a new one) and the request gets a
    retryable 503 `diarization_failed`. Default 60."""

    diarization_timeout_per_audio_second: float = Field(default=0.5, ge=0.0, le=10.0)
    """Seconds the diarization process may take per second of audio, on top of
    WHISPER_DIARIZATION_TIMEOUT_SECONDS. Default 0.5: about seven times the 0.07 it took on 2 CPU cores (20 s
    for a 5-minute file), so only a process that stopped or hung misses it."""

    @model_validator(mode="after")
    def _compute_type_matches_device(self) -> Settings:
        _check_compute_type(self.device, self.compute_type)
        return self

    @model_validator(mode="after")
    def _short_window_under_the_floor(self) -> Settings:
        if self.short_window_seconds is not None and self.min_window_seconds is not None:
            _check_short_window(self.short_window_seconds, self.min_window_seconds)
        return self

    @model_validator(mode="after")
    def _largest_body_fits_the_buffer(self) -> Settings:
        if self.max_buffered_bytes < self.max_body_bytes:
            raise ValueError(
                f"WHISPER_MAX_BUFFERED_BYTES ({self.max_buffered_bytes}) must be at least "
                f"WHISPER_MAX_BODY_BYTES ({self.max_body_bytes}), or the largest allowed body could never fit"
            )
        return self

    def resolve_device(self, cuda_devices: int) -> Device:
        """The concrete device: `auto` becomes cuda when `cuda_devices` > 0, else cpu."""
        if self.device == "auto":
            return "cuda" if cuda_devices > 0 else "cpu"
        return self.device

    def resolve_compute_type(self, device: Device) -> str:
        """WHISPER_COMPUTE_TYPE, else the default for `device`. Raises ValueError for float16 on CPU,
        which `auto` can only find out once it knows that no GPU is visible."""
        _check_compute_type(device, self.compute_type)
        return self.compute_type or DEFAULT_COMPUTE_TYPE[device]

    def resolve_batch_size(self, device: Device) -> int:
        """WHISPER_BATCH_SIZE, else the default for `device`."""
        return self.batch_size or DEFAULT_BATCH_SIZE[device]

    def resolve_chunk_seconds(self, device: Device) -> int:
        """WHISPER_CHUNK_SECONDS, else the default for `device`."""
        return self.chunk_seconds or DEFAULT_CHUNK_SECONDS[device]

    def resolve_min_window_seconds(self, device: Device) -> int:
        """WHISPER_MIN_WINDOW_SECONDS, else the default for `device`."""
        return self.min_window_seconds or DEFAULT_MIN_WINDOW_SECONDS[device]

    def resolve_short_window_seconds(self, device: Device) -> int:
        """WHISPER_SHORT_WINDOW_SECONDS, else the floor when WHISPER_MIN_WINDOW_SECONDS was set (no short
        window), else the default for `device`. Raises ValueError when it is above the floor."""
        if self.short_window_seconds is None:
            if self.min_window_seconds is not None:
                return self.min_window_seconds
            return DEFAULT_SHORT_WINDOW_SECONDS[device]
        _check_short_window(self.short_window_seconds, self.resolve_min_window_seconds(device))
        return self.short_window_seconds

    def resolve_parallel_batches(self, device: Device, cores: int) -> int:
        """WHISPER_PARALLEL_BATCHES, else the default for `device`, on CPU at most `cores`; 1 for the
        sequential path (WHISPER_BATCHED=false), which decodes one window after another."""
        if self.parallel_batches is not None:
            return self.parallel_batches
        if not self.batched:
            return 1
        default = DEFAULT_PARALLEL_BATCHES[device]
        return max(1, min(default, cores)) if device == "cpu" else default

    def resolve_cpu_threads(self, parallel_batches: int, cores: int) -> int:
        """WHISPER_CPU_THREADS, else `cores` shared out among `parallel_batches` replicas, at least 1."""
        return self.cpu_threads or max(1, cores // parallel_batches)

    def resolve_diarization_dir(self) -> Path:
        """WHISPER_DIARIZATION_DIR, else `diarization` inside MODEL_DIR."""
        return Path(self.diarization_dir) if self.diarization_dir else Path(self.model_dir) / "diarization"


def _check_short_window(short_seconds: int, min_seconds: int) -> None:
    if short_seconds > min_seconds:
        raise ValueError(
            f"WHISPER_SHORT_WINDOW_SECONDS ({short_seconds}) must not be above WHISPER_MIN_WINDOW_SECONDS "
            f"({min_seconds}): it is the window for chunks that leave room in one shorter than the floor"
        )


def _check_compute_type(device: str, compute_type: str | None) -> None:
    """float16 needs a GPU; `device` may still be `auto`, which only `resolve_device` settles."""
    if device == "cpu" and compute_type == "float16":
        raise ValueError(
            "WHISPER_COMPUTE_TYPE=float16 needs a GPU (WHISPER_DEVICE=cuda, or auto with one visible); "
            "on CPU use int8 or float32"
        )


def _env_name(field: str) -> str:
    """The environment variable a Settings field is read from: `beam_size` -> `WHISPER_BEAM_SIZE`."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"{Settings.model_config['env_prefix']}{field.upper()}"


ENV_NAMES: dict[str, str] = {field: _env_name(field) for field in Settings.model_fields}
"""Each setting's environment variable, by field name."""


def configuration_errors(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming its environment variable: `WHISPER_BEAM_SIZE: ...`."""
    # Errors are located by field name, or by alias for the aliased fields (MODEL_DIR, HOST, PORT).
    names = {**ENV_NAMES, **{name: name for name in ENV_NAMES.values()}}
    lines = []
    for item in error.errors():
        where = str(item["loc"][0]) if item["loc"] else ""
        lines.append(f"{names.get(where, 'settings')}: {item['msg']}")
    return lines


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """`WHISPER_*` variables that name no setting (a typo would otherwise be silently ignored)."""
    prefix = Settings.model_config["env_prefix"]
    known = set(ENV_NAMES.values())
    return sorted(name for name in environ if name.upper().startswith(prefix) and name.upper() not in known)
