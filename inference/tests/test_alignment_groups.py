"""Word alignment never spans requests; on CPU each chunk is aligned alone (windows.alignment_groups)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from conftest import AUDIO_DIR

from whisper_server import windows
from whisper_server.audio import decode
from whisper_server.chunked import Request
from whisper_server.options import TranscribeOptions
from whisper_server.transcriber import Transcriber


@pytest.mark.parametrize(
    ("device", "owners", "expected"),
    [
        ("cpu", [7, 7, 9], [[0], [1], [2]]),
        ("cuda", [7, 7, 9], [[0, 1], [2]]),
        ("cuda", [7, 9, 9, 9], [[0], [1, 2, 3]]),
        ("cuda", [], []),
    ],
)
def test_alignment_groups(device: str, owners: list[int], expected: list[list[int]]) -> None:
    assert windows.alignment_groups(device, owners) == expected


def test_on_cpu_each_chunk_of_a_request_is_aligned_alone(
    transcriber: Transcriber, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = [
        decode((AUDIO_DIR / "meeting" / f"part0{n}.ogg").read_bytes(), max_seconds=60) for n in (1, 2, 3)
    ]
    audio = np.concatenate(parts)  # about 40 s of speech: chunks of one request in one decoder batch
    find_alignment = transcriber.model.find_alignment
    sizes: list[int] = []

    def counted(tokenizer: Any, text_tokens: list[list[int]], *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(text_tokens))
        return find_alignment(tokenizer, text_tokens, *args, **kwargs)

    monkeypatch.setattr(transcriber.model, "find_alignment", counted)
    (result,) = transcriber.transcribe_many([Request(audio, TranscribeOptions())])
    assert not isinstance(result, Exception)
    assert len(sizes) >= 2 and set(sizes) == {1}, sizes
    words = [word for segment in result.segments for word in segment.words or ()]
    assert words and all(a.start <= b.start for a, b in itertools.pairwise(words))
