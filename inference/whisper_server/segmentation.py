"""Who is active when within each 10 s window: pyannote segmentation-3.0 on ONNX Runtime.

The model sees a 10 s window and answers, for each of its 589 frames (16.875 ms apart), one of 7 classes
("powerset"): nobody, one of 3 local speakers, or two of them at once. Local speakers are numbered per
window only; clustering their embeddings (clustering.py) tells which local speakers of different windows
are the same voice. Windows overlap (a shift of a quarter window by default), so every frame is seen by
several windows and a voice that is local speaker 2 in one window and 0 in the next is still matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Powerset class -> the local speakers it means (pyannote segmentation-3.0, 3 speakers, at most 2 at once).
POWERSET = np.array(
    [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]], dtype=np.float32
)
BATCH = 16
"""Windows per model call: enough to keep ONNX Runtime busy, little memory (16 x 10 s)."""


@dataclass(frozen=True)
class WindowActivity:
    """The segmentation of a whole recording, window by window."""

    activity: np.ndarray
    """(windows, frames, 3) 0/1: local speaker k speaks at frame f of window w."""
    window_step: int
    """Frames between the starts of two windows (window w starts at frame w * window_step)."""
    frame_seconds: float
    """Seconds between two frames."""
    frame_offset: float
    """Seconds from a frame's index times `frame_seconds` to the middle of the audio it sees."""
    total_frames: int
    """Frames of the whole recording."""


class Segmentation:
    """pyannote segmentation-3.0 exported to ONNX, with its window geometry from the file's metadata."""

    def __init__(self, model: Path, threads: int) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        meta = self._session.get_modelmeta().custom_metadata_map
        self.sample_rate = int(meta.get("sample_rate", 16000))
        self.window = int(meta.get("window_size", 160000))
        self.frame_shift = int(meta.get("receptive_field_shift", 270))
        self.receptive_field = int(meta.get("receptive_field_size", 991))
        self._input = self._session.get_inputs()[0].name

    def run(self, audio: np.ndarray, window_shift: float) -> WindowActivity:
        """The activity of every window over `audio` (mono float32 at `sample_rate`).

        `window_shift` is the shift between windows as a fraction of the window; it is rounded to whole
        frames so that the frames of all windows fall on one grid. The last window is padded with silence.
        """
        frames_per_window = self._frames(self.window)
        step_frames = max(1, round(window_shift * self.window / self.frame_shift))
        step = step_frames * self.frame_shift
        starts = list(range(0, max(1, audio.size - self.window + step), step))
        if starts[-1] + self.window < audio.size:
            starts.append(starts[-1] + step)
        padded = np.zeros(starts[-1] + self.window, dtype=np.float32)
        padded[: audio.size] = audio
        activity = np.zeros((len(starts), frames_per_window, 3), dtype=np.float32)
        for first in range(0, len(starts), BATCH):
            batch = np.stack([padded[s : s + self.window] for s in starts[first : first + BATCH]])
            scores = self._session.run(None, {self._input: batch[:, None, :]})[0]
            activity[first : first + len(batch)] = POWERSET[scores.argmax(axis=-1)]
        return WindowActivity(
            activity=activity,
            window_step=step_frames,
            frame_seconds=self.frame_shift / self.sample_rate,
            frame_offset=self.receptive_field / 2 / self.sample_rate,
            total_frames=self._frames(audio.size),
        )

    def _frames(self, samples: int) -> int:
        return max(1, (samples - self.receptive_field) // self.frame_shift + 1)
