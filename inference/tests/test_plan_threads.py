"""Requests decoded together are planned (VAD, log-mel features) two at a time, each with its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from conftest import cpu_settings

from whisper_server import chunked
from whisper_server.audio import decode
from whisper_server.chunked import Plan, Request
from whisper_server.options import TranscribeOptions
from whisper_server.transcriber import Transcriber

CLIPS = ["clips/demo-thanks.ogg", "clips/pm-invalid-option.ogg"]


@pytest.mark.skipif(chunked.PLAN_THREADS < 2, reason="one core: plans are made one at a time")
def test_two_requests_are_planned_at_once(
    model_dir: str, audio_bytes: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    transcriber = Transcriber(cpu_settings(model_dir))
    decoder = transcriber.chunked
    plan_alone = decoder._plan
    both_planning = threading.Barrier(2, timeout=10)
    threads: set[int] = set()

    def plan_beside_another(request: Request) -> Plan:
        threads.add(threading.get_ident())
        both_planning.wait()  # passes only while a second plan is being made at the same time
        return plan_alone(request)

    monkeypatch.setattr(decoder, "_plan", plan_beside_another)
    audio = [decode(audio_bytes(name), max_seconds=60) for name in CLIPS]
    results = transcriber.transcribe_many([Request(clip, TranscribeOptions()) for clip in audio])
    assert [type(result).__name__ for result in results] == ["Transcription", "Transcription"]
    assert len(threads) == 2
    assert "thank you" in results[0].text.lower() and "invalid" in results[1].text.lower()


def test_a_request_whose_plan_fails_fails_alone_in_its_place(
    model_dir: str, audio_bytes: Callable[[str], bytes]
) -> None:
    transcriber = Transcriber(cpu_settings(model_dir))
    good = decode(audio_bytes(CLIPS[0]), max_seconds=60)
    stereo = good.reshape(-1, 1).repeat(2, axis=1)  # 2-D: refused by the plan
    results = transcriber.transcribe_many(
        [
            Request(stereo, TranscribeOptions()),
            Request(good, TranscribeOptions()),
            Request(stereo, TranscribeOptions()),
        ]
    )
    assert isinstance(results[0], ValueError) and isinstance(results[2], ValueError)
    assert "thank you" in results[1].text.lower()
