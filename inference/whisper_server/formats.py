"""Output formats chosen by the Accept header: JSON, plain text, WebVTT and SubRip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from faster_whisper.utils import format_timestamp

from . import writing
from .cues import Cue, CueStyle, build_cues
from .errors import RequestError
from .options import TranscribeOptions
from .results import Segment, Transcription, Word

JSON = "application/json"
TEXT = "text/plain"
VTT = "text/vtt"
SRT = "application/x-subrip"
RENDERINGS = "application/vnd.whisper.renderings+json"
"""Every format of one transcript in one JSON object keyed by short name (`to_renderings`): one decode for all
the files the drop folder writes. Only asked for by name; no wildcard picks it."""
SUPPORTED = (JSON, TEXT, VTT, SRT, RENDERINGS)
BY_NAME = {"json": JSON, "txt": TEXT, "srt": SRT, "vtt": VTT}
"""Each media type by the short name clients give it (the CLIs' `--format`, also the file extension)."""
# Wildcards pick JSON, the default; `text/*` picks plain text.
_WILDCARDS = {"*/*": JSON, "application/*": JSON, "text/*": TEXT}


def negotiate(accept: str | None) -> str:
    """The media type to answer with. Missing Accept or `*/*` means JSON; raises 406 when none fits.

    Honours q-values (`text/vtt;q=0.9, application/json;q=0.5` gives WebVTT); ties keep header order.
    """
    if not accept or not accept.strip():
        return JSON
    candidates: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        media = media.lower()
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        chosen = media if media in SUPPORTED else _WILDCARDS.get(media)
        if chosen and quality > 0:
            candidates.append((-quality, position, chosen))
    if not candidates:
        raise RequestError(
            406, "not_acceptable", f"cannot answer with '{accept}'; accept one of: {', '.join(SUPPORTED)}"
        )
    return min(candidates)[2]


def _segment_json(segment: Segment, words: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": segment.id,
        "start": round(segment.start, 3),
        "end": round(segment.end, 3),
        "text": segment.text,
    }
    if segment.speaker is not None:
        body["speaker"] = segment.speaker
    if segment.language is not None:
        body["language"] = segment.language
    if words and segment.words is not None:
        body["words"] = [_word_json(w) for w in segment.words]
    return body


def _word_json(word: Word) -> dict[str, Any]:
    body: dict[str, Any] = {
        "start": round(word.start, 3),
        "end": round(word.end, 3),
        "word": word.word,
        "probability": round(word.probability, 4),
    }
    if word.speaker is not None:
        body["speaker"] = word.speaker
    return body


def to_json(
    result: Transcription,
    model: str,
    processing_seconds: float,
    multilingual: bool = True,
    words: bool = False,
) -> dict[str, Any]:
    """The JSON body of a successful request (shape shared with the CLIs). `multilingual` says whether the
    model knows more than English: false for an English-only model (tiny.en, ...), whose `language` is
    always `en` whatever was spoken. `words` adds each segment's timed words (the request's
    word_timestamps)."""
    body = {
        "text": result.text,
        "language": result.language,
        "language_probability": round(result.language_probability, 4),
        "duration": round(result.duration, 3),
        "segments": [_segment_json(s, words) for s in result.segments],
        "model": model,
        "multilingual": multilingual,
        "processing_seconds": round(processing_seconds, 3),
    }
    if result.speakers is not None:
        body["speakers"] = [
            {"speaker": s.label, "talk_time": s.talk_time, "untranscribed_time": s.untranscribed_time}
            for s in result.speakers
        ]
    if result.speaker_count is not None:
        count = result.speaker_count
        body["speaker_count"] = {"found": count.found, "requested": count.requested, "met": count.met}
    if result.unchecked:
        body["unchecked"] = [{"start": u.start, "end": u.end, "check": u.check} for u in result.unchecked]
    if result.speaker_turns is not None:
        body["speaker_turns"] = [
            {"speaker": t.speaker, "start": t.start, "end": t.end, "transcribed": t.transcribed}
            for t in result.speaker_turns
        ]
    return body


def timestamp(seconds: float, decimal: str) -> str:
    """`HH:MM:SS<decimal>mmm`, e.g. 01:02:03,456 for SRT (`,`) or 01:02:03.456 for WebVTT (`.`).

    faster-whisper's own formatter, with hours always written (SRT requires them) and a negative time,
    which rounding can produce, clamped to zero (the formatter refuses it).
    """
    return format_timestamp(max(0.0, seconds), always_include_hours=True, decimal_marker=decimal)


def vtt_text(text: str) -> str:
    """Cue text as WebVTT requires: `&`, `<` and `>` as character references, so a `-->` or a `<` in the
    words can neither end the cue nor open a tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def srt_text(text: str) -> str:
    """Cue text SubRip readers cannot take for a timing line: SubRip has no escapes, so `-->` becomes `->`."""
    while "-->" in text:
        text = text.replace("-->", "->")
    return text


def to_text(result: Transcription, _options: TranscribeOptions | None = None) -> str:
    """The transcript; with speaker labels, one `S1: ...` line per turn (consecutive segments of one
    speaker joined)."""
    if result.speakers is None:
        return result.text + "\n" if result.text else ""
    turns: list[tuple[str | None, list[str]]] = []
    for s in result.segments:
        if not s.text:
            continue
        if turns and turns[-1][0] == s.speaker:
            turns[-1][1].append(s.text)
        else:
            turns.append((s.speaker, [s.text]))
    return "".join(f"{speaker}: {writing.join_pieces(texts)}\n" for speaker, texts in turns)


def cues_of(
    result: Transcription, options: TranscribeOptions | None = None, label_width: int = 0
) -> list[Cue]:
    """The subtitle cues of `result`, to the request's limits (cues.py); `label_width` characters of each
    line are kept for a speaker label written into the text (SRT's `S1: `)."""
    options = options or TranscribeOptions()
    style = CueStyle.for_language(
        result.language, options.max_line_width, options.max_line_count, options.max_cue_duration
    )
    if label_width:
        style = replace(style, max_line_width=max(1, style.max_line_width - label_width))
    return build_cues([s for s in result.segments if s.text], result.duration, style)


def to_vtt(result: Transcription, options: TranscribeOptions | None = None) -> str:
    """WebVTT; a labelled cue is a voice span, `<v S1>text`."""
    cues = [
        f"{timestamp(c.start, '.')} --> {timestamp(c.end, '.')}\n{_voice(c)}"
        + "".join(f"{vtt_text(line)}\n" for line in c.lines)
        for c in cues_of(result, options)
    ]
    return "\n".join(["WEBVTT\n", *cues])


def to_srt(result: Transcription, options: TranscribeOptions | None = None) -> str:
    """SubRip; a labelled cue starts with `S1: ` (SubRip has no voice markup)."""
    return "\n".join(
        f"{number}\n{timestamp(c.start, ',')} --> {timestamp(c.end, ',')}\n"
        f"{f'{c.speaker}: ' if c.speaker else ''}" + "".join(f"{srt_text(line)}\n" for line in c.lines)
        for number, c in enumerate(cues_of(result, options, _label_width(result)), start=1)
    )


def _label_width(result: Transcription) -> int:
    """Characters SRT's speaker prefix (`S1: `) takes; 0 without speaker labels."""
    return max((len(s.label) + 2 for s in result.speakers or ()), default=0)


def _voice(cue: Cue) -> str:
    return f"<v {cue.speaker}>" if cue.speaker else ""


RENDERERS: dict[str, Callable[[Transcription, TranscribeOptions], str]] = {
    TEXT: to_text,
    VTT: to_vtt,
    SRT: to_srt,
}
"""Text renderers by media type; JSON goes through `to_json`, which also needs the model and timing."""


def to_renderings(
    result: Transcription,
    options: TranscribeOptions,
    model: str,
    processing_seconds: float,
    multilingual: bool = True,
) -> dict[str, Any]:
    """Every format of one transcript, keyed by short name (BY_NAME): `json` is the JSON body (`to_json`),
    the others the text a request for that format alone gets. One result, one set of options: the same
    words in each."""
    renderings: dict[str, Any] = {}
    for name, media in BY_NAME.items():
        if media == JSON:
            renderings[name] = to_json(
                result, model, processing_seconds, multilingual, words=options.word_timestamps
            )
        else:
            renderings[name] = RENDERERS[media](result, options)
    return renderings
