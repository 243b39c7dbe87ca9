"""Shared fixtures: the real tiny.en model on CPU, the multilingual base model, the audio fixtures, and
app clients, each made once per pytest session.

The fast path is the default: a test that needs a model takes `transcriber` (tiny.en) or
`multilingual_transcriber` (Whisper base), or `transcriber_for(model_dir, **settings)` for other server
settings; each distinct model and settings is loaded once for the whole session, whichever module asks
first. A test that needs an app takes `client`, `multilingual_client`, `speaker_client` or
`make_client(**settings)` (the loaded model, other settings). A test that only reads a transcript takes
`shared_decode` (one decode per request for the session), and a diarization test that clusters a fixture
several ways takes `analysed_fixtures` (one analysis per recording). A test that starts real `serve` processes
(serving.py) or times the server under load is marked `slow` (`pytestmark = pytest.mark.slow`): `npm test`
runs those in a lane with priority over the others, and `pytest -m "not slow"` is the quick loop.
`--durations=10` lists the slowest tests."""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import sys
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from serving import Server, running_serve

from whisper_server import formats, local_models
from whisper_server.app import create_app
from whisper_server.audio import decode
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

# The WER helper lives with the benchmark, which uses it too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

OPTIONS_HEADER = "X-Amzn-SageMaker-Custom-Attributes"
AUDIO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "audio"
SPEECH_FORMATS = ("wav", "mp3", "m4a", "ogg", "flac", "webm", "mp4")


@pytest.fixture(scope="session")
def model_dir() -> str:
    """tiny.en, the fastest English model: the model of the tests that need English only."""
    return str(local_models.english_model_dir())


@pytest.fixture(scope="session")
def multilingual_model_dir() -> str:
    """OpenAI Whisper base (multilingual), joined from its two PyPI wheels and checked by the same code as
    local runs use (whisper_server.local_models), into the same cache."""
    return str(local_models.multilingual_model_dir())


@pytest.fixture(scope="session")
def transcripts() -> dict[str, str]:
    return json.loads((AUDIO_DIR / "transcripts.json").read_text())


@pytest.fixture(scope="session")
def audio_bytes() -> Callable[[str], bytes]:
    """Reads a fixture by its name in transcripts.json, e.g. `speech.ogg` or `meeting/part01.ogg`."""
    return lambda name: (AUDIO_DIR / name).read_bytes()


def pytest_configure(config: pytest.Config) -> None:
    # Registered here rather than in inference/pyproject.toml: a change there rebuilds every checkout's .venv.
    config.addinivalue_line(
        "markers",
        "slow: starts real `serve` processes or times the server under load; `npm test` runs these first",
    )


def cpu_settings(model_dir: str, **overrides: Any) -> Settings:
    """Settings as the tests run them: CPU, int8, defaults otherwise; env vars of the caller ignored."""
    return Settings(model_dir=model_dir, device="cpu", compute_type="int8", **overrides)


@pytest.fixture(scope="session")
def transcriber_for() -> Callable[..., Transcriber]:
    """`transcriber_for(model_dir, **settings)`: a Transcriber with those settings (CPU, int8), loaded the
    first time a test asks for them and shared by every later test of the session. Tests must not change
    it, and read its counters (`chunked.redecoded_chunks`) as differences."""
    loaded: dict[tuple[str, tuple[tuple[str, Any], ...]], Transcriber] = {}

    def load(model_dir: str, **overrides: Any) -> Transcriber:
        key = (model_dir, tuple(sorted(overrides.items())))
        if key not in loaded:
            loaded[key] = Transcriber(cpu_settings(model_dir, **overrides))
        return loaded[key]

    return load


@pytest.fixture(scope="session")
def transcriber(model_dir: str, transcriber_for: Callable[..., Transcriber]) -> Transcriber:
    """tiny.en with the default settings, loaded once for the session (about a second)."""
    return transcriber_for(model_dir)


@pytest.fixture(scope="session")
def multilingual_transcriber(
    multilingual_model_dir: str, transcriber_for: Callable[..., Transcriber]
) -> Transcriber:
    """Whisper base (multilingual) with the default settings, loaded once for the session."""
    return transcriber_for(multilingual_model_dir)


@pytest.fixture(scope="session")
def client(model_dir: str, transcriber: Transcriber) -> Iterator[TestClient]:
    """A client of an app with default settings."""
    with TestClient(create_app(cpu_settings(model_dir), transcriber=transcriber)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def multilingual_client(
    multilingual_model_dir: str, multilingual_transcriber: Transcriber
) -> Iterator[TestClient]:
    """A client of an app with default settings serving Whisper base."""
    app = create_app(cpu_settings(multilingual_model_dir), transcriber=multilingual_transcriber)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_client(model_dir: str, transcriber: Transcriber) -> Iterator[Callable[..., TestClient]]:
    """Builds a client of an app with some settings overridden, sharing the loaded model."""
    clients: list[TestClient] = []

    def make(transcriber_override: Any = None, **overrides: Any) -> TestClient:
        app = create_app(
            cpu_settings(model_dir, **overrides), transcriber=transcriber_override or transcriber
        )
        test_client = TestClient(app)
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)


class SharedDecodes:
    """Every format of one request's transcript in one response (Accept: application/vnd.whisper.renderings+
    json; test_renderings.py checks that each rendering is what a request for that format alone gets), asked
    of the server once per session for each (client, audio, options): tests that only read a transcript
    share the decode ("txt" is what a `text/plain` request gets: every format comes from one decode with its
    words timed). A test that checks how a request is answered (status, headers, timing, counters, a changed
    server) posts its own."""

    def __init__(self) -> None:
        self._answers: dict[tuple[TestClient, str, str | None], dict[str, Any]] = {}

    def __call__(self, client: TestClient, body: bytes, options: str | None = None) -> dict[str, Any]:
        """{"json": the JSON body, "txt": ..., "srt": ..., "vtt": ...} of `body` posted to `client` (a session
        client) with `options` (the custom-attributes header); a fresh copy for each caller."""
        key = (client, hashlib.sha256(body).hexdigest(), options)
        if key not in self._answers:
            headers = {"Accept": formats.RENDERINGS, **({OPTIONS_HEADER: options} if options else {})}
            response = client.post("/invocations", content=body, headers=headers)
            assert response.status_code == 200, response.text
            self._answers[key] = response.json()
        return copy.deepcopy(self._answers[key])


@pytest.fixture(scope="session")
def shared_decode() -> SharedDecodes:
    """`shared_decode(client, body, options)`: every rendering of that request, decoded once per session."""
    return SharedDecodes()


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    """16-bit mono WAV of float samples in [-1, 1], built in memory."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


@pytest.fixture(scope="session")
def default_server(model_dir: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real `serve` command with default settings (tiny.en on CPU), one for the session: each start
    costs a process that imports the server and loads the model. Tests that need other settings, or that
    stop or time it, start their own (`running_serve`, in modules marked `slow`)."""
    with running_serve(
        model_dir, tmp_path_factory.mktemp("serve"), {"WHISPER_MODEL_NAME": "tiny.en"}
    ) as server:
        yield server


DIARIZATION_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "diarization"


@pytest.fixture(scope="session")
def diarization_references() -> dict[str, Any]:
    """Reference turns of the multi-speaker fixtures, by file name (fixtures/diarization/references.json)."""
    return json.loads((DIARIZATION_DIR / "references.json").read_text())


@pytest.fixture(scope="session")
def diarizer() -> Iterator[Any]:
    """The committed diarization models (pyannote segmentation-3.0 + CAM++, ONNX), loaded once in the
    child process the server uses (diarization_process.py)."""
    from whisper_server.diarizer import load_diarizer

    loaded = load_diarizer(cpu_settings("unused", diarization_dir=str(DIARIZATION_DIR / "models")))
    assert loaded is not None
    yield loaded
    loaded.close()


@functools.cache
def two_voices_briefly() -> np.ndarray:
    """The first 10 s of fixtures/diarization/two_speakers.flac, one turn of each voice (slt 0.4-4.6 s, rms
    5.0-9.7 s): diarized as two speakers for a sixth of the whole file's CPU (0.3 against 1.8 s), which is
    all a test needs to see that a (new) diarization child works."""
    audio = decode((DIARIZATION_DIR / "two_speakers.flac").read_bytes(), max_seconds=3600)
    return audio[: 10 * 16000]


class AnalysedFixtures:
    """The server's diarizer, in this process, with each multi-speaker fixture segmented and embedded once
    per session (`Diarizer.analyse`, the costly part); `turns(name, **asked)` clusters that analysis as
    `Diarizer.diarize(audio, **asked)` does (which is `turns(analyse(audio), ...)`), so the tests that ask
    one recording for several speaker counts pay for one analysis. test_diarization_process.py checks
    that the child process the server uses gives the same turns as this process."""

    def __init__(self, diarizer: Any) -> None:
        self.diarizer = diarizer
        self._analyses: dict[str, Any] = {}

    def analysis(self, name: str) -> Any:
        """The analysis of fixtures/diarization/`name`, made the first time it is asked for."""
        if name not in self._analyses:
            audio = decode((DIARIZATION_DIR / name).read_bytes(), max_seconds=3600)
            self._analyses[name] = self.diarizer.analyse(audio)
        return self._analyses[name]

    def turns(self, name: str, **asked: int) -> list[Any]:
        """Speaker turns of fixtures/diarization/`name` with `speakers`/`min_speakers`/`max_speakers`."""
        return list(self.diarizer.turns(self.analysis(name), **asked))


@pytest.fixture(scope="session")
def analysed_fixtures(diarizer: Any) -> AnalysedFixtures:
    """`AnalysedFixtures` with the configuration of the `diarizer` fixture (the server's defaults)."""
    from whisper_server.diarizer import Diarizer

    return AnalysedFixtures(Diarizer(diarizer.config))


@pytest.fixture(scope="session")
def speaker_client(model_dir: str, transcriber: Transcriber, diarizer: Any) -> Iterator[TestClient]:
    """A client of an app that has the diarization models (speaker labels on request)."""
    app = create_app(cpu_settings(model_dir), transcriber=transcriber, diarizer=diarizer)
    with TestClient(app) as test_client:
        yield test_client
