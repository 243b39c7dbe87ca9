"""What each chunk of the server's default path would give decoded another way: a diagnostic for the
languages where the default path trails sequential faster-whisper (docs/languages.md, "What changed, and
what is left").

For every clip of bench_languages.py's speech, the chunks are decoded as the server does (batched, without
timestamps, then its repeated- and dropped-speech checks), and each chunk again in a 30 s window,
sequentially with timestamps (the two re-decodes the server has), and sequentially with the chunks either
side of it, its own words kept (the speech around a sentence that the sequential path hears). It prints
per language the error rate of rules that would pick chunks to re-decode, within the request's re-decode
budget (WHISPER_MAX_REDECODE_SHARE, less what the server's own checks used) or not:

- the least confident chunks (lowest average log probability) re-decoded each way;
- a re-decode kept only when its log probability is higher than the first decode's;
- every chunk re-decoded (no budget), and the best choice per clip known from the reference (an oracle:
  no rule can do better with these re-decodes).

`--clips` adds each chunk's log probability, its share of the clip's word errors (reference words assigned
to the chunk by a word alignment), the clip's error rate with that chunk re-decoded each way, and
whether its last VAD speech region of 1 s or more has any word timed in it (a lost last sentence).
Chunk errors are counted in words: for the languages scored by words (not zh, ja, ko).
It reaches into the decoder's steps (ChunkedDecoder's private methods), so it is a bench tool only.

Run: .venv/bin/python inference/bench/chunk_alternatives.py [--languages es,el] [--clips]
     [--chunk-seconds 30 --min-window-seconds 30]
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass, replace

import numpy as np
from bench_languages import add_chunking_arguments, chunking_overrides, clips, error_rate
from wer import normalize

from whisper_server import local_models, windows
from whisper_server.chunked import Chunk, ChunkedDecoder, Plan, Request
from whisper_server.dropped_speech import MIN_SPEECH_SECONDS
from whisper_server.options import TranscribeOptions
from whisper_server.settings import Settings
from whisper_server.transcriber import Transcriber

WAYS = ("wide", "sequential", "context")
"""The re-decodes: in a 30 s window; sequentially with timestamps (the two the server has); and
sequentially over the chunk with the chunks either side of it, its own words kept (`in_context`)."""


@dataclass
class ChunkTexts:
    """One chunk: the server's text and log probability, the re-decodes' texts and log probabilities."""

    text: str
    logprob: float
    checked: bool
    """Whether the server's own checks decoded it again (its budget is spent on it)."""
    last_region_heard: bool
    alternatives: dict[str, tuple[str, float]]


def mean_logprob(chunk: Chunk) -> float:
    return float(np.mean([s.avg_logprob for s in chunk.segments])) if chunk.segments else 0.0


def probe(decoder: ChunkedDecoder, audio: np.ndarray) -> tuple[list[ChunkTexts], int]:
    """Each chunk of `audio` decoded the server's way and the other WAYS, and the budget left."""
    plan: Plan = decoder._plan(Request(audio, TranscribeOptions()))
    for seconds in sorted({chunk.window_seconds for chunk in plan.chunks}):
        decoder._decode_batch(plan.decoding, [(plan, c) for c in plan.chunks if c.window_seconds == seconds])
    first = [decoder._heard(chunk) for chunk in plan.chunks]
    decoder._widen_repeats([plan])
    decoder._redecode_truncated(plan)
    result = []
    for index, (chunk, before) in enumerate(zip(plan.chunks, first, strict=True)):
        wide = replace(chunk, window_seconds=windows.MAX_WINDOW_SECONDS, segments=[])
        decoder._decode_batch(plan.decoding, [(plan, wide)])
        sequential = replace(chunk, segments=decoder._sequential(plan.decoding, chunk))
        ends = np.cumsum([0, *chunk.region_lengths]) / 16000 + chunk.offset
        words = [w for s in chunk.segments for w in s.words or ()]
        last_heard = ends[-1] - ends[-2] < MIN_SPEECH_SECONDS or any(
            (w.start + w.end) / 2 >= ends[-2] for w in words
        )
        text = decoder._heard(chunk)
        alternatives = {
            "wide": (decoder._heard(wide), mean_logprob(wide)),
            "sequential": (decoder._heard(sequential), mean_logprob(sequential)),
            "context": in_context(decoder, plan, index),
        }
        result.append(ChunkTexts(text, mean_logprob(chunk), text != before, last_heard, alternatives))
    return result, plan.redecodes_left


def in_context(decoder: ChunkedDecoder, plan: Plan, index: int) -> tuple[str, float]:
    """Chunk `index` decoded sequentially with timestamps together with its neighbours (as the
    sequential path hears a sentence, with the speech around it): the words whose middle is in it, and
    the mean log probability of the segments they came from."""
    chunk = plan.chunks[index]
    around = plan.chunks[max(0, index - 1) : index + 2]
    stretch = replace(around[0], audio=np.concatenate([c.audio for c in around]))
    begin, end = chunk.offset, chunk.offset + chunk.duration
    words, logprobs = [], []
    for segment in decoder._sequential(plan.decoding, stretch):
        inside = [w.word for w in segment.words or () if begin <= (w.start + w.end) / 2 < end]
        words += inside
        logprobs += [segment.avg_logprob] if inside else []
    return "".join(words).strip(), float(np.mean(logprobs)) if logprobs else 0.0


def chunk_errors(reference: str, texts: list[str]) -> list[tuple[int, int]]:
    """(errors, reference words) per chunk: the clip's word alignment, each reference word given to the
    chunk of the word it is aligned with (a deleted word to the chunk of the word before it)."""
    ref = normalize(reference)
    hyp, owner = [], []
    for index, text in enumerate(texts):
        words = normalize(text)
        hyp += words
        owner += [index] * len(words)
    cost = np.zeros((len(ref) + 1, len(hyp) + 1), dtype=int)
    cost[:, 0], cost[0, :] = range(len(ref) + 1), range(len(hyp) + 1)
    for i, j in itertools.product(range(1, len(ref) + 1), range(1, len(hyp) + 1)):
        cost[i, j] = min(
            cost[i - 1, j] + 1, cost[i, j - 1] + 1, cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1])
        )
    counts = [[0, 0] for _ in texts]
    i, j = len(ref), len(hyp)
    while i or j:
        if i and j and cost[i, j] == cost[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            counts[owner[j - 1]][0] += ref[i - 1] != hyp[j - 1]
            counts[owner[j - 1]][1] += 1
            i, j = i - 1, j - 1
        elif i and cost[i, j] == cost[i - 1, j] + 1:
            chunk = owner[max(j - 1, 0)] if owner else 0
            counts[chunk][0] += 1
            counts[chunk][1] += 1
            i -= 1
        else:
            counts[owner[j - 1]][0] += 1
            j -= 1
    return [(errors, words) for errors, words in counts]


def with_choice(chunks: list[ChunkTexts], choice: dict[int, str]) -> str:
    return " ".join(
        chunks[i].alternatives[choice[i]][0] if i in choice else c.text for i, c in enumerate(chunks)
    )


def rules(chunks: list[ChunkTexts], budget: int) -> dict[str, dict[int, str]]:
    """The chunks each rule re-decodes, and how."""
    free = [i for i, c in enumerate(chunks) if not c.checked]
    unsure = sorted(free, key=lambda i: chunks[i].logprob)[:budget]
    chosen = {"the server's path": {}}
    for way in WAYS:
        chosen[f"least confident -> {way}"] = {i: way for i in unsure}
        chosen[f"{way}, kept if its log prob is higher"] = {
            i: way for i in unsure if chunks[i].alternatives[way][1] > chunks[i].logprob
        }
        chosen[f"every chunk -> {way} (no budget)"] = {i: way for i in free}
    return chosen


def oracle(language: str, reference: str, chunks: list[ChunkTexts], budget: int) -> str:
    """The best text the two re-decodes can give, chosen with the reference, at most `budget` chunks."""
    free = [i for i, c in enumerate(chunks) if not c.checked]
    best = (error_rate(language, [reference], [with_choice(chunks, {})])[1], with_choice(chunks, {}))
    for count in range(1, min(budget, len(free)) + 1):
        for picked in itertools.combinations(free, count):
            for ways in itertools.product(WAYS, repeat=count):
                text = with_choice(chunks, dict(zip(picked, ways, strict=True)))
                best = min(best, (error_rate(language, [reference], [text])[1], text))
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--languages", default="es,el", help="comma-separated codes (default es,el)")
    add_chunking_arguments(parser)
    parser.add_argument("--clips", action="store_true", help="print each chunk's figures too")
    args = parser.parse_args()
    model_dir = str(local_models.multilingual_model_dir())
    decoder = Transcriber(Settings(model_dir=model_dir, **chunking_overrides(args))).chunked
    found = clips()
    for language in args.languages.split(","):
        texts: dict[str, list[str]] = {}
        references, logprobs, wers, unheard = [], [], [], 0
        for name, audio, reference in found.get(language, []):
            chunks, budget = probe(decoder, audio)
            references.append(reference)
            unheard += sum(not c.last_region_heard for c in chunks)
            for rule, choice in rules(chunks, budget).items():
                texts.setdefault(rule, []).append(with_choice(chunks, choice))
            texts.setdefault("oracle within the budget", []).append(
                oracle(language, reference, chunks, budget)
            )
            texts.setdefault("oracle, any chunks", []).append(
                oracle(language, reference, chunks, len(chunks))
            )
            for index, (chunk, (errors, words)) in enumerate(
                zip(chunks, chunk_errors(reference, [c.text for c in chunks]), strict=True)
            ):
                logprobs.append(chunk.logprob)
                wers.append(errors / max(words, 1))
                if args.clips:
                    as_is = error_rate(language, [reference], [with_choice(chunks, {})])[1]
                    each = {
                        way: error_rate(language, [reference], [with_choice(chunks, {index: way})])[1]
                        for way in WAYS
                    }
                    print(
                        f"  {name:14} chunk {index}: log prob {chunk.logprob:6.3f}, "
                        f"{errors:2}/{words:2} words wrong; clip {as_is:.3f}, "
                        f"chunk in 30 s {each['wide']:.3f}, sequential {each['sequential']:.3f}, "
                        f"in context {each['context']:.3f}"
                        + ("" if chunk.last_region_heard else "; no word in its last speech region")
                        + ("; re-decoded by the server" if chunk.checked else ""),
                        flush=True,
                    )
        if not references:
            print(f"{language}: no clips (see bench_languages.py)")
            continue
        correlation = np.corrcoef(logprobs, wers)[0, 1]
        print(
            f"{language}: {len(wers)} chunks, log prob against chunk WER: correlation {correlation:.2f}; "
            f"{unheard} chunks with no word in their last speech region",
            flush=True,
        )
        for rule, rule_texts in texts.items():
            print(f"  {rule:45} {error_rate(language, references, rule_texts)[1]:.3f}", flush=True)


if __name__ == "__main__":
    main()
