"""A trial of a second voiceprint model: Resemblyzer's GE2E speaker encoder, alone and fused with CAM++.

Not part of the product (docs/speakers.md, "What was tried", has the figures and why it was not taken).
It recomputes them on the development sets (default dev and real-dev) from the tuner's cache
(tune_diarization.py): the same pieces that CAM++ embedded get a GE2E voiceprint, and the second clustering
is swept on GE2E alone and on both models' cosine distances averaged (`--cam-weights`: the CAM++
distance's weight; 1 is today's CAM++ alone, 0 is GE2E alone). Without a count the speakers are counted
as the product counts them, by separation (`--thresholds` are then the silhouette's floor,
`--min-separations` the bar for more than one speaker; default the product's), or with
`--threshold-only` by the fixed threshold of the first trial. Concatenating the two unit-length
voiceprints scaled by the square roots of the weights makes the cosine distance of the concatenation
exactly that weighted average, so the clustering runs unchanged.

The model: PyPI `Resemblyzer==0.1.4` (Apache-2.0) ships `resemblyzer/pretrained.pt`, a legacy (not zip)
`torch.save` of a 3-layer LSTM (40 mel channels in, 256 hidden) and a 256-unit projection with ReLU, the
output L2-normalised; an utterance's voiceprint is the normalised mean over partial utterances of 160
frames (10 ms hop, a partial every 1/1.3 s). This file reads the checkpoint with numpy (no PyTorch: a
pickle whose tensors point into raw storages that follow it) and runs the model in numpy, float32, with
Resemblyzer's own preprocessing (its audio.py: volume raised to -30 dBFS, librosa's power mel spectrogram
with n_fft 400, hop 160, 40 Slaney mels, not logarithmic), except webrtcvad trimming: pieces are speech.
Checked 2026-12-06 against Resemblyzer's own VoiceEncoder.embed_utterance (torch 2.15.0, librosa 0.10.2,
in a throwaway environment) on 8 pieces (0.6-6 s) of three development conversations: largest difference
5.0e-7 (float32 rounding).

Run (the wheel is not committed; `pip download` fetches it):

    .venv/bin/python -m pip download Resemblyzer==0.1.4 --no-deps -d build/resemblyzer
    .venv/bin/python inference/bench/try_ge2e.py build/resemblyzer/Resemblyzer-0.1.4-py3-none-any.whl \\
        --cam-weights 1 0.8 0.7 0.5 --thresholds 0.2 0.25
"""

from __future__ import annotations

import argparse
import io
import itertools
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

import conversations
import numpy as np
import tune_diarization as tuner

from whisper_server import diarizer as diarizer_module
from whisper_server.diarizer import Diarizer, DiarizerConfig
from whisper_server.settings import Settings

WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 40
PARTIAL_FRAMES = 160
PARTIALS_PER_SECOND = 1.3
MIN_COVERAGE = 0.75
TARGET_DBFS = -30.0
HIDDEN = 256
CAM_DIMENSIONS = 192


class _Storage:
    def __init__(self, dtype: type) -> None:
        self.dtype = dtype
        self.data = np.zeros(0, dtype)


def _tensor(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any) -> Any:
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _Checkpoint(pickle.Unpickler):
    """Unpickles a legacy torch.save object: only OrderedDict, tensors and float storages are allowed."""

    def __init__(self, file: io.BufferedIOBase, storages: dict[str, _Storage]) -> None:
        super().__init__(file)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _tensor
        if (module, name) == ("torch", "FloatStorage"):
            return np.float32
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        raise pickle.UnpicklingError(f"pretrained.pt holds {module}.{name}, which this reader refuses")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, dtype, key, _location, _size, view = pid
        if kind != "storage" or view is not None:
            raise pickle.UnpicklingError(f"unexpected storage {pid!r}")
        return self.storages.setdefault(key, _Storage(dtype))


class _Plain(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"unexpected {module}.{name}")


def load_weights(wheel: Path) -> dict[str, np.ndarray]:
    """The model's state_dict from the wheel's pretrained.pt, as numpy arrays."""
    with zipfile.ZipFile(wheel) as archive:
        file = io.BytesIO(archive.read("resemblyzer/pretrained.pt"))
    if _Plain(file).load() != 0x1950A86A20F9469CFC6C or _Plain(file).load() != 1001:
        raise ValueError("pretrained.pt is not a legacy torch.save file")
    _Plain(file).load()  # system info
    storages: dict[str, _Storage] = {}
    checkpoint = _Checkpoint(file, storages).load()
    for key in _Plain(file).load():
        storage = storages[key]
        (count,) = struct.unpack("<q", file.read(8))
        storage.data = np.frombuffer(file.read(count * 4), dtype=storage.dtype)

    def array(value: Any) -> np.ndarray:
        _, storage, offset, size, stride = value
        strides = [s * storage.data.itemsize for s in stride]
        return np.lib.stride_tricks.as_strided(storage.data[offset:], size, strides).copy()

    return {name: array(value) for name, value in checkpoint["model_state"].items()}


def _mel_filters() -> np.ndarray:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney mel scale and area normalisation."""
    step, linear = np.log(6.4) / 27.0, 200.0 / 3

    def to_mel(hz: np.ndarray) -> np.ndarray:
        return np.where(hz >= 1000, 15 + np.log(np.maximum(hz, 1e-10) / 1000) / step, hz / linear)

    def to_hz(mel: np.ndarray) -> np.ndarray:
        return np.where(mel >= 15, 1000 * np.exp(step * (mel - 15)), linear * mel)

    edges = to_hz(np.linspace(0, to_mel(np.array(RATE / 2)), N_MELS + 2))
    ramps = edges[:, None] - np.linspace(0, RATE / 2, 1 + N_FFT // 2)[None, :]
    widths = np.diff(edges)
    weights = np.maximum(0, np.minimum(-ramps[:-2] / widths[:-1, None], ramps[2:] / widths[1:, None]))
    return weights * (2 / (edges[2:] - edges[:-2]))[:, None]


FILTERS = _mel_filters()
WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann, as librosa's


def partial_mels(samples: np.ndarray) -> np.ndarray:
    """(partials, 160, 40) power mel spectrograms of one piece, cut as Resemblyzer's embed_utterance."""
    wav = samples.astype(np.float64)
    dbfs = 20 * np.log10(max(np.sqrt(np.mean(wav**2)), 1e-12))
    if dbfs < TARGET_DBFS:
        wav = wav * 10 ** ((TARGET_DBFS - dbfs) / 20)
    frames = int(np.ceil((wav.size + 1) / HOP))
    step = round(RATE / PARTIALS_PER_SECOND / HOP)
    starts = list(range(0, max(1, frames - PARTIAL_FRAMES + step + 1), step))
    if len(starts) > 1 and (wav.size - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP) < MIN_COVERAGE:
        starts.pop()
    wav = np.pad(wav, (0, max(0, (starts[-1] + PARTIAL_FRAMES) * HOP - wav.size)))
    padded = np.pad(wav, N_FFT // 2)  # librosa's centred frames, zero padded
    count = 1 + (padded.size - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    mel = (np.abs(np.fft.rfft(padded[index] * WINDOW, axis=1)) ** 2) @ FILTERS.T
    return np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts]).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))


def encode(weights: dict[str, np.ndarray], mels: np.ndarray) -> np.ndarray:
    """(batch, 160, 40) mels to (batch, 256) unit voiceprints: PyTorch's LSTM (gates i, f, g, o)."""
    x = mels
    hidden = np.zeros(0, np.float32)
    for layer in range(3):
        recurrent = weights[f"lstm.weight_hh_l{layer}"].T
        inputs = x @ weights[f"lstm.weight_ih_l{layer}"].T
        inputs += weights[f"lstm.bias_ih_l{layer}"] + weights[f"lstm.bias_hh_l{layer}"]
        hidden = np.zeros((x.shape[0], HIDDEN), np.float32)
        cell = np.zeros_like(hidden)
        outputs = np.empty((*x.shape[:2], HIDDEN), np.float32)
        for t in range(x.shape[1]):
            i, f, g, o = np.split(inputs[:, t] + hidden @ recurrent, 4, axis=1)
            cell = _sigmoid(f) * cell + _sigmoid(i) * np.tanh(g)
            hidden = _sigmoid(o) * np.tanh(cell)
            outputs[:, t] = hidden
        x = outputs
    raw = np.maximum(hidden @ weights["linear.weight"].T + weights["linear.bias"], 0)
    return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)


def voiceprints(weights: dict[str, np.ndarray], pieces: list[np.ndarray]) -> np.ndarray:
    """One GE2E voiceprint per piece: the normalised mean of its partials' (all pieces in one batch)."""
    mels = [partial_mels(piece) for piece in pieces]
    partials = encode(weights, np.concatenate(mels))
    bounds = np.cumsum([0] + [len(m) for m in mels])
    means = np.stack([partials[a:b].mean(axis=0) for a, b in itertools.pairwise(bounds)])
    return means / np.linalg.norm(means, axis=1, keepdims=True)


def ge2e_cases(weights: dict[str, np.ndarray], diarizer: Diarizer, split: str, given: bool) -> list[Any]:
    """The tuner's cases of `split`, each with its GE2E voiceprints beside CAM++'s (cached too)."""
    wavs = {str(reference["name"]): wav for wav, reference in conversations.load(split)}
    found = []
    for case in tuner.cases(diarizer, split, given):
        wav = wavs[case.name]
        spans = [(case.pieces.pieces[i].start, case.pieces.pieces[i].end) for i in case.pieces.embedded]
        path = tuner.CACHE / (tuner.cache_key(diarizer, wav, "ge2e", (WHEEL_SHA256, spans)) + ".npy")
        if not path.is_file():
            samples = conversations.read_wav(wav)
            np.save(path, voiceprints(weights, [samples[int(a * RATE) : int(b * RATE)] for a, b in spans]))
        found.append((case, np.load(path)))
    return found


def fused(cam: np.ndarray, ge2e: np.ndarray, cam_weight: float) -> np.ndarray:
    """Voiceprints whose cosine distance is `cam_weight` x CAM++'s plus the rest x GE2E's."""
    unit = cam / np.linalg.norm(cam, axis=1, keepdims=True)
    return np.hstack([np.sqrt(cam_weight) * unit, np.sqrt(1 - cam_weight) * ge2e])


def main() -> int:
    defaults = Settings(model_dir=str(tuner.MODELS))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("wheel", type=Path, help="Resemblyzer-0.1.4-py3-none-any.whl")
    parser.add_argument(
        "--sets", nargs="*", default=["dev", "real-dev"], choices=["dev", "dev-varied", "real-dev"]
    )
    parser.add_argument("--cam-weights", nargs="*", type=float, default=[1.0, 0.5, 0.0])
    parser.add_argument("--thresholds", nargs="*", type=float, default=[defaults.diarization_threshold])
    parser.add_argument("--same-voice", type=float, default=diarizer_module.SAME_VOICE)
    parser.add_argument("--min-speech", type=float, default=diarizer_module.MIN_SPEECH)
    parser.add_argument("--min-separations", nargs="*", type=float, default=[diarizer_module.MIN_SEPARATION])
    parser.add_argument(
        "--threshold-only",
        action="store_true",
        help="without a count, cut at the threshold (the rule before the silhouette); else the "
        "thresholds are the silhouette's floor",
    )
    args = parser.parse_args()
    weights = load_weights(args.wheel)
    diarizer = Diarizer(
        DiarizerConfig(tuner.MODELS, 1, defaults.diarization_window_shift, defaults.diarization_threshold)
    )
    for given in (False, True):
        sets = {split: ge2e_cases(weights, diarizer, split, given) for split in args.sets}
        for cam_weight in args.cam_weights:
            for threshold, separation in itertools.product(args.thresholds, args.min_separations):
                config = tuner.clustering(
                    threshold, args.same_voice, args.min_speech, None if args.threshold_only else separation
                )
                print(
                    f"count {'given' if given else 'not given'}, CAM++ weight {cam_weight:.2f}, "
                    f"threshold {threshold:.2f}, one speaker under {separation:.2f}:"
                )
                for split, cases in sets.items():
                    variant = [
                        replace(c, pieces=replace(c.pieces, prints=fused(c.pieces.prints, g, cam_weight)))
                        for c, g in cases
                    ]
                    pooled = tuner.evaluate(variant, config)
                    print(f"  {split}: {pooled.line()}")
                    if pooled.miscounted:
                        print(f"    wrong counts (found/true): {pooled.misses()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
