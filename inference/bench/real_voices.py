"""Conversations of recorded people, split by speaker: development sets (`real-dev`, and `real-dev-more` of
the same people) and a held-out test set (`real-test`) that share no voice.

The people: the professional voice talents of the Asterisk PBX prompts that Debian ships
(`asterisk-core-sounds-{en,es,fr,it,ru}-g722`, 16 kHz; CC-BY-SA-3.0 / CC-BY-3.0: Allison Smith speaks the
English and Spanish prompts, June Wallack the French, Carlo the Italian, and a Russian voice talent the
Russian) and the four voice actors of Fish Fillets NG's Czech and Dutch dialogs (`fillets-ng-data-cs`,
`-nl`, GPL-2+). Development: Allison (both languages, as one person), June and the two Czech actors; test:
Carlo, the Russian voice and the two Dutch actors. Every setting is chosen on the development side.

Each conversation has 2-4 people; a turn is 1-4 recorded lines in a row (0.3 s to about 20 s), a fifth of
the turns a short interjection (the speaker's shortest lines, under 0.9 s); a sixth of the turns start
0.2-1 s before the previous one ends (two people at once, mixed); pauses of 0.15-0.8 s; a quarter of the
conversations as 8 kHz telephone audio (300-3400 Hz). The audio is built at bench time (never committed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import av
import numpy as np

RATE = 16000
TRIM = 0.01
ASTERISK = Path("/usr/share/asterisk/sounds")
FILLETS = Path("/usr/share/games/fillets-ng/sound")
DEVELOPMENT_PEOPLE = ["asterisk-allison", "asterisk-june", "fillets-cs-small-fish", "fillets-cs-big-fish"]
SIDES = {
    "real-dev": DEVELOPMENT_PEOPLE,
    # More conversations of the same people (other seeds): 16 conversations tell two rules apart by one or
    # two of them, which chance alone can give.
    "real-dev-more": DEVELOPMENT_PEOPLE,
    "real-test": ["asterisk-carlo", "asterisk-ru", "fillets-nl-small-fish", "fillets-nl-big-fish"],
}
ASTERISK_DIRS = {
    "asterisk-allison": ["en_US_f_Allison", "es_MX_f_Allison"],
    "asterisk-june": ["fr_CA_f_June"],
    "asterisk-carlo": ["it_IT_m_Carlo"],
    "asterisk-ru": ["ru_RU_f_IvrvoiceRU"],
}
FILLETS_VOICES = {
    "fillets-cs-small-fish": ("cs", "m"),
    "fillets-cs-big-fish": ("cs", "v"),
    "fillets-nl-small-fish": ("nl", "m"),
    "fillets-nl-big-fish": ("nl", "v"),
}
INTERJECTION_SECONDS = 0.9
OVERLAP_SHARE = 1 / 6
TELEPHONE_SHARE = 0.25
REFERENCE_GAP = 0.3
REFERENCE_BELOW_PEAK_DB = 30.0
"""A frame of a speaker's own track is speech when it is at most this far below the track's loud frames
(95th percentile): breaths and room noise between words are quieter."""
"""Pauses within one speaker's sound shorter than this are inside a reference turn."""


@cache
def lines_of(speaker: str) -> tuple[Path, ...]:
    """The recorded lines of `speaker` (empty when its Debian package is missing)."""
    if speaker in ASTERISK_DIRS:
        return tuple(sorted(p for d in ASTERISK_DIRS[speaker] for p in (ASTERISK / d).rglob("*.g722")))
    language, fish = FILLETS_VOICES[speaker]
    return tuple(sorted(FILLETS.glob(f"*/{language}/*-{fish}-*.ogg")))


def available(split: str) -> bool:
    return all(lines_of(speaker) for speaker in SIDES[split])


MISSING = (
    "apt-get install asterisk-core-sounds-en-g722 asterisk-core-sounds-es-g722 asterisk-core-sounds-fr-g722 "
    "asterisk-core-sounds-it-g722 asterisk-core-sounds-ru-g722 fillets-ng-data-cs fillets-ng-data-nl"
)


@cache
def read_line(path: Path) -> np.ndarray:
    """One recorded line as 16 kHz mono float32, trimmed to its sound."""
    with av.open(str(path), format="g722" if path.suffix == ".g722" else None) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        chunks = [
            r.to_ndarray().reshape(-1) for f in container.decode(audio=0) for r in resampler.resample(f)
        ]
        chunks += [r.to_ndarray().reshape(-1) for r in resampler.resample(None)]
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    loud = np.flatnonzero(np.abs(samples) > TRIM)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


def _short_lines(speaker: str) -> list[Path]:
    return [p for p in lines_of(speaker) if 0 < read_line(p).size / RATE < INTERJECTION_SECONDS]


@dataclass(frozen=True)
class Composed:
    """A conversation before mixing: each piece of speech with its start (samples) and speaker."""

    speakers: list[str]
    placed: list[tuple[int, int, np.ndarray]]
    """(start sample, speaker index, speech)."""
    turns: list[dict[str, object]]
    telephone: bool
    length: int


def compose(split: str, seed: int) -> Composed:
    """The turns of one conversation of `split`, not yet mixed."""
    rng = np.random.default_rng(seed)
    side = SIDES[split]
    count = int(rng.integers(2, len(side) + 1))
    speakers = [str(s) for s in rng.choice(side, size=count, replace=False)]
    order = list(range(count)) * 2
    while len(order) < int(rng.integers(10, 20)):
        order.append(int(rng.choice([i for i in range(count) if i != order[-1]])))
    rng.shuffle(order[count:])
    for i in range(1, len(order)):  # no voice twice in a row
        if order[i] == order[i - 1]:
            order[i] = (order[i] + 1) % count
    telephone = bool(rng.random() < TELEPHONE_SHARE)
    placed: list[tuple[int, int, np.ndarray]] = []
    turns: list[dict[str, object]] = []
    position = int(float(rng.uniform(0.2, 0.8)) * RATE)
    for speaker in order:
        name = speakers[speaker]
        short = _short_lines(name)
        if short and rng.random() < 0.2:
            paths = [short[int(rng.integers(len(short)))]]
        else:
            paths = list(rng.choice(lines_of(name), size=int(rng.integers(1, 5)), replace=False))
        pieces = []
        for path in paths:
            pieces += [read_line(Path(path)), np.zeros(int(float(rng.uniform(0.1, 0.3)) * RATE), np.float32)]
        speech = np.concatenate(pieces[:-1])
        if speech.size == 0:
            continue
        if turns and rng.random() < OVERLAP_SHARE:  # starts before the previous turn ends
            position -= int(float(rng.uniform(0.2, 1.0)) * RATE)
            position = max(position, int(float(turns[-1]["start"]) * RATE) + 1)  # type: ignore[arg-type]
        placed.append((position, speaker, speech))
        turns.append(
            {
                "start": round(position / RATE, 3),
                "end": round((position + speech.size) / RATE, 3),
                "speaker": name,
            }
        )
        position += speech.size + int(float(rng.uniform(0.15, 0.8)) * RATE)
    length = max(p + s.size for p, _, s in placed) + int(0.5 * RATE)
    composed = Composed(speakers, placed, [], telephone, length)
    return replace(composed, turns=speech_turns(tracks(composed), speakers))


def speech_turns(rows: np.ndarray, speakers: list[str]) -> list[dict[str, object]]:
    """Reference turns: each speaker's stretches of speech in their own track (10 ms frames within
    REFERENCE_BELOW_PEAK_DB of the track's loud frames), pauses shorter than REFERENCE_GAP closed. A
    recorded line has pauses of its own (between sentences, a breath); counting them as speech would score
    a diarizer that leaves them out as missing speech."""
    frame = RATE // 100
    turns: list[dict[str, object]] = []
    for speaker, row in enumerate(rows):
        frames = row[: row.size // frame * frame].reshape(-1, frame).astype(np.float64)
        level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
        sounding = level > -120
        if not sounding.any():
            continue
        on = np.flatnonzero(level > np.percentile(level[sounding], 95) - REFERENCE_BELOW_PEAK_DB)
        if on.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(on) > round(REFERENCE_GAP * 100))
        for first, last in zip(np.r_[on[0], on[breaks + 1]], np.r_[on[breaks], on[-1]] + 1, strict=True):
            turns.append(
                {"start": round(first / 100, 3), "end": round(last / 100, 3), "speaker": speakers[speaker]}
            )
    return sorted(turns, key=lambda t: (t["start"], t["end"]))  # type: ignore[arg-type, return-value]


def tracks(composed: Composed) -> np.ndarray:
    """Each speaker's speech alone, one row per speaker (as a microphone per person would record it)."""
    rows = np.zeros((len(composed.speakers), composed.length), np.float32)
    for start, speaker, speech in composed.placed:
        rows[speaker, start : start + speech.size] += speech
    return rows


def build(split: str, index: int, seed: int) -> tuple[np.ndarray, dict[str, object]]:
    """One conversation of `split`, mixed, and its reference (speakers, turns, how it was made)."""
    composed = compose(split, seed)
    audio = tracks(composed).sum(axis=0)
    if composed.telephone:
        audio = telephone_band(audio)
    reference = {
        "name": f"{split}-{index:02d}",
        "speakers": len({t["speaker"] for t in composed.turns}),
        "voices": composed.speakers,
        "tempo": 1.0,
        "telephone": composed.telephone,
        "duration": round(audio.size / RATE, 3),
        "sha256": hashlib.sha256((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()).hexdigest(),
        "turns": composed.turns,
    }
    return audio, reference


def telephone_band(audio: np.ndarray) -> np.ndarray:
    """A phone line: 300-3400 Hz at 8 kHz, back at 16 kHz (what the server does with 8 kHz audio)."""
    spectrum = np.fft.rfft(audio)
    frequencies = np.fft.rfftfreq(audio.size, 1 / RATE)
    spectrum[(frequencies < 300) | (frequencies > 3400)] = 0
    return np.fft.irfft(spectrum, audio.size).astype(np.float32)
