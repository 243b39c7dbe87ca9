"""The name of the loaded Whisper model, read from its CTranslate2 weights when no one named it.

The JSON's `model` should say which model answered. A deployment names it (WHISPER_MODEL_NAME, set by the
stack to the Hugging Face repository and revision); a model directory on its own (`npm start`, a test, a
hand-run container) says nothing in its config.json, but its weights' shapes tell the Whisper size:
the embedding width (384 tiny, 512 base, 768 small, 1024 medium, 1280 large), an English-only vocabulary
(51864 tokens, `.en`), the mel bins (128 from large-v3 on) and the decoder's depth (large-v3-turbo has 4
layers, distilled models 2).

model.bin (CTranslate2's format, version 6): uint32 version, a uint16-length name, uint32 revision, uint32
variable count, then per variable a uint16-length name, uint8 rank, rank uint32 dimensions, uint8 type,
uint32 byte count and the bytes.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import BinaryIO

SIZES = dict(zip((384, 512, 768, 1024, 1280), ("tiny", "base", "small", "medium", "large"), strict=True))
"""Whisper's size by its embedding width."""
DECODER_LAYERS = {"tiny": 4, "base": 6, "small": 12, "medium": 24, "large": 32}
ENGLISH_ONLY_VOCABULARY = 51864
_LAYER = re.compile(r"^decoder/layer_(\d+)/")


def describe_model(model_dir: str) -> str:
    """`whisper-tiny.en`, `whisper-large-v3` ...; `whisper` when the file cannot be read this way."""
    try:
        with (Path(model_dir) / "model.bin").open("rb") as file:
            shapes = _shapes(file)
    except (OSError, struct.error, UnicodeDecodeError, ValueError):
        return "whisper"
    embedding = shapes.get("decoder/embeddings/weight")
    conv = shapes.get("encoder/conv1/weight")
    if not embedding or not conv or embedding[1] not in SIZES:
        return "whisper"
    size = SIZES[embedding[1]]
    layers = 1 + max((int(m[1]) for name in shapes if (m := _LAYER.match(name))), default=-1)
    if size == "large":
        size = "large-v3" if conv[1] == 128 else "large-v2"
        if layers == 4 and conv[1] == 128:
            return "whisper-large-v3-turbo"
    name = f"whisper-{size}{'.en' if embedding[0] == ENGLISH_ONLY_VOCABULARY else ''}"
    if layers != DECODER_LAYERS[size.split("-")[0]]:
        name = f"distil-{name} ({layers} decoder layers)"
    return name


def _shapes(file: BinaryIO) -> dict[str, tuple[int, ...]]:
    def read(fmt: str) -> tuple[int, ...]:
        return struct.unpack("<" + fmt, file.read(struct.calcsize("<" + fmt)))

    def string() -> str:
        (length,) = read("H")
        return file.read(length).rstrip(b"\0").decode("utf-8")

    version = read("I")[0]
    if version < 5:
        raise ValueError(f"model.bin version {version}")
    if string() != "WhisperSpec":
        raise ValueError("not a Whisper model")
    read("I")  # revision
    (count,) = read("I")
    shapes: dict[str, tuple[int, ...]] = {}
    for _ in range(count):
        name = string()
        (rank,) = read("B")
        shapes[name] = read(f"{rank}I") if rank else ()
        read("B")  # type
        (size,) = read("I")
        file.seek(size, 1)
    return shapes
