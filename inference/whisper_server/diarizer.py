"""Speaker diarization on CPU: who speaks when, as speaker turns. No PyTorch.

pyannote segmentation-3.0 on ONNX Runtime finds who is active in overlapping 10 s windows
(segmentation.py); a speaker embedding model (3D-Speaker CAM++, run by sherpa-onnx, which computes its
filterbank features) gives each window's speakers a voiceprint; clustering.py groups them into voices,
obeying a requested count; each frame then goes to the voices active in the windows that see it. The
pipeline is pyannote's (segmentation, embedding, clustering, reconstruction); the clustering is ours,
since sherpa-onnx's own diarizer ignored counts it could not reach and merged voices when asked for more.
The two ONNX files live in the model artifact next to Whisper (`<MODEL_DIR>/diarization/`, uploaded by
package-model). The server runs this in a child process (diarization_process.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .clustering import ClusteringConfig, cluster
from .cores import usable_cores
from .options import TranscribeOptions
from .pooled_voices import PooledAudio, merge_close_speakers, pooled_labels
from .resegmentation import resegment
from .results import Transcription
from .segmentation import Segmentation, WindowActivity
from .settings import Settings
from .speaker_labels import SpeakerTurn, label_speakers
from .turn_pauses import close_pauses
from .voiceprints import Pieces, Voiceprints, embed_pieces, piece_labels, turns_of

if TYPE_CHECKING:
    from .diarization_process import DiarizationProcess

log = logging.getLogger(__name__)

SEGMENTATION_FILE = "segmentation.onnx"
EMBEDDING_FILE = "embedding.onnx"
# Chosen on the development conversations (inference/bench/conversations.py, bench_diarization.py).
SAME_VOICE = 0.15
"""Cosine distance under which two groups of speech are one voice, whatever count was asked."""
MIN_SPEECH = 3.0
"""Seconds of speech a voice needs to count as a speaker of its own (second pass; an asked count may
make do with less, clustering.py)."""
ASKED_COUNT_THRESHOLD = 0.32
"""The second pass's cut from which an asked count is reached (merging on or splitting, clustering.py):
from 0.32 real-dev's DER with the count was 0.194, from 0.25 0.224 (dev 0.039 both)."""
MIN_SEPARATION = 0.27
"""Silhouette (clustering.py) under which a recording is one speaker when no count is given. The more
pieces a recording has, the lower its silhouettes: on long recordings of real people
(inference/bench/long_conversations.py, 4-12 minutes) two people scored 0.31 at their best cut, under the
0.33 chosen on minute-long ones, and came out as one speaker. One person split in two is merged again by
the pooled voiceprints (pooled_voices.py), so the bar can be lower: any bar of 0-0.33 gave the same
answers on the short development sets, and 0.25-0.29 the best on the long ones (one person alone stayed
one speaker, split at 0.2 and under); 0.27 is that plateau's middle."""
EXTRA_SPEAKERS = 1
"""Without a count, the pieces are cut into this many speakers more than their best separated cut
(clustering.py) when that cut clears MIN_SEPARATION too, and the merging on pooled voiceprints
(pooled_voices.merge_close_speakers) decides whether the extra speaker is a person: on the recorded
people of the development sets the wrong counts were mostly too few, made in that cut (real-dev-more: 9
of 13 too few, 7 of them already there), which no later step could undo. 2 extra speakers gave less
(real-dev-more 19/32 instead of 24/32 right counts); figures in docs/speakers.md."""
FIRST_PASS_THRESHOLD = 0.2
"""First-pass clustering threshold: low, so that different voices are different turns."""
FIRST_PASS_MIN_SPEECH = 1.0
MIN_EMBED_SECONDS = 0.25
"""Least speech a local speaker needs in a window for an embedding; shorter ones follow their window."""
MERGE_GAP_SECONDS = 0.1
MIN_TURN_SECONDS = 0.05


@dataclass(frozen=True)
class DiarizerConfig:
    """How the diarizer runs; the server fills it from its settings (see settings.py for the defaults)."""

    model_dir: Path
    """Directory holding segmentation.onnx and embedding.onnx."""
    threads: int
    """ONNX Runtime threads for each of the two models."""
    window_shift: float
    """Shift between two 10 s segmentation windows, as a fraction of the window."""
    threshold: float
    """Without a speaker count, the distance under which groups of speech are always one speaker (the
    count is chosen among the cuts above it, clustering.py): lower can find more speakers."""
    same_voice: float = SAME_VOICE
    """Distance under which two groups of speech are one voice, even when more speakers are asked."""
    min_speech: float = MIN_SPEECH
    """Seconds of speech a cluster needs to count as a speaker (shorter ones join the nearest)."""
    min_separation: float = MIN_SEPARATION
    """Without a count, the silhouette a cut needs for more than one speaker (clustering.py)."""


def models_present(model_dir: Path) -> bool:
    """Whether `model_dir` holds both diarization models."""
    return (model_dir / SEGMENTATION_FILE).is_file() and (model_dir / EMBEDDING_FILE).is_file()


def require_models(model_dir: Path) -> None:
    """FileNotFoundError unless `model_dir` holds both diarization models."""
    if not models_present(model_dir):
        raise FileNotFoundError(
            f"{model_dir} does not hold {SEGMENTATION_FILE} and {EMBEDDING_FILE}: "
            "package the model with package-model --diarization"
        )


@dataclass(frozen=True)
class Analysis:
    """A recording segmented and embedded: what clustering needs."""

    samples: np.ndarray
    windows: WindowActivity
    items: list[tuple[int, int]]
    """(window, local speaker) of each embedding."""
    embeddings: np.ndarray
    weights: np.ndarray
    """Seconds of speech each embedding stands for."""
    duration: float


class Diarizer:
    """The loaded segmentation and embedding models."""

    def __init__(self, config: DiarizerConfig) -> None:
        require_models(config.model_dir)
        # Imported here: a server without diarization models never loads sherpa-onnx (0.5 s of start-up).
        import sherpa_onnx

        self.config = config
        self._segmentation = Segmentation(config.model_dir / SEGMENTATION_FILE, config.threads)
        embedding = sherpa_onnx.SpeakerEmbeddingExtractorConfig(
            model=str(config.model_dir / EMBEDDING_FILE), num_threads=config.threads
        )
        if not embedding.validate():
            raise ValueError(f"invalid speaker embedding model in {config.model_dir}")
        self._voiceprints = Voiceprints(
            sherpa_onnx.SpeakerEmbeddingExtractor(embedding), self._segmentation.sample_rate
        )
        log.info(
            "diarization models loaded",
            extra={"diarization_dir": str(config.model_dir), "threads": config.threads},
        )

    @property
    def sample_rate(self) -> int:
        return self._segmentation.sample_rate

    def diarize(
        self,
        audio: np.ndarray,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> list[SpeakerTurn]:
        """Speaker turns of 16 kHz mono `audio`, sorted by start.

        `speakers` fixes the count, `min_speakers`/`max_speakers` bound it (clustering.py says how, and
        what happens when the audio holds fewer distinct voices than asked).
        """
        return self.turns(self.analyse(audio), speakers, min_speakers, max_speakers)

    def analyse(self, audio: np.ndarray) -> Analysis:
        """The costly part of `diarize`: segmentation and embeddings, before any clustering."""
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        windows = self._segmentation.run(samples, self.config.window_shift)
        items, embeddings, weights = self._embed(samples, windows)
        return Analysis(
            samples=samples,
            windows=windows,
            items=items,
            embeddings=np.stack(embeddings) if embeddings else np.zeros((0, 1), np.float32),
            weights=np.array(weights),
            duration=samples.size / self.sample_rate,
        )

    def turns(
        self,
        analysis: Analysis,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        clustering: ClusteringConfig | None = None,
    ) -> list[SpeakerTurn]:
        """Speaker turns from an `analyse` result: a first clustering of the window embeddings (over-split
        on purpose) and reconstruction give the turns, which the second pass (voiceprints.py) labels by
        their own voiceprints with the configured clustering, or `clustering` (the benchmark tries several
        on one analysis)."""
        if not analysis.items:
            return []
        rough = self.rough_turns(analysis, speakers, min_speakers, max_speakers)
        pieces = self.embed_turns(rough, analysis.samples)
        config = clustering or self.clustering
        audio = self.pooled_audio(analysis.samples)
        return final_turns(pieces, rough, config, speakers, min_speakers, max_speakers, audio)

    def pooled_audio(self, samples: np.ndarray) -> PooledAudio:
        """`samples` with the voiceprint model, for voiceprints of pooled speech (pooled_voices.py)."""
        return PooledAudio(samples, self._voiceprints.of, self.sample_rate)

    @property
    def clustering(self) -> ClusteringConfig:
        """The second pass's clustering, from the configuration."""
        return second_pass_clustering(self.config)

    def rough_turns(
        self,
        analysis: Analysis,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> list[SpeakerTurn]:
        """The first pass: the window voiceprints clustered (over-split on purpose) and reconstructed
        into turns."""
        first = ClusteringConfig(FIRST_PASS_THRESHOLD, self.config.same_voice, FIRST_PASS_MIN_SPEECH)
        labels = cluster(analysis.embeddings, analysis.weights, first, speakers, min_speakers, max_speakers)
        speaker_of = {item: int(label) for item, label in zip(analysis.items, labels, strict=True)}
        return _turns(analysis.windows, speaker_of, analysis.duration)

    def embed_turns(self, turns: list[SpeakerTurn], samples: np.ndarray) -> Pieces:
        """The costly half of the second pass: `turns` in pieces with their voiceprints (the benchmark
        keeps them, to try several clusterings cheaply)."""
        return embed_pieces(turns, samples, self._voiceprints)

    def start(
        self,
        audio: np.ndarray,
        speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ) -> _ThreadTurns:
        """`diarize` in a daemon thread of this process (for tools and tests; the server uses
        diarization_process.py, since these models hold the GIL while they run)."""
        return _ThreadTurns(lambda: self.diarize(audio, speakers, min_speakers, max_speakers))

    def _embed(
        self, samples: np.ndarray, windows: WindowActivity
    ) -> tuple[list[tuple[int, int]], list[np.ndarray], list[float]]:
        """An embedding for each (window, local speaker) with enough speech, from the frames where that
        speaker talks alone (all its frames when those are too few), and the speech it stands for."""
        shift = self._segmentation.frame_shift
        # The samples a frame stands for: its hop, centred in its receptive field.
        lead = (self._segmentation.receptive_field - shift) // 2
        overlap = windows.activity.shape[1] / windows.window_step  # windows that see each frame
        items: list[tuple[int, int]] = []
        embeddings: list[np.ndarray] = []
        weights: list[float] = []
        for w, activity in enumerate(windows.activity):
            start = w * windows.window_step * shift
            alone = activity.sum(axis=1) == 1
            for k in range(activity.shape[1]):
                active = activity[:, k] > 0
                if active.sum() * windows.frame_seconds < MIN_EMBED_SECONDS:
                    continue
                clean = active & alone
                frames = clean if clean.sum() * windows.frame_seconds >= MIN_EMBED_SECONDS else active
                mask = np.repeat(frames, shift)
                chunk = samples[start + lead : start + lead + mask.size]
                speech = chunk[mask[: chunk.size]]
                if speech.size < MIN_EMBED_SECONDS * self.sample_rate:
                    continue
                voiceprint = self._voiceprints.of(speech)
                if voiceprint is None:
                    continue
                items.append((w, k))
                embeddings.append(voiceprint)
                weights.append(float(active.sum()) * windows.frame_seconds / overlap)
        return items, embeddings, weights


class _ThreadTurns:
    """The answer to `Diarizer.start`, with `result()` and `cancel()` as diarization_process.PendingTurns."""

    def __init__(self, work: Callable[[], list[SpeakerTurn]]) -> None:
        self.seconds = 0.0
        self._turns: list[SpeakerTurn] = []
        self._error: BaseException | None = None

        def run() -> None:
            started = time.perf_counter()
            try:
                self._turns = work()
            except BaseException as e:
                self._error = e
            self.seconds = time.perf_counter() - started

        # A daemon thread: the interpreter's exit does not wait for it (ThreadPoolExecutor's would).
        self._thread = threading.Thread(target=run, name="diarization", daemon=True)
        self._thread.start()

    def result(self) -> list[SpeakerTurn]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._turns

    def cancel(self) -> None:
        """The thread cannot be stopped; its result is ignored."""


def second_pass_clustering(config: DiarizerConfig) -> ClusteringConfig:
    """The second pass's clustering (clustering.py) for `config`."""
    return ClusteringConfig(
        threshold=ASKED_COUNT_THRESHOLD,
        same_voice=config.same_voice,
        min_speech=config.min_speech,
        separation_floor=config.threshold,
        min_separation=config.min_separation,
        extra_speakers=EXTRA_SPEAKERS,
    )


def final_turns(
    pieces: Pieces,
    rough: list[SpeakerTurn],
    config: ClusteringConfig,
    speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    audio: PooledAudio | None = None,
) -> list[SpeakerTurn]:
    """The second pass's turns (`rough`, the first pass's, when no piece has a voiceprint), each speaker's
    short pauses closed (turn_pauses.py): what `Diarizer.turns` answers, and what the tuner scores. With
    `audio`, pooled voiceprints (pooled_voices.py) reach an asked count where they can, and without a
    count merge speakers that are one person's lines cut in two; either way each piece then goes to the
    speaker it sounds most like (resegmentation.py), and without a count the speakers are merged again."""
    if not pieces.embedded:
        return close_pauses(rough)
    if audio is None:  # nothing would merge an extra speaker back (pooled_voices.py)
        config = replace(config, extra_speakers=0)
    label_of = None
    if speakers is not None and audio is not None:
        label_of = pooled_labels(pieces, rough, audio, speakers)
        if label_of is not None:
            label_of = resegment(pieces, label_of, min_speakers=speakers)
    if label_of is None:
        label_of = piece_labels(pieces, config, speakers, min_speakers, max_speakers)
        if speakers is None and audio is not None:
            fewest = min_speakers or 1
            label_of = merge_close_speakers(pieces, rough, audio, label_of, fewest)
            label_of = resegment(pieces, label_of, config.min_speech, fewest)
            label_of = merge_close_speakers(pieces, rough, audio, label_of, fewest)
    labelled = turns_of(pieces, label_of)
    return close_pauses(labelled)


def _turns(
    windows: WindowActivity, speaker_of: dict[tuple[int, int], int], duration: float
) -> list[SpeakerTurn]:
    """Speaker turns from the windows' activity and each local speaker's voice.

    Each frame averages, over the windows that see it, each voice's activity and the number of people
    speaking; the frame goes to that many voices, the most active first. Runs of frames become turns;
    gaps shorter than MERGE_GAP_SECONDS within one voice's speech are closed.
    """
    count = max(speaker_of.values()) + 1
    frames = windows.total_frames
    per_window = windows.activity.shape[1]
    score = np.zeros((frames + per_window, count), dtype=np.float32)
    speaking = np.zeros(frames + per_window, dtype=np.float32)
    seen = np.zeros(frames + per_window, dtype=np.float32)
    for w, activity in enumerate(windows.activity):
        first = w * windows.window_step
        span = slice(first, first + per_window)
        seen[span] += 1
        speaking[span] += activity.sum(axis=1)
        window_score = np.zeros((per_window, count), dtype=np.float32)
        for k in range(activity.shape[1]):
            voice = speaker_of.get((w, k))
            if voice is not None:  # two local speakers of one voice: the voice is as active as either
                window_score[:, voice] = np.maximum(window_score[:, voice], activity[:, k])
        score[span] += window_score
    seen = np.maximum(seen[:frames], 1)
    score, speaking = score[:frames] / seen[:, None], np.rint(speaking[:frames] / seen)
    ranked = np.argsort(-score, axis=1, kind="stable")
    chosen = np.zeros_like(score, dtype=bool)
    for n in range(min(int(speaking.max(initial=0)), count)):
        rows = np.flatnonzero((speaking > n) & (score[np.arange(frames), ranked[:, n]] > 0))
        chosen[rows, ranked[rows, n]] = True
    gap = round(MERGE_GAP_SECONDS / windows.frame_seconds)
    turns: list[SpeakerTurn] = []
    for voice in range(count):
        on = np.flatnonzero(chosen[:, voice])
        if on.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(on) > gap + 1)
        for first, last in zip(np.r_[on[0], on[breaks + 1]], np.r_[on[breaks], on[-1]], strict=True):
            start = first * windows.frame_seconds + windows.frame_offset - windows.frame_seconds / 2
            end = last * windows.frame_seconds + windows.frame_offset + windows.frame_seconds / 2
            if end - start >= MIN_TURN_SECONDS and start < duration:
                turns.append(
                    SpeakerTurn(start=max(0.0, float(start)), end=min(float(end), duration), speaker=voice)
                )
    return sorted(turns, key=lambda t: (t.start, t.end))


def default_threads() -> int:
    """Half the cores the process may use (at least 1, at most 4).

    On g4dn/g5 a vCPU is one hyperthread, so this is one thread per physical core, which is what ONNX
    Runtime's intra-op threads use well; the other half stays free for Whisper's own CPU work and the
    HTTP server. On a 2-core machine one thread diarized faster than two and used half the CPU time
    (inference/bench/bench_diarization.py --sweep, docs/speakers.md).
    """
    return max(1, min(4, usable_cores() // 2))


def load_diarizer(settings: Settings) -> DiarizationProcess | None:
    """The diarizer, in a process of its own, when the model artifact has its models, else None (requests
    asking for it get 400).

    Raises FileNotFoundError when WHISPER_DIARIZE makes speaker labels the default but the models are
    missing: every request would fail, so the server should not start.
    """
    model_dir = settings.resolve_diarization_dir()
    if not models_present(model_dir):
        if settings.diarize:
            raise FileNotFoundError(
                f"WHISPER_DIARIZE=true but {model_dir} does not hold {SEGMENTATION_FILE} and "
                f"{EMBEDDING_FILE}; package the model with package-model --diarization, or set "
                "WHISPER_DIARIZATION_DIR"
            )
        log.info(
            "no diarization models; requests with diarize=true get 400",
            extra={"diarization_dir": str(model_dir)},
        )
        return None
    from .diarization_process import DiarizationDeadline, DiarizationProcess

    return DiarizationProcess(
        DiarizerConfig(
            model_dir=model_dir,
            threads=settings.diarization_threads or default_threads(),
            window_shift=settings.diarization_window_shift,
            threshold=settings.diarization_threshold,
        ),
        DiarizationDeadline(
            settings.diarization_timeout_seconds, settings.diarization_timeout_per_audio_second
        ),
    )


def transcribe_with_speakers(
    transcribe: Callable[[TranscribeOptions], Transcription],
    diarizer: Diarizer | DiarizationProcess,
    audio: np.ndarray,
    options: TranscribeOptions,
) -> tuple[Transcription, float]:
    """Transcribes with speaker labels; returns the result and the seconds diarization took.

    Diarization runs on CPU (in its own process, see diarization_process.py) while `transcribe` runs (on
    the GPU in production), so a request takes about the longer of the two rather than their sum. Words
    are always timed, since the labels are given per word.
    """
    pending = diarizer.start(audio, options.speakers, options.min_speakers, options.max_speakers)
    try:
        result = transcribe(replace(options, word_timestamps=True))
    except BaseException:
        pending.cancel()
        raise
    turns = pending.result()
    labelled = label_speakers(
        result,
        turns,
        keep_words=True,  # subtitle cues are cut by them; the JSON shows them only when asked (formats.py)
        speakers=options.speakers,
        min_speakers=options.min_speakers,
        max_speakers=options.max_speakers,
    )
    return labelled, pending.seconds
