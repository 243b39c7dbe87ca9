"""Chunked decoding of one or several requests together: VAD chunks, right-sized windows, batched
decoding across requests, and a safe re-decode of any chunk that lost speech.

The steps, for every request of a call:
  1. plan: VAD speech regions merged into chunks of at most `chunk_seconds`, never across a pause of
     more than MAX_GAP_IN_CHUNK (with VAD off, all the audio in windows of up to 30 s that end in the
     VAD's silences), their log-mel features, the window size each needs (windows.py);
  2. decode: chunks that share a window size and the decoding options, from any request, go through the
     encoder and then the decoder as one batch, without timestamps whatever the output format (so every
     format has the same words), and the words are timed by cross-attention alignment, never across
     requests; the next batches run ahead on other replicas of the model when there are
     (WHISPER_PARALLEL_BATCHES, ahead.py), and each batch's results are taken in order;
  3. check: a chunk whose text repeats itself (a sentence or clause twice, or a loop:
     repeated_speech.py) is decoded again in a 30 s window; then a chunk whose text is too short for
     its speech (dropped_speech.py) is decoded again the safe way, sequentially with timestamps over
     the chunk, and the longer text is kept. Only text the silence filter keeps is judged (silence.py:
     noise that decodes to nothing lost no words), and each request may decode again at most its
     budget of chunks (`max_redecode_share`), the likeliest first; a re-decode that got words back
     gives its place back (speech, not noise), and a chunk left unchecked is reported (`unchecked`);
  4. assemble: timestamps mapped back from speech time to the original audio.
A request that fails in any step fails alone: when a shared batch raises, each of its requests is run
again on its own and only the one that still fails gets the error.
"""

from __future__ import annotations

import collections
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import Word, get_suppressed_tokens
from faster_whisper.vad import SpeechTimestampsMap, VadOptions

from . import windows
from .ahead import computed_ahead
from .audio import SAMPLE_RATE
from .cores import usable_cores
from .dropped_speech import (
    is_clearly_longer,
    looks_truncated,
    speaker_pace,
    speech_seconds,
    text_share,
    wordless_regions,
)
from .options import TranscribeOptions
from .prompt import prompt_token_ids
from .repeated_speech import repeats_itself
from .results import Redecodes, UncheckedSpan
from .silence import is_invented
from .vad_pieces import speech_regions

OnResult = Callable[[int, "Decoded | Exception"], None]
"""Told of each request's outcome as soon as it is known: its index, then its result or its exception."""


Outcome = TypeVar("Outcome")


def report(
    on_result: Callable[[int, Outcome], None] | None, index: int, outcome: Outcome
) -> Outcome | Exception:
    """Tells `on_result` (if any) of request `index`'s outcome, once. An exception it raises becomes that
    request's outcome (returned here, not raised): it fails that request alone, and the other requests of
    the call go on and are reported as usual."""
    if on_result is None:
        return outcome
    try:
        on_result(index, outcome)
    except Exception as e:
        return e
    return outcome


VAD_PADDING_SAMPLES = VadOptions().speech_pad_ms * SAMPLE_RATE // 1000
"""Silence the VAD adds each side of a speech region (faster-whisper's default, 400 ms)."""
MAX_GAP_IN_CHUNK = 3.0
"""Seconds of silence between two VAD speech regions beyond which they are never decoded as one chunk
(a pause a listener hears as a break in the talk; the benchmark's speech pauses 0.5 s)."""
PLAN_THREADS = min(2, usable_cores())
"""Requests planned at once (VAD, log-mel features) when several are decoded together: on the 2-core VM the
158 benchmark clips' plans took 6.4 s with two threads against 9.2 s with one (loaded VM, best of 4). Two,
since each plan's VAD runs on one thread and the plans are a small part of the work."""
# faster-whisper's punctuation merging for word timestamps (its defaults).
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"  # noqa: RUF001 (CJK punctuation on purpose)


@dataclass(frozen=True)
class Request:
    """One transcription: 16 kHz mono `audio` and its options. Its words are always timed, whatever the
    format asked (JSON segments and subtitle cues are cut by them, and the check for skipped speech reads
    them, `_wordless`), so every format of a request has the same words from one decode."""

    audio: np.ndarray
    options: TranscribeOptions


@dataclass(frozen=True)
class Decoding:
    """Everything that decides how a chunk is decoded; chunks with equal Decoding can share a batch."""

    language: str
    task: str
    beam_size: int
    batch_size: int
    initial_prompt: str | None
    hotwords: str | None
    temperature: float
    word_timestamps: bool


@dataclass
class DecodedSegment:
    """A piece of decoded text with the scores the silence filter needs."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: list[Word] | None = None
    language: str | None = None
    """The language its chunk was decoded in, when the request asked for mixed_languages."""


@dataclass
class Chunk:
    """A stretch of speech decoded in one window. Times are in speech time (VAD gaps removed)."""

    audio: np.ndarray
    offset: float
    duration: float
    window_seconds: int
    features: np.ndarray
    region_lengths: list[int]
    """Samples of each VAD speech region the chunk is made of, in order (one entry with VAD off)."""
    speech_seconds: float
    """Seconds of speech in it: its regions less the VAD's padding (dropped_speech.py)."""
    segments: list[DecodedSegment] = field(default_factory=list)
    language: str | None = None
    """Its own language, detected on it, when the request asked for mixed_languages (else the plan's)."""


@dataclass
class Plan:
    """One request on its way through the steps."""

    request: Request
    decoding: Decoding
    language_probability: float
    chunks: list[Chunk]
    speech_map: SpeechTimestampsMap | None
    last_speech_timestamp: float = 0.0
    redecodes_left: int = 0
    """Chunks it may still decode again (ChunkingSettings.max_redecode_share of its chunks)."""
    redecodes: Redecodes = field(default_factory=Redecodes)
    unchecked: list[tuple[Chunk, str]] = field(default_factory=list)
    """Chunks a check flagged that the budget left as decoded, with the check (UncheckedSpan.check)."""
    pace: float | None = None
    """Its speaker's own pace, from its first decode (dropped_speech.speaker_pace); None: not known."""

    def decoding_of(self, chunk: Chunk) -> Decoding:
        """How `chunk` is decoded: the plan's Decoding, in the chunk's own language when it has one."""
        if chunk.language is None or chunk.language == self.decoding.language:
            return self.decoding
        return replace(self.decoding, language=chunk.language)


@dataclass(frozen=True)
class Batch:
    """Chunks of one window size and Decoding, from one request or several, decoded together."""

    decoding: Decoding
    members: list[tuple[Plan, Chunk]]
    tokenizer: Tokenizer
    prompt: list[int]
    suppressed_tokens: Sequence[int]


@dataclass(frozen=True)
class Generated:
    """What the encoder, the decoder and the word alignment made of a Batch, before its chunks are set."""

    pieces: list[list[dict[str, Any]]]
    """Each member's decoded pieces (faster-whisper's segment dicts), in the batch's order."""
    groups: list[list[int]]
    """The members aligned together (windows.alignment_groups), in the batch's order; none when the words
    are not timed."""
    alignments: list[list[list[dict[str, Any]]]]
    """Each group's word alignment (`WhisperModel.find_alignment`)."""


class _AlignedModel:
    """The model as `WhisperModel.add_word_timestamps` uses it, its alignment already made: that method's
    only costly step, the cross-attention alignment (`find_alignment`), then runs beside the decoder on
    the thread that decoded the batch, and the rest (which needs the request's previous chunk) in order.
    `add_word_timestamps` reads `find_alignment` and `frames_per_second` of its model (faster-whisper
    1.2.1, pinned; a test compares the word timings with its own call's)."""

    def __init__(self, model: WhisperModel, alignment: list[list[dict[str, Any]]]) -> None:
        self.frames_per_second = model.frames_per_second
        self._alignment = alignment

    def find_alignment(self, *_: object) -> list[list[dict[str, Any]]]:
        return self._alignment


@dataclass(frozen=True)
class Decoded:
    """A request's result: its segments in original time, the language and its probability."""

    segments: list[DecodedSegment]
    language: str
    language_probability: float
    redecodes: Redecodes = field(default_factory=Redecodes)
    unchecked: tuple[UncheckedSpan, ...] = ()
    """Chunks a check flagged that the budget left as decoded, in original time, in time order."""


@dataclass(frozen=True)
class ChunkingSettings:
    """Server-wide settings of the pipeline (see Settings)."""

    beam_size: int
    batch_size: int
    vad: bool
    chunk_seconds: int
    min_window_seconds: int
    short_window_seconds: int
    no_speech_threshold: float
    max_redecode_share: float
    parallel_batches: int = 1
    """Batches whose encoder, decoder and word alignment run at once, on as many replicas of the model
    (Settings)."""


class ChunkedDecoder:
    """Decodes lists of requests with one loaded WhisperModel. Not thread-safe (one worker uses it)."""

    def __init__(self, model: WhisperModel, settings: ChunkingSettings) -> None:
        self.model = model
        self.settings = settings
        self.redecoded_chunks = 0
        """Chunks decoded a second time because their text was too short (for logs and tests)."""
        self.widened_chunks = 0
        """Chunks decoded again in a 30 s window because their text said a sentence twice (likewise)."""

    def decode_many(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> list[Decoded | Exception]:
        """Each request's result or the exception that failed it, in order. Requests are finished in their
        order (see `_decode`), and `on_result(index, outcome)` hears of each as soon as it is, once; an
        exception `on_result` raises is that request's outcome in the list (`report`)."""
        results: list[Decoded | Exception | None] = [None] * len(requests)

        def finish(index: int, outcome: Decoded | Exception) -> None:
            results[index] = report(on_result, index, outcome)

        plans: list[tuple[int, Plan]] = []
        for index, planned in enumerate(self._plan_all(requests)):
            if isinstance(planned, Exception):
                finish(index, planned)
            else:
                plans.append((index, planned))
        index_of = {id(plan): index for index, plan in plans}
        try:
            self._decode([plan for _, plan in plans], lambda plan, done: finish(index_of[id(plan)], done))
        except Exception as e:
            # Which request broke the shared batches is unknown: each one not finished runs again on its own.
            for index, plan in plans:
                if results[index] is None:
                    finish(index, e if len(plans) == 1 else self._decode_alone(plan))
        return [result for result in results if result is not None]

    def _plan_all(self, requests: Sequence[Request]) -> list[Plan | Exception]:
        """Each request's plan, or the exception that failed it, in order. Several requests are planned on
        PLAN_THREADS threads at once: their VAD (ONNX Runtime, one thread each) and log-mel features leave
        the GIL, and nothing else runs while they are made (one core's work on two: docs/performance.md)."""

        def plan_or_error(request: Request) -> Plan | Exception:
            try:
                return self._plan(request)
            except Exception as e:
                return e

        if len(requests) < 2 or PLAN_THREADS < 2:
            return [plan_or_error(request) for request in requests]
        with ThreadPoolExecutor(max_workers=PLAN_THREADS, thread_name_prefix="plan") as pool:
            return list(pool.map(plan_or_error, requests))

    def _decode_alone(self, plan: Plan) -> Decoded | Exception:
        for chunk in plan.chunks:
            chunk.segments = []
        plan.last_speech_timestamp = 0.0
        plan.redecodes_left = math.ceil(self.settings.max_redecode_share * len(plan.chunks))
        plan.redecodes = Redecodes()
        plan.unchecked = []
        try:
            return self._decode([plan])[0]
        except Exception as e:
            return e

    def _plan(self, request: Request) -> Plan:
        audio, options = request.audio, request.options
        if audio.ndim != 1 or audio.dtype != np.float32:
            raise ValueError(f"audio must be 1-D float32 samples, got {audio.ndim}-D {audio.dtype}")
        vad = self.settings.vad if options.vad is None else options.vad
        limit = self.settings.chunk_seconds
        if vad:
            regions = speech_regions(
                audio, VadOptions(max_speech_duration_s=limit, min_silence_duration_ms=160)
            )
            pieces, metadata = _merge_regions(audio, regions, limit)
            speech_map = SpeechTimestampsMap(regions, SAMPLE_RATE) if regions else None
        else:
            # All the audio is decoded, in 30 s windows (15 s ones made tiny.en loop on the benchmark's
            # meeting). The VAD still says where the silences are, so that a window ends in one rather
            # than mid-word, and how much speech each window holds, for the dropped-speech check.
            regions = speech_regions(audio, VadOptions(min_silence_duration_ms=160))
            bounds = _window_bounds(audio, regions, windows.MAX_WINDOW_SECONDS * SAMPLE_RATE)
            pieces = [audio[begin:end] for begin, end in bounds]
            metadata = [
                {"offset": begin / SAMPLE_RATE, "duration": (end - begin) / SAMPLE_RATE, "segments": []}
                for begin, end in bounds
            ]
            speech_map = None
        padding = VAD_PADDING_SAMPLES if vad else 0
        chunks = []
        for piece, meta in zip(pieces, metadata, strict=True):
            lengths = [region["end"] - region["start"] for region in meta["segments"]] or [len(piece)]
            chunk = self._chunk(piece, meta["offset"], lengths, padding)
            if not vad:
                begin = int(meta["offset"] * SAMPLE_RATE)
                inside = [min(r["end"], begin + len(piece)) - max(r["start"], begin) for r in regions]
                speech = [length for length in inside if length > 0]
                chunk.speech_seconds = (
                    speech_seconds(speech, VAD_PADDING_SAMPLES, SAMPLE_RATE) if speech else 0.0
                )
            chunks.append(chunk)
        if options.mixed_languages and self.model.model.is_multilingual:
            language, probability = self._chunk_languages(chunks)
        else:
            language, probability = self._language(options, chunks)
        decoding = Decoding(
            language=language,
            task=options.task,
            beam_size=options.beam_size or self.settings.beam_size,
            batch_size=options.batch_size or self.settings.batch_size,
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            temperature=options.temperature,
            # Always: the check for skipped speech reads the word timings (`_wordless`).
            word_timestamps=True,
        )
        budget = math.ceil(self.settings.max_redecode_share * len(chunks))
        return Plan(request, decoding, probability, chunks, speech_map, redecodes_left=budget)

    def _chunk(self, audio: np.ndarray, offset: float, region_lengths: list[int], padding: int) -> Chunk:
        duration = len(audio) / SAMPLE_RATE
        seconds = windows.window_seconds(
            duration, self.settings.min_window_seconds, self.settings.short_window_seconds
        )
        features = self.model.feature_extractor(audio)[..., :-1]
        speech = speech_seconds(region_lengths, padding, SAMPLE_RATE)
        return Chunk(audio, offset, duration, seconds, features, region_lengths, speech)

    def _language(self, options: TranscribeOptions, chunks: list[Chunk]) -> tuple[str, float]:
        """The requested language, English for English-only models, else detected on the speech as
        faster-whisper's batched pipeline does (its first 30 s)."""
        if options.language is not None or not self.model.model.is_multilingual:
            return options.language or "en", 1.0
        padding = np.full((self.model.model.n_mels, 1), -1.5, dtype=np.float32)  # empty audio stays valid
        language, probability, _ = self.model.detect_language(
            features=np.concatenate([chunk.features for chunk in chunks] + [padding], axis=1)
        )
        return language, float(probability)

    def _chunk_languages(self, chunks: list[Chunk]) -> tuple[str, float]:
        """Detects each chunk's language on its own features (its first 30 s) and sets it on the chunk;
        returns the language of the most speech, with the mean probability of its chunks."""
        if not chunks:
            return self._language(TranscribeOptions(), chunks)
        padding = np.full((self.model.model.n_mels, 1), -1.5, dtype=np.float32)
        speech: dict[str, float] = defaultdict(float)
        probabilities: dict[str, list[float]] = defaultdict(list)
        for chunk in chunks:
            language, probability, _ = self.model.detect_language(
                features=np.concatenate([chunk.features, padding], axis=1)
            )
            chunk.language = language
            speech[language] += chunk.speech_seconds or chunk.duration
            probabilities[language].append(float(probability))
        main = max(speech, key=lambda language: speech[language])
        return main, float(np.mean(probabilities[main]))

    def _decode(
        self, plans: list[Plan], on_done: Callable[[Plan, Decoded], None] | None = None
    ) -> list[Decoded]:
        """Decodes `plans` in their order (the order their requests arrived in), each finished (checked,
        assembled, handed to `on_done`) as soon as its own chunks are decoded: no request waits for the
        work of one that came after it, except for the later chunks that fill the free places of its
        last batches (on a GPU, at no cost), and, with WHISPER_PARALLEL_BATCHES above 1, the next batches'
        encoder, decoder and word alignment, which run on other replicas of the model while a plan's
        chunks are checked. Each plan's chunks are decoded in the order they would be alone (`_solo_order`),
        and each batch's results are taken in that order on this thread, so its result is the same as
        alone."""
        steps = self._steps(plans)
        batches = [step for step in steps if isinstance(step, Batch)]
        results = []
        with computed_ahead(self._encode_and_generate, batches, self.settings.parallel_batches) as decoded:
            for step in steps:
                if isinstance(step, Batch):
                    self._take_decoded(step, next(decoded))
                    continue
                self._widen_repeats([step])
                self._redecode_truncated(step)
                results.append(self._assemble(step))
                if on_done is not None:
                    on_done(step, results[-1])
        return results

    def _steps(self, plans: list[Plan]) -> list[Batch | Plan]:
        """The batches that decode `plans`, each plan after the batch that holds its last chunk (where it is
        checked and finished), in the order they are taken: a plan's own chunks first, the free places of
        its last batch of a window size filled with the next plans' chunks of that size. Which chunks share
        a batch depends only on the plans, never on what was decoded, so the batches' encoder and decoder can
        run ahead of the checks (`computed_ahead`: with WHISPER_PARALLEL_BATCHES of 2, two at once)."""
        undecoded = {id(plan): collections.deque(_solo_order(plan)) for plan in plans}
        steps: list[Batch | Plan] = []
        for position, plan in enumerate(plans):
            own = undecoded[id(plan)]
            while own:
                seconds, size = own[0].window_seconds, plan.decoding.batch_size
                decoding = plan.decoding_of(own[0])
                members = _take_run(plan, own, seconds, decoding, size)
                for later in plans[position + 1 :]:
                    members += _take_run(later, undecoded[id(later)], seconds, decoding, size - len(members))
                steps.append(self._batch(decoding, members))
            steps.append(plan)
        return _split_for_replicas(steps, self.settings.parallel_batches)

    def _heard(self, chunk: Chunk) -> str:
        """The chunk's text less what the silence filter drops: what of it reaches the transcript."""
        return _text(self._heard_segments(chunk, chunk.segments))

    def _heard_segments(self, chunk: Chunk, segments: list[DecodedSegment]) -> list[DecodedSegment]:
        threshold = self.settings.no_speech_threshold
        return [s for s in segments if not is_invented(s, chunk.audio, threshold, chunk.offset)]

    def _wordless(self, chunk: Chunk, segments: list[DecodedSegment]) -> int:
        """The chunk's VAD regions of speech in which `segments` (heard, timed) have no word: speech
        skipped between sentences that were kept (dropped_speech.wordless_regions). 0 without timings."""
        words = [w for s in self._heard_segments(chunk, segments) for w in s.words or ()]
        if not words or len(chunk.region_lengths) < 2:
            return 0
        edges = chunk.offset + np.cumsum([0, *chunk.region_lengths]) / SAMPLE_RATE
        speech = [speech_seconds([n], VAD_PADDING_SAMPLES, SAMPLE_RATE) for n in chunk.region_lengths]
        middles = [(w.start + w.end) / 2 for w in words]
        return wordless_regions(list(itertools.pairwise(edges)), speech, middles)

    def _lost_speech(self, plan: Plan, chunk: Chunk, segments: list[DecodedSegment]) -> bool:
        """Whether `segments` look as if they lost some of `chunk`'s speech: too short for it, or a region
        of it without a word."""
        text = _text(segments)
        return looks_truncated(text, chunk.speech_seconds, plan.decoding_of(chunk).language, plan.pace) or (
            self._wordless(chunk, segments) > 0
        )

    def _better(self, chunk: Chunk, candidate: list[DecodedSegment], current: list[DecodedSegment]) -> bool:
        """Whether a re-decoded `candidate` replaces `current`: clearly longer, or longer with words in
        more of the chunk's regions (a skipped sentence can be short beside the rest of the chunk)."""
        if is_clearly_longer(_text(candidate), _text(current)):
            return True
        gaps = self._wordless(chunk, current)
        return (
            gaps > 0
            and self._wordless(chunk, candidate) < gaps
            and is_clearly_longer(_text(candidate), _text(current), min_gain=1.0)
        )

    def _within_budget(self, plan: Plan, suspects: list[Chunk], check: str) -> list[Chunk]:
        """The first of `suspects` (likeliest first) that `plan`'s re-decode budget allows (and takes from
        it); the others are left unchecked by `check`."""
        allowed = suspects[: plan.redecodes_left]
        plan.redecodes_left -= len(allowed)
        self._leave_unchecked(plan, suspects[len(allowed) :], check)
        return allowed

    @staticmethod
    def _leave_unchecked(plan: Plan, chunks: list[Chunk], check: str) -> None:
        """Counts `chunks` as over budget and reports them as unchecked by `check` (UncheckedSpan.check)."""
        plan.unchecked += [(chunk, check) for chunk in chunks]
        plan.redecodes = replace(plan.redecodes, over_budget=plan.redecodes.over_budget + len(chunks))

    def _redecode_truncated(self, plan: Plan) -> None:
        """Decodes again the chunks whose heard text is too short for their speech, fewest characters per
        second first. A chunk heard as nothing (noise, silence) is not judged: it lost no words.

        The budget is spent only on re-decodes that gain nothing: a chunk that got words back was speech
        that lost some, and gives its place back, so a recording with many such chunks loses none of them
        to the budget, while audio that fools the check (each re-decode as short as the first) is still
        bounded. A chunk of speech costs at most its re-decodes, once each."""
        heard = {id(chunk): self._heard(chunk) for chunk in plan.chunks}
        plan.pace = speaker_pace(
            [
                (text_share(heard[id(c)], c.speech_seconds, plan.decoding_of(c).language), c.speech_seconds)
                for c in plan.chunks
                if heard[id(c)] and c.speech_seconds > 0
            ]
        )
        suspects = [
            chunk
            for chunk in plan.chunks
            if heard[id(chunk)]
            and self._lost_speech(plan, chunk, self._heard_segments(chunk, chunk.segments))
        ]
        # Shortest against its own script's rate first (a kana chunk says fewer characters than a Latin one).
        suspects.sort(
            key=lambda chunk: text_share(
                heard[id(chunk)], chunk.speech_seconds, plan.decoding_of(chunk).language
            )
        )
        for position, chunk in enumerate(suspects):
            if plan.redecodes_left <= 0:
                for left in suspects[position:]:
                    short = looks_truncated(
                        heard[id(left)], left.speech_seconds, plan.decoding_of(left).language, plan.pace
                    )
                    self._leave_unchecked(plan, [left], "too_short" if short else "skipped_region")
                break
            plan.redecodes_left -= 1
            plan.redecodes = replace(plan.redecodes, truncated=plan.redecodes.truncated + 1)
            if self._redecode(plan, chunk):
                plan.redecodes_left += 1

    def _decode_all(self, members: list[tuple[Plan, Chunk]]) -> None:
        """Decodes `members` in batches of chunks that share their Decoding and window size."""
        groups: dict[tuple[Decoding, int], list[tuple[Plan, Chunk]]] = defaultdict(list)
        for plan, chunk in members:
            groups[(plan.decoding_of(chunk), chunk.window_seconds)].append((plan, chunk))
        for (decoding, _), group in groups.items():
            for start in range(0, len(group), decoding.batch_size):
                self._decode_batch(decoding, group[start : start + decoding.batch_size])

    def _widen_repeats(self, plans: list[Plan]) -> None:
        """Decodes again in a 30 s window each chunk that a shorter window made repeat itself (a sentence
        or clause twice, or a loop: repeated_speech.py); the new text replaces the first when it no
        longer repeats."""
        retries = []
        for plan in plans:
            suspects = [
                chunk
                for chunk in plan.chunks
                if chunk.window_seconds < windows.MAX_WINDOW_SECONDS and repeats_itself(self._heard(chunk))
            ]
            chosen = self._within_budget(plan, suspects, "repeated")
            plan.redecodes = replace(plan.redecodes, repeated=plan.redecodes.repeated + len(chosen))
            retries += [
                (plan, chunk, replace(chunk, window_seconds=windows.MAX_WINDOW_SECONDS, segments=[]))
                for chunk in chosen
            ]
        self._decode_all([(plan, wide) for plan, _, wide in retries])
        self.widened_chunks += len(retries)
        for plan, chunk, wide in retries:
            if not repeats_itself(_text(wide.segments)):
                chunk.segments = wide.segments
                plan.redecodes_left += 1  # it was fixed: the budget bounds only re-decodes that gain nothing

    def _tokenizer(self, decoding: Decoding) -> Tokenizer:
        return Tokenizer(
            self.model.hf_tokenizer,
            self.model.model.is_multilingual,
            task=decoding.task,
            language=decoding.language,
        )

    def _decode_batch(self, decoding: Decoding, members: list[tuple[Plan, Chunk]]) -> None:
        """Encodes and decodes chunks of one window size and Decoding as one batch."""
        batch = self._batch(decoding, members)
        self._take_decoded(batch, self._encode_and_generate(batch))

    def _batch(self, decoding: Decoding, members: list[tuple[Plan, Chunk]]) -> Batch:
        """What `_encode_and_generate` needs of a batch. The tokenizer's work (the prompt, the suppressed
        tokens) is done here, on the caller's thread, so that the other step only calls CTranslate2."""
        model = self.model
        tokenizer = self._tokenizer(decoding)
        prompt = model.get_prompt(
            tokenizer,
            # Encoded as the budget counts it (prompt.py); faster-whisper's batched pipeline does not strip.
            previous_tokens=prompt_token_ids(model.hf_tokenizer, decoding.initial_prompt)
            if decoding.initial_prompt
            else [],
            without_timestamps=True,
            hotwords=decoding.hotwords,
        )
        return Batch(decoding, members, tokenizer, prompt, get_suppressed_tokens(tokenizer, [-1]))

    def _encode_and_generate(self, batch: Batch) -> Generated:
        """The batch's encoder output, decoder results and, when its words are timed, their cross-attention
        alignment. No tokenizer state is changed and nothing of the batch's chunks is set: safe on any
        thread, several batches at once on a model with as many replicas (`ahead.computed_ahead`)."""
        model, decoding, tokenizer = self.model, batch.decoding, batch.tokenizer
        seconds = batch.members[0][1].window_seconds
        encoded = windows.encode(
            model.model, [windows.fit_features(chunk.features, seconds) for _, chunk in batch.members]
        )
        results = model.model.generate(
            windows.storage(encoded),
            [list(batch.prompt) for _ in batch.members],
            beam_size=decoding.beam_size,
            max_length=model.max_length,
            suppress_blank=True,
            suppress_tokens=batch.suppressed_tokens,
            return_scores=True,
            return_no_speech_prob=True,
            sampling_temperature=decoding.temperature,
        )
        pieces: list[list[dict[str, Any]]] = []
        for (_, chunk), result in zip(batch.members, results, strict=True):
            tokens = result.sequences_ids[0]
            avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
            chunk_pieces, _, _ = model._split_segments_by_timestamps(
                tokenizer=tokenizer,
                tokens=tokens,
                time_offset=chunk.offset,
                segment_size=_frames(chunk),
                segment_duration=chunk.duration,
                seek=0,
            )
            for piece in chunk_pieces:
                piece.update(
                    seek=int(chunk.offset * windows.FRAMES_PER_SECOND),
                    avg_logprob=avg_logprob,
                    no_speech_prob=result.no_speech_prob,
                )
            pieces.append(chunk_pieces)
        # Never across requests, so that a request's timings do not depend on which other requests shared
        # its batch (windows.alignment_groups: on CPU one chunk at a time, on a GPU a request's chunks of the
        # batch together).
        owners = [id(plan) for plan, _ in batch.members]
        groups = windows.alignment_groups(model.model.device, owners) if decoding.word_timestamps else []
        alignments = [
            model.find_alignment(
                tokenizer,
                [_text_tokens(pieces[i], tokenizer) for i in indices],
                windows.storage(encoded[indices]),
                [_frames(batch.members[i][1]) for i in indices],
            )
            for indices in groups
        ]
        return Generated(pieces, groups, alignments)

    def _take_decoded(self, batch: Batch, generated: Generated) -> None:
        """Sets each chunk's segments from what was decoded of the batch, its words timed in order: each
        request's words follow on from the chunk timed before (`Plan.last_speech_timestamp`)."""
        tokenizer, members, outputs = batch.tokenizer, batch.members, generated.pieces
        # The alignment moves a piece's bounds to its words; the bounds stay as decoded, so that a
        # segment is judged (silence, no speech) the same whether its words were timed or not.
        bounds = [[(piece["start"], piece["end"]) for piece in pieces] for pieces in outputs]
        for indices, alignment in zip(generated.groups, generated.alignments, strict=True):
            owner = members[indices[0]][0]
            last = WhisperModel.add_word_timestamps(
                _AlignedModel(self.model, alignment),  # type: ignore[arg-type]
                [outputs[i] for i in indices],
                tokenizer,
                None,  # type: ignore[arg-type]  (the alignment is already made)
                [_frames(members[i][1]) for i in indices],
                PREPEND_PUNCTUATIONS,
                APPEND_PUNCTUATIONS,
                owner.last_speech_timestamp,
            )
            if last is not None:
                owner.last_speech_timestamp = last
        for (_, chunk), pieces, spans in zip(members, outputs, bounds, strict=True):
            chunk.segments = [
                DecodedSegment(
                    start=start,
                    end=end,
                    text=tokenizer.decode(piece["tokens"]),
                    avg_logprob=piece["avg_logprob"],
                    no_speech_prob=piece["no_speech_prob"],
                    words=[Word(**word) for word in piece["words"]] if "words" in piece else None,
                )
                for piece, (start, end) in zip(pieces, spans, strict=True)
            ]

    def _redecode(self, plan: Plan, chunk: Chunk) -> bool:
        """Decodes `chunk` again the safe way; a clearly longer text replaces the first one. Returns
        whether one did.

        First sequentially with timestamps, which moves on through the audio until all of it is
        covered. If that is still too short and the chunk is made of several VAD speech regions, region
        by region, each in its own window, so that no region can be skipped for another (the usual loss
        is a whole sentence); this hears less context, so it is the last resort.
        """
        self.redecoded_chunks += 1
        first = chunk.segments
        decoding = plan.decoding_of(chunk)
        candidate = self._sequential(decoding, chunk)
        if self._better(chunk, candidate, chunk.segments):
            chunk.segments = candidate
        if len(chunk.region_lengths) > 1 and self._lost_speech(plan, chunk, chunk.segments):
            bounds = np.cumsum([0, *chunk.region_lengths])
            parts = [
                self._chunk(
                    chunk.audio[begin:end],
                    chunk.offset + begin / SAMPLE_RATE,
                    [end - begin],
                    VAD_PADDING_SAMPLES,
                )
                for begin, end in itertools.pairwise(bounds)
            ]
            for part in parts:
                part.language = chunk.language
            for seconds in sorted({part.window_seconds for part in parts}):
                members = [(plan, part) for part in parts if part.window_seconds == seconds]
                self._decode_batch(decoding, members)
            candidate = [segment for part in parts for segment in part.segments]
            if self._better(chunk, candidate, chunk.segments):
                chunk.segments = candidate
        return chunk.segments is not first

    def _sequential(self, decoding: Decoding, chunk: Chunk) -> list[DecodedSegment]:
        offset = chunk.offset
        segments, _ = self.model.transcribe(
            chunk.audio,
            language=decoding.language,
            task=decoding.task,
            beam_size=decoding.beam_size,
            initial_prompt=decoding.initial_prompt,
            hotwords=decoding.hotwords,
            temperature=decoding.temperature,
            # Always: faster-whisper moves its seek by the word timings, which changes the text; timing
            # the words in every case keeps the text the same whichever format asked.
            word_timestamps=True,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=False,
        )
        return [
            DecodedSegment(
                start=offset + s.start,
                end=offset + s.end,
                text=s.text,
                avg_logprob=s.avg_logprob,
                no_speech_prob=s.no_speech_prob,
                words=None
                if s.words is None
                else [Word(offset + w.start, offset + w.end, w.word, w.probability) for w in s.words],
            )
            for s in segments
        ]

    def _assemble(self, plan: Plan) -> Decoded:
        segments = [segment for chunk in plan.chunks for segment in chunk.segments]
        for chunk in plan.chunks:
            for segment in chunk.segments:
                segment.language = chunk.language
        for segment in segments:
            if plan.speech_map is not None:
                _to_original_time(segment, plan.speech_map)
            # Plain floats in milliseconds, as faster-whisper rounds them (not numpy scalars).
            segment.start, segment.end = round(float(segment.start), 3), round(float(segment.end), 3)
            for word in segment.words or ():
                word.start, word.end = round(float(word.start), 3), round(float(word.end), 3)
                word.probability = float(word.probability)
        unchecked = sorted(
            (_original_span(chunk, plan.speech_map, check) for chunk, check in plan.unchecked),
            key=lambda span: span.start,
        )
        return Decoded(
            segments, plan.decoding.language, plan.language_probability, plan.redecodes, tuple(unchecked)
        )


def _solo_order(plan: Plan) -> list[Chunk]:
    """The order a plan's chunks are decoded in when it is alone: by window size and language (first seen
    first), then in time. Word timings follow on from the chunk decoded before
    (`Plan.last_speech_timestamp`)."""
    by_window: dict[tuple[int, str | None], list[Chunk]] = defaultdict(list)
    for chunk in plan.chunks:
        by_window[(chunk.window_seconds, chunk.language)].append(chunk)
    return [chunk for group in by_window.values() for chunk in group]


def _split_for_replicas(steps: list[Batch | Plan], parallel_batches: int) -> list[Batch | Plan]:
    """`steps` with their largest batch cut in two halves (in order) until there are `parallel_batches`
    batches or none holds two chunks: a short request alone (one batch) then keeps every replica of the
    model busy. A chunk's text does not depend on the batch it shares, nor on CPU its timings, each chunk
    being encoded and aligned on its own there (windows.py; test_packing, test_parallel_batches)."""
    steps = list(steps)
    while steps and sum(isinstance(step, Batch) for step in steps) < parallel_batches:
        sizes = [len(step.members) if isinstance(step, Batch) else 0 for step in steps]
        largest = max(range(len(steps)), key=sizes.__getitem__)
        batch = steps[largest]
        if not isinstance(batch, Batch) or len(batch.members) < 2:
            break
        half = (len(batch.members) + 1) // 2
        steps[largest : largest + 1] = [
            replace(batch, members=batch.members[:half]),
            replace(batch, members=batch.members[half:]),
        ]
    return steps


def _take_run(
    plan: Plan, undecoded: collections.deque[Chunk], seconds: int, decoding: Decoding, room: int
) -> list[tuple[Plan, Chunk]]:
    """Up to `room` of `plan`'s next undecoded chunks, as long as they have `seconds` windows and are
    decoded as `decoding`."""
    run = []
    while (
        undecoded
        and len(run) < room
        and undecoded[0].window_seconds == seconds
        and plan.decoding_of(undecoded[0]) == decoding
    ):
        run.append((plan, undecoded.popleft()))
    return run


def _merge_regions(
    audio: np.ndarray, regions: list[dict[str, int]], limit: float
) -> tuple[list[np.ndarray], list[dict[str, Any]]]:
    """VAD speech regions merged into chunks of at most `limit` seconds of speech, as faster-whisper's
    `collect_chunks` merges them, except that a pause longer than MAX_GAP_IN_CHUNK always starts a new
    chunk: the decoder never hears two sides of a long silence as one stretch of speech. Each chunk's
    `offset` is in speech time (the regions' audio end to end, silences removed)."""
    pieces: list[np.ndarray] = []
    metadata: list[dict[str, Any]] = []
    group: list[dict[str, int]] = []
    offset = 0
    longest, gap = limit * SAMPLE_RATE, MAX_GAP_IN_CHUNK * SAMPLE_RATE
    for region in [*regions, None]:
        length = sum(r["end"] - r["start"] for r in group)
        if group and (
            region is None
            or length + region["end"] - region["start"] > longest
            or region["start"] - group[-1]["end"] > gap
        ):
            pieces.append(np.concatenate([audio[r["start"] : r["end"]] for r in group]))
            metadata.append(
                {"offset": offset / SAMPLE_RATE, "duration": length / SAMPLE_RATE, "segments": group}
            )
            offset += length
            group = []
        if region is not None:
            group.append(region)
    return pieces, metadata


def _window_bounds(audio: np.ndarray, regions: list[dict[str, int]], longest: int) -> list[tuple[int, int]]:
    """Sample ranges that cover all of `audio`, each at most `longest` samples: every cut in the middle of
    the last silence between two VAD speech regions in the second half of the window, else (speech all
    through) at its quietest 10 ms."""
    bounds: list[tuple[int, int]] = []
    begin, total = 0, audio.shape[0]
    silences = [(a["end"], b["start"]) for a, b in itertools.pairwise(regions)]
    if regions:
        silences = [(0, regions[0]["start"]), *silences, (regions[-1]["end"], total)]
    while total - begin > longest:
        low, high = begin + longest // 2, begin + longest
        inside = [(max(a, low), min(b, high)) for a, b in silences if min(b, high) > max(a, low)]
        if inside:
            cut = (inside[-1][0] + inside[-1][1]) // 2
        else:
            frame = SAMPLE_RATE // 100
            energy = (
                np.square(audio[low:high][: (high - low) // frame * frame]).reshape(-1, frame).sum(axis=1)
            )
            cut = low + int(np.argmin(energy)) * frame + frame // 2
        bounds.append((begin, cut))
        begin = cut
    bounds.append((begin, total))
    return bounds


def _frames(chunk: Chunk) -> int:
    """Frames of the window that hold the chunk (whole seconds, as faster-whisper counts them)."""
    return int(math.ceil(chunk.duration) * windows.FRAMES_PER_SECOND)


def _text_tokens(pieces: list[dict[str, Any]], tokenizer: Tokenizer) -> list[int]:
    """A chunk's text tokens as `WhisperModel.add_word_timestamps` aligns them: its pieces' tokens, less
    the special and timestamp ones."""
    return [token for piece in pieces for token in piece["tokens"] if token < tokenizer.eot]


def _text(segments: list[DecodedSegment]) -> str:
    return " ".join(s.text.strip() for s in segments)


def _original_span(chunk: Chunk, speech_map: SpeechTimestampsMap | None, check: str) -> UncheckedSpan:
    """Where `chunk` lies in the request's audio (its speech time mapped back, as segments are)."""
    start, end = chunk.offset, chunk.offset + chunk.duration
    if speech_map is not None:
        start, end = speech_map.get_original_time(start), speech_map.get_original_time(end, is_end=True)
    return UncheckedSpan(round(float(start), 3), round(float(end), 3), check)


def _to_original_time(segment: DecodedSegment, speech_map: SpeechTimestampsMap) -> None:
    """Maps speech time (VAD gaps removed) back to the audio's time, as faster-whisper does: words
    by their middle, so that a word never straddles a gap. The segment keeps its decoded bounds (the
    sentences cut from its words are timed by them: sentences.py)."""
    for word in segment.words or ():
        index = speech_map.get_chunk_index((word.start + word.end) / 2)
        word.start = speech_map.get_original_time(word.start, index)
        word.end = speech_map.get_original_time(word.end, index)
    segment.start = speech_map.get_original_time(segment.start)
    segment.end = speech_map.get_original_time(segment.end, is_end=True)
