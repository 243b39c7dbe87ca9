"""The Whisper model and how requests are decoded.

Loaded once per process. `transcribe` and `transcribe_many` are blocking and not thread-safe by design:
the server calls them from its single worker thread (jobs.py), so only one job uses the device at a time.
Within a call, on CPU, two batches are decoded at once on two replicas of the model (WHISPER_PARALLEL_BATCHES;
chunked.py, ahead.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel

from . import writing
from .audio import SAMPLE_RATE
from .blas_threads import one_blas_thread
from .chunked import ChunkedDecoder, ChunkingSettings, Decoded, DecodedSegment, Request, report
from .cores import usable_cores
from .errors import bad_option
from .model_name import describe_model
from .options import TranscribeOptions
from .results import Segment, Transcription, Word
from .sentences import split_sentences, words_text
from .settings import Device, Settings
from .silence import is_invented
from .word_edges import loud_frames, trim_word

log = logging.getLogger(__name__)


class Transcriber:
    """A loaded model plus the server-wide decoding defaults resolved for its device."""

    def __init__(self, settings: Settings) -> None:
        self.device: Device = settings.resolve_device(ctranslate2.get_cuda_device_count())
        self.compute_type = settings.resolve_compute_type(self.device)
        self.batch_size = settings.resolve_batch_size(self.device)
        self.beam_size = settings.beam_size
        self.batched = settings.batched
        self.vad = settings.vad
        self.no_speech_threshold = settings.no_speech_threshold
        if not (Path(settings.model_dir) / "model.bin").is_file():
            raise FileNotFoundError(
                f"MODEL_DIR={settings.model_dir} holds no model.bin: point it at a CTranslate2 Whisper model "
                "(SageMaker mounts the model data at /opt/ml/model)"
            )
        self.model_dir = settings.model_dir
        cores = usable_cores()
        self.parallel_batches = settings.resolve_parallel_batches(self.device, cores)
        self.cpu_threads = (
            settings.resolve_cpu_threads(self.parallel_batches, cores)
            if self.device == "cpu"
            else settings.cpu_threads
        )
        """Threads of each replica of the model (CTranslate2's intra_threads; on CUDA for its CPU work)."""
        self.model = WhisperModel(
            settings.model_dir,
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
            num_workers=self.parallel_batches,  # replicas: one for each batch decoded at once
        )
        self.model_name = settings.model_name or describe_model(settings.model_dir)
        """What the JSON's `model` says: WHISPER_MODEL_NAME, else the size read from the weights."""
        self.min_window_seconds = settings.resolve_min_window_seconds(self.device)
        self.short_window_seconds = settings.resolve_short_window_seconds(self.device)
        self.chunk_seconds = settings.resolve_chunk_seconds(self.device)
        self.chunked = ChunkedDecoder(
            self.model,
            ChunkingSettings(
                beam_size=self.beam_size,
                batch_size=self.batch_size,
                vad=self.vad,
                chunk_seconds=self.chunk_seconds,
                min_window_seconds=self.min_window_seconds,
                short_window_seconds=self.short_window_seconds,
                no_speech_threshold=self.no_speech_threshold,
                max_redecode_share=settings.max_redecode_share,
                parallel_batches=self.parallel_batches,
            ),
        )
        log.info(
            "model loaded",
            extra={
                "model_dir": settings.model_dir,
                "model_name": self.model_name,
                "multilingual": self.multilingual,
                "device": self.device,
                "compute_type": self.compute_type,
                "batched": self.batched,
                "batch_size": self.batch_size,
                "beam_size": self.beam_size,
                "vad": self.vad,
                "chunk_seconds": self.chunk_seconds,
                "min_window_seconds": self.min_window_seconds,
                "short_window_seconds": self.short_window_seconds,
                "parallel_batches": self.parallel_batches,
                "cpu_threads": self.cpu_threads,
            },
        )

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    @property
    def supported_languages(self) -> list[str]:
        return list(self.model.supported_languages)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Transcription:
        """Decodes 16 kHz mono `audio`; raises what failed it.

        The words are always timed, whatever format the caller renders (the JSON's sentence-sized segments
        and the subtitle cues are cut by them, and the check for skipped speech reads them: chunked.py), so
        every format has the same text from one decode. Sequential decoding (WHISPER_BATCHED=false) always
        times its segments and words: without timestamps it skips text it did not finish in a window (the
        seed path's WER), and its word timings move its seek.
        """
        result = self.transcribe_many([Request(audio, options)])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def transcribe_many(
        self,
        requests: Sequence[Request],
        on_result: Callable[[int, Transcription | Exception], None] | None = None,
    ) -> list[Transcription | Exception]:
        """Decodes several requests together: with the batched path their chunks share encoder and
        decoder batches, which is where waiting short requests gain. Each result is the same as
        `transcribe` of that request alone; a request that fails gets its exception in its place and
        does not fail the others. Requests are finished in their order, and `on_result(index, outcome)`
        hears of each as soon as it is (before the later ones are done), once. An exception raised while
        a result is turned into its Transcription, or by `on_result`, fails that request alone: it is
        that request's outcome (`chunked.report`)."""
        outcomes: list[Transcription | Exception | None] = [None] * len(requests)

        def finish(index: int, outcome: Decoded | Transcription | Exception) -> None:
            if isinstance(outcome, Decoded):
                try:
                    outcome = self._result(requests[index].audio, outcome)
                except Exception as e:
                    outcome = e
            outcomes[index] = report(on_result, index, outcome)

        # On CPU numpy's OpenBLAS threads would spin between CTranslate2's calls on the cores it needs.
        with one_blas_thread() if self.device == "cpu" else contextlib.nullcontext():
            if not self.batched:
                for index, request in enumerate(requests):
                    finish(index, self._sequential_or_error(request))
            else:
                self.chunked.decode_many(requests, finish)  # finishes every request, failed or not
        # One result per request, in its place: a request left unfinished (never expected) fails alone
        # rather than shifting the later results onto the wrong requests.
        return [
            RuntimeError(f"request {index} was never finished") if outcome is None else outcome
            for index, outcome in enumerate(outcomes)
        ]

    def _sequential_or_error(self, request: Request) -> Transcription | Exception:
        try:
            return self._sequential(request.audio, request.options)
        except Exception as e:
            return e

    def _sequential(self, audio: np.ndarray, options: TranscribeOptions) -> Transcription:
        """faster-whisper's own sequential decoding (30 s windows, timestamps, seek loop)."""
        if options.mixed_languages:
            raise bad_option("mixed_languages", "needs the batched pipeline (WHISPER_BATCHED=true)")
        segments, info = self.model.transcribe(
            audio,
            language=options.language,
            task=options.task,
            beam_size=options.beam_size or self.beam_size,
            word_timestamps=True,
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            temperature=options.temperature,
            vad_filter=self.vad if options.vad is None else options.vad,
            # Conditioning adds up to 223 tokens of the text so far to the hotwords' own (prompt.py counts
            # only what the request sent): with hotwords the decoder would be left no room to write.
            condition_on_previous_text=not options.hotwords,
        )
        decoded = [
            DecodedSegment(s.start, s.end, s.text, s.avg_logprob, s.no_speech_prob, s.words) for s in segments
        ]
        return self._result(audio, Decoded(decoded, info.language, float(info.language_probability)))

    def _result(self, audio: np.ndarray, decoded: Decoded) -> Transcription:
        """The transcription of what was decoded: invented text dropped, words trimmed to their sound
        (word_edges.py), each chunk's text cut into sentence-sized segments where its words are timed
        (sentences.py)."""
        segments: list[Segment] = []
        loud = loud_frames(audio, SAMPLE_RATE)
        for chunk in self._drop_non_speech(decoded.segments, audio):
            if not chunk.words:
                segments.append(replace(chunk, id=len(segments)))
                continue
            words = chunk.words if loud is None else [trim_word(word, loud) for word in chunk.words]
            for run in split_sentences(words):
                segments.append(
                    Segment(
                        len(segments),
                        run[0].start,
                        run[-1].end,
                        words_text(run),
                        tuple(run),
                        language=chunk.language,
                    )
                )
        return Transcription(
            text=writing.join_pieces([s.text for s in segments]),
            language=decoded.language,
            language_probability=decoded.language_probability,
            duration=audio.shape[0] / SAMPLE_RATE,
            segments=tuple(segments),
            redecodes=decoded.redecodes,
            unchecked=decoded.unchecked,
        )

    def _drop_non_speech(self, segments: Iterable[DecodedSegment], audio: np.ndarray) -> list[Segment]:
        """Drops empty segments and those Whisper invented for silence or noise (silence.py)."""
        kept: list[Segment] = []
        for s in segments:
            if is_invented(s, audio, self.no_speech_threshold):
                continue
            text = writing.tidy_spaces(s.text)
            words = None
            if s.words is not None:
                words = tuple(
                    Word(w.start, w.end, w.word.strip(), w.probability, spaced=w.word[:1].isspace())
                    for w in s.words
                    if w.word.strip()
                )
            kept.append(
                Segment(id=len(kept), start=s.start, end=s.end, text=text, words=words, language=s.language)
            )
        return kept
