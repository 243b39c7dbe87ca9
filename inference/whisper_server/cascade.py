"""Greedy first, beam search where greedy is unsure: the decoder's cascade (on CPU by default).

The decoder is a third of the CPU path's time on short speech, and greedy decoding (beam 1) costs about
half of beam 5 there (tiny.en int8, 2 cores: 6.4 against 11.4 CPU-seconds for the 158 benchmark clips'
chunks). Greedy alone loses words (a narrower beam made more errors on the benchmark: beam 2, 70 against
61), but its own scores say where: each chunk of a batch is decoded greedily, and the chunks whose
greedy text looks unsure (`is_unsure`) are decoded again with the full beam, from the encoder output
already computed; the beam's text replaces greedy's. So a chunk greedy was sure of costs a greedy pass,
and one it was not costs a greedy pass more than before. The unsure chunks of ROUND_BATCHES batches go
through the beam together: one in a beam batch of its own costs about what a full batch costs.

What "unsure" is, each cheap to compute from greedy's output:
- its average log probability per token is under `MIN_GREEDY_LOGPROB` (chosen on a development set of
  recorded English prompts, docs/performance.md "Greedy first");
- it loops (compresses better than faster-whisper's 2.4, repeated_speech.is_a_loop) or says a sentence
  or clause twice in a row (repeated_speech.repeats_itself);
- it is too short for the chunk's speech (dropped_speech.looks_truncated, without the speaker's pace);
- it never reached end-of-text (it filled the decoder's length).
"""

from __future__ import annotations

from dataclasses import dataclass

from .dropped_speech import looks_truncated
from .repeated_speech import repeats_itself

GREEDY_BEAM_SIZE = 1
ROUND_BATCHES = 8
"""Batches decoded greedily before the chunks greedy was unsure of in all of them are decoded again with the
beam, together: one chunk in a beam batch of its own costs about as much as a full batch (tiny.en int8 on
2 cores: the decoder's time is mostly per step, not per chunk)."""
MIN_GREEDY_LOGPROB = -0.2
"""A greedy text whose average log probability per token is under this is decoded again with the beam."""


@dataclass(frozen=True)
class GreedyText:
    """What greedy decoding gave one chunk, and what the chunk holds."""

    text: str
    avg_logprob: float
    tokens: int
    max_tokens: int
    """Tokens the decoder could give (its length less the prompt): greedy that fills them never ended."""
    speech_seconds: float
    language: str


def is_unsure(greedy: GreedyText, min_logprob: float = MIN_GREEDY_LOGPROB) -> bool:
    """Whether `greedy` should be decoded again with the beam: its average log probability is under
    `min_logprob` (default MIN_GREEDY_LOGPROB), it repeats itself, it is too short for its speech, or it
    never ended."""
    return (
        greedy.avg_logprob < min_logprob
        or greedy.tokens >= greedy.max_tokens
        or repeats_itself(greedy.text)
        or looks_truncated(greedy.text, greedy.speech_seconds, greedy.language)
    )
