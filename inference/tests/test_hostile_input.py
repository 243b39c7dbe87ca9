"""Bodies that make FFmpeg reach outside the body: none may read the host's files, open sockets, hold
the worker, or say anything about the host. Only real audio/video containers are demuxed.

Each case is a body an attacker can send to /invocations; before the demuxer allow-list, the ffconcat
ones transcribed a file from the server's disk and the SDP one held the worker ~20 s listening on UDP.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import wav_bytes
from fastapi.testclient import TestClient

from whisper_server.audio import decode
from whisper_server.errors import RequestError

# A clip the host holds: what a path in a hostile body would point at.
SECRET_WORDS = "secret.wav"


def speech_on_host(folder: Path, audio_bytes: Callable[[str], bytes]) -> Path:
    """Writes a real speech file into `folder`, standing for any file of the host."""
    path = folder / SECRET_WORDS
    path.write_bytes(wav_bytes(decode(audio_bytes("speech.ogg"), 60)))
    return path


def hostile_bodies(target: Path) -> dict[str, bytes]:
    """Bodies naming `target` (absolutely and relative to the working directory), or sockets."""
    absolute, relative = str(target), target.name
    return {
        "ffconcat absolute path": f"ffconcat version 1.0\nfile {absolute}\n".encode(),
        "ffconcat relative path": f"ffconcat version 1.0\nfile {relative}\n".encode(),
        "ffconcat file: url": f"ffconcat version 1.0\nfile 'file:{absolute}'\n".encode(),
        "ffconcat subfile url": (
            f"ffconcat version 1.0\nfile 'subfile,,start,0,end,0,,:{absolute}'\n".encode()
        ),
        "ffconcat missing path": b"ffconcat version 1.0\nfile /no/such/dir/none.wav\n",
        "HLS playlist": (
            f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{absolute}\n#EXT-X-ENDLIST\n".encode()
        ),
        "HLS playlist, relative": f"#EXTM3U\n#EXTINF:10,\n{relative}\n#EXT-X-ENDLIST\n".encode(),
        "SDP session (UDP)": (
            b"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            b"m=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        ),
        "image2 pattern": b"img%03d.png\n",
        "SubRip subtitles": (
            b"1\n00:00:00,000 --> 00:00:02,000\nHello\n\n2\n00:00:02,000 --> 00:00:04,000\nWorld\n"
        ),
        "WebVTT subtitles": b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n",
        "ASS subtitles": (
            b"[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Text\n"
            b"Dialogue: 0,0:00:00.00,0:00:02.00,Default,Hello\n"
        ),
    }


CASES = list(hostile_bodies(Path("/x/secret.wav")))


@pytest.mark.parametrize("case", CASES)
def test_hostile_body_is_refused_without_touching_the_host(
    client: TestClient,
    audio_bytes: Callable[[str], bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # relative paths would resolve here, next to the host's file
    body = hostile_bodies(speech_on_host(tmp_path, audio_bytes))[case]
    started = time.monotonic()
    response = client.post("/invocations", content=body)
    elapsed = time.monotonic() - started

    assert response.status_code == 415, response.text
    assert response.json()["error"] == "unsupported_media"
    assert "weather" not in response.text.lower()  # the host's file was not transcribed
    assert str(tmp_path) not in response.text and SECRET_WORDS not in response.text
    assert elapsed < 2, f"the worker was held {elapsed:.1f} s"
    assert client.get("/ping").status_code == 200


def test_refusals_say_nothing_about_the_host(audio_bytes: Callable[[str], bytes], tmp_path: Path) -> None:
    """An existing path and a missing one, a readable file and a socket: one and the same message."""
    bodies = hostile_bodies(speech_on_host(tmp_path, audio_bytes))
    messages = set()
    for body in bodies.values():
        with pytest.raises(RequestError) as refused:
            decode(body, 60)
        messages.add(refused.value.message)
    assert len(messages) == 1, messages


def test_a_matroska_file_with_only_subtitles_is_refused(audio_bytes: Callable[[str], bytes]) -> None:
    """An allowed container still needs an audio track (the video fixture's audio is fine)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="matroska") as out:
        out.add_stream("subrip")
    with pytest.raises(RequestError) as refused:
        decode(buffer.getvalue(), 60)
    assert refused.value.status == 415
    assert decode(audio_bytes("speech.webm"), 60).size > 16000


def test_real_containers_still_decode(audio_bytes: Callable[[str], bytes]) -> None:
    for name in (
        "speech.wav",
        "speech.mp3",
        "speech.m4a",
        "speech.ogg",
        "speech.flac",
        "speech.webm",
        "speech.mp4",
    ):
        assert 5 < decode(audio_bytes(name), 60).size / 16000 < 8, name
    assert decode(wav_bytes(np.zeros(16000, dtype=np.float32), rate=8000), 60).size == 32000
