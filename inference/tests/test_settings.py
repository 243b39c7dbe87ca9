"""Configuration from the environment, and `serve` refusing a bad one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from whisper_server.serve import main
from whisper_server.settings import Settings, configuration_errors, unknown_variables


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODEL_DIR", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_follow_the_container_contract() -> None:
    settings = Settings()
    assert (settings.model_dir, settings.host, settings.port) == ("/opt/ml/model", "0.0.0.0", 8080)
    assert settings.device == "auto"
    assert settings.batched is True
    assert settings.vad is True
    assert settings.max_queue >= 8


def test_reads_contract_and_whisper_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_DIR", "/models/tiny")
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("WHISPER_DEVICE", "cpu")
    monkeypatch.setenv("WHISPER_BATCHED", "false")
    monkeypatch.setenv("WHISPER_MAX_QUEUE", "3")
    monkeypatch.setenv("WHISPER_MODEL_NAME", "large-v3")
    settings = Settings()
    assert (settings.model_dir, settings.host, settings.port) == ("/models/tiny", "127.0.0.1", 9000)
    assert (settings.device, settings.batched, settings.max_queue, settings.model_name) == (
        "cpu",
        False,
        3,
        "large-v3",
    )


def test_per_device_defaults_and_explicit_values() -> None:
    settings = Settings()
    assert settings.resolve_device(cuda_devices=1) == "cuda"
    assert settings.resolve_device(cuda_devices=0) == "cpu"
    assert settings.resolve_compute_type("cuda") == "float16"
    assert settings.resolve_compute_type("cpu") == "int8"
    assert settings.resolve_batch_size("cuda") == 16
    explicit = Settings(device="cpu", compute_type="float32", batch_size=2)
    assert explicit.resolve_device(cuda_devices=4) == "cpu"
    assert explicit.resolve_compute_type("cpu") == "float32"
    assert explicit.resolve_batch_size("cpu") == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WHISPER_DEVICE", "tpu"),
        ("WHISPER_MAX_QUEUE", "0"),
        ("WHISPER_BEAM_SIZE", "0"),
        ("WHISPER_BATCH_SIZE", "many"),
        ("WHISPER_MAX_AUDIO_SECONDS", "-1"),
        ("PORT", "70000"),
    ],
)
def test_invalid_values_are_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    field = name.removeprefix("WHISPER_").lower()
    assert field in str(raised.value).lower()


def test_errors_name_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHISPER_BEAM_SIZE", "0")
    monkeypatch.setenv("PORT", "http")
    with pytest.raises(ValidationError) as raised:
        Settings()
    lines = configuration_errors(raised.value)
    assert len(lines) == 2
    assert lines[0].startswith("PORT: ")
    assert lines[1].startswith("WHISPER_BEAM_SIZE: ") and "greater than or equal to 1" in lines[1]


def test_float16_on_cpu_is_refused() -> None:
    with pytest.raises(ValidationError, match="WHISPER_COMPUTE_TYPE=float16"):
        Settings(device="cpu", compute_type="float16")


def test_float16_is_refused_when_auto_finds_no_gpu() -> None:
    settings = Settings(device="auto", compute_type="float16")
    assert settings.resolve_compute_type(settings.resolve_device(cuda_devices=1)) == "float16"
    with pytest.raises(ValueError, match="WHISPER_COMPUTE_TYPE=float16 needs a GPU"):
        settings.resolve_compute_type(settings.resolve_device(cuda_devices=0))


def test_unknown_whisper_variables_are_found() -> None:
    environ = {
        "WHISPER_BEAMSIZE": "1",
        "whisper_vad": "false",
        "WHISPER_VAD": "true",
        "PORT": "1",
        "HOME": "/",
    }
    assert unknown_variables(environ) == ["WHISPER_BEAMSIZE"]


def test_serve_exits_2_on_bad_configuration(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WHISPER_MAX_QUEUE", "0")
    assert main(["serve"]) == 2
    assert "WHISPER_MAX_QUEUE: Input should be greater than or equal to 1" in capsys.readouterr().err


def test_serve_fails_at_start_without_a_model(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MODEL_DIR": str(tmp_path),
        "HOST": "127.0.0.1",
        "PORT": "1",
        "WHISPER_DEVICE": "cpu",
    }
    serve = Path(sys.executable).parent / "serve"
    finished = subprocess.run([str(serve)], env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 3, "uvicorn's exit code when the application fails to start"
    assert f'"message": "model not loaded: MODEL_DIR={tmp_path} holds no model.bin' in finished.stdout
