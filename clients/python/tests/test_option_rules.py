"""The option rules of the Python client on the cases the TypeScript client is tested on too
(clients/option-cases.json, tests/client/option-rules.test.ts): one set of rules from the packaged contract,
the same CustomAttributes string, the same refusals before any upload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from whisper_async_client import OptionError, WhisperAsyncClient
from whisper_async_client.options import custom_attributes

CASES = json.loads((Path(__file__).resolve().parents[2] / "option-cases.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["accepted"], ids=lambda case: json.dumps(case["options"]))
def test_accepts(case: dict[str, Any]) -> None:
    assert custom_attributes(case["options"]) == case["attributes"]


@pytest.mark.parametrize("case", CASES["refused"], ids=lambda case: json.dumps(case["options"]))
def test_refuses(case: dict[str, Any]) -> None:
    with pytest.raises(OptionError, match=case["error"]):
        custom_attributes(case["options"])


@pytest.mark.parametrize(
    ("environment", "region"),
    [
        ({"AWS_REGION": "eu-west-1"}, "eu-west-1"),
        ({"AWS_DEFAULT_REGION": "ap-south-1"}, "ap-south-1"),
        ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "ap-south-1"}, "eu-west-1"),
    ],
)
def test_the_region_comes_from_aws_region_as_in_the_other_sdks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, environment: dict[str, str], region: str
) -> None:
    # No config file or profile may name a region here: only the environment.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = WhisperAsyncClient("ep", "bucket")
    assert (client._s3.meta.region_name, client._runtime.meta.region_name) == (region, region)
