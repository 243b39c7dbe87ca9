"""Right-sized encoder windows: sizes, padding, and the real encoder taking windows shorter than 30 s."""

from __future__ import annotations

from collections.abc import Callable

import ctranslate2
import numpy as np
import pytest
from wer import word_error_rate

from whisper_server import windows
from whisper_server.audio import decode
from whisper_server.options import TranscribeOptions
from whisper_server.transcriber import Transcriber


@pytest.mark.parametrize(
    ("duration", "floor", "expected"),
    [
        (0.4, 10, 10),
        (3.2, 10, 10),
        (10.0, 10, 10),
        (10.01, 10, 15),
        (14.9, 10, 15),
        (22.0, 10, 25),
        (29.99, 10, 30),
        (45.0, 10, 30),
        (3.2, 30, 30),
        (3.2, 1, 5),
        (12.0, 20, 20),
    ],
)
def test_window_is_rounded_up_to_a_step_between_the_floor_and_30_s(
    duration: float, floor: int, expected: int
) -> None:
    assert windows.window_seconds(duration, floor) == expected


@pytest.mark.parametrize(
    ("duration", "floor", "short", "expected"),
    [
        (0.4, 15, 10, 10),
        (3.2, 15, 10, 10),
        (6.5, 15, 10, 10),
        (6.51, 15, 10, 15),  # fills the short window beyond its margin: the floor
        (9.9, 15, 10, 15),
        (14.9, 15, 10, 15),
        (22.0, 15, 10, 25),
        (3.2, 15, 15, 15),  # equal to the floor: no short window
        (3.2, 15, 20, 15),  # above it: ignored
        (3.2, 30, 30, 30),
        (1.4, 30, 5, 5),
        (1.6, 30, 5, 30),
    ],
)
def test_a_chunk_that_leaves_room_in_the_short_window_is_encoded_in_it(
    duration: float, floor: int, short: int, expected: int
) -> None:
    assert windows.SHORT_WINDOW_MARGIN_SECONDS == 3.5
    assert windows.window_seconds(duration, floor, short) == expected


def test_by_default_on_cpu_a_short_chunk_is_encoded_in_a_10_s_window_and_a_fuller_one_in_15_s(
    transcriber: Transcriber, audio_bytes: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    first_windows: list[int] = []
    encode = windows.encode

    def spy(model: ctranslate2.models.Whisper, batch: list[np.ndarray]) -> np.ndarray:
        first_windows.append(batch[0].shape[-1])
        return encode(model, batch)

    monkeypatch.setattr(windows, "encode", spy)
    speech = decode(audio_bytes("speech.flac"), max_seconds=60)
    for seconds in (4, 9):  # VAD off: the chunk is all of it (a check's re-decode may encode again)
        first_windows.clear()
        transcriber.transcribe(speech[: seconds * 16000], TranscribeOptions(vad=False))
        assert first_windows[0] == (1000 if seconds == 4 else 1500), seconds


def test_features_are_zero_padded_or_cut_to_the_window() -> None:
    features = np.ones((80, 687), dtype=np.float32)
    padded = windows.fit_features(features, 10)
    assert padded.shape == (80, 1000)
    assert np.all(padded[:, :687] == 1) and np.all(padded[:, 687:] == 0)
    assert windows.fit_features(np.ones((80, 3200), dtype=np.float32), 30).shape == (80, 3000)


def test_the_encoder_takes_short_windows(transcriber: Transcriber) -> None:
    model: ctranslate2.models.Whisper = transcriber.model.model
    batch = [np.zeros((80, 1000), dtype=np.float32)] * 2
    encoded = windows.encode(model, batch)
    # Half as many encoder positions as mel frames (the convolution stride), 384 wide for tiny.en.
    assert encoded.shape == (2, 500, 384)
    one = windows.encode(model, batch[:1])
    np.testing.assert_allclose(encoded[0], one[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("floor", [15, 30])
def test_short_windows_keep_text_and_word_timings(
    model_dir: str,
    transcriber_for: Callable[..., Transcriber],
    audio_bytes: Callable[[str], bytes],
    transcripts: dict[str, str],
    floor: int,
) -> None:
    transcriber = transcriber_for(model_dir, min_window_seconds=floor)
    audio = decode(audio_bytes("speech.flac"), max_seconds=60)
    result = transcriber.transcribe(audio, TranscribeOptions(word_timestamps=True))
    assert word_error_rate(transcripts["speech.flac"], result.text) <= 0.1, result.text
    words = [word for segment in result.segments for word in segment.words or ()]
    assert len(words) >= 18
    assert all(0 <= w.start <= w.end <= result.duration + 0.1 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert words[-1].end > result.duration - 1.5, "the last word is timed near the end of the speech"
