"""The prompt budget: `initial_prompt` and `hotwords` together, counted in the model's own tokens.

Whisper's decoder sees at most 448 tokens: the prompt, a few special tokens, then the text it writes.
faster-whisper keeps up to 448 // 2 - 1 = 223 tokens of the prompt AND up to 223 of the hotwords, so
both at their most leave no room to write anything: JSON fails ("maximum decoding length must be > 0")
and subtitles come back empty. Together they may therefore take at most those 223 tokens, which keeps
at least 220 for the text of each 30 s window (speech needs about 100). Characters are no measure:
English prose is about 5 characters a token, random letters or non-Latin scripts 1 to 2.

The count is of exactly what the decoder is given: every path hands it `decoder_text` of each
(faster-whisper's sequential path and its hotwords do; the chunked path encodes the prompt with
`prompt_token_ids`), so whitespace around a prompt cannot be counted as nothing and sent as hundreds of
tokens. The sequential path adds no previous text to hotwords (transcriber.py).
"""

from __future__ import annotations

from typing import Protocol

from .errors import RequestError
from .options import TranscribeOptions

DECODER_CONTEXT_TOKENS = 448
"""Whisper's decoder context (`max_length` in faster-whisper), the same for every model size."""

MAX_PROMPT_TOKENS = DECODER_CONTEXT_TOKENS // 2 - 1
"""Most tokens `initial_prompt` and `hotwords` may take together: 223."""


class Tokenizer(Protocol):
    """What is needed of the model's Hugging Face tokenizer (`tokenizers.Tokenizer`)."""

    def encode(self, sequence: str, add_special_tokens: bool = ...) -> object: ...


def decoder_text(text: str) -> str:
    """`initial_prompt` or `hotwords` as the decoder gets it: stripped, after one space (faster-whisper's
    form for both in its sequential path)."""
    return " " + text.strip()


def prompt_token_ids(tokenizer: Tokenizer, text: str) -> list[int]:
    """The tokens of `decoder_text(text)`: what the decoder is given, and what the budget counts."""
    encoding = tokenizer.encode(decoder_text(text), add_special_tokens=False)
    return list(encoding.ids)  # type: ignore[attr-defined]


def prompt_tokens(tokenizer: Tokenizer, text: str) -> int:
    """How many tokens `text` takes in the prompt."""
    return len(prompt_token_ids(tokenizer, text))


def check_prompt_budget(options: TranscribeOptions, tokenizer: Tokenizer) -> None:
    """400 naming the options when `initial_prompt` and `hotwords` together exceed MAX_PROMPT_TOKENS."""
    given = {
        k: v for k, v in (("initial_prompt", options.initial_prompt), ("hotwords", options.hotwords)) if v
    }
    if not given:
        return
    counts = {key: prompt_tokens(tokenizer, text) for key, text in given.items()}
    if sum(counts.values()) <= MAX_PROMPT_TOKENS:
        return
    spent = " + ".join(f"{key} {count}" for key, count in counts.items())
    label = "options 'initial_prompt' and 'hotwords'" if len(counts) > 1 else f"option '{next(iter(counts))}'"
    raise RequestError(
        400,
        "bad_option",
        f"{label}: at most {MAX_PROMPT_TOKENS} tokens together (half of Whisper's "
        f"{DECODER_CONTEXT_TOKENS}-token context; the rest is for the transcript), got {spent} tokens; "
        "English text is about 5 characters a token, shorten it",
    )
