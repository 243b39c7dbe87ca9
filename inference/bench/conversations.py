"""Synthetic conversations for tuning and testing speaker labels: a development set and a held-out test set.

Every voice this machine can make offline (Debian `flite`, `espeak-ng` and `sox`): flite's four voices,
espeak-ng's voice variants (+m1 ... +f5, klatt ...) speaking English with several accents, each also
pitch-shifted with sox into new voices. The two sets share no base voice: a threshold or model chosen on
the development set is scored on voices it never heard. Conversations have 2-6 speakers, turns from a
0.3 s interjection ("Yes.") to 20 s, pauses of 0.15-1 s, some sped up or slowed down as a whole, and some
as 8 kHz telephone audio (band-limited to 300-3400 Hz, as a phone line carries it).

Two more sets of recorded people, split by speaker, `real-dev` (to tune on) and `real-test` (held out),
come from real_voices.py: the Asterisk prompts' voice talents and the Fish Fillets NG actors, with
interjections, overlapping speech and telephone audio.

A third set, "real", is made of recorded human voices: the spoken dialogs that Debian's Fish Fillets NG
packages ship (fillets-ng-data-cs and fillets-ng-data-nl; four voice actors, Czech and Dutch), cut into
conversations of 2-4 of them. Nothing was tuned on it either.

Generation is deterministic (one seed per set and conversation), so the sets are rebuilt identically at
bench time instead of being committed (about 150 MB of audio); each conversation's reference turns are
written next to its audio, and `--check` compares them with the committed references of the test set
(fixtures/diarization/conversations-test.json) so that a different synthesiser version shows up.

Run: `.venv/bin/python inference/bench/conversations.py [--out build/conversations]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import real_voices

RATE = 16000
TRIM = 0.01  # |sample| below this (about -40 dBFS) counts as silence when trimming a turn
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "build" / "conversations"
COMMITTED = Path(__file__).resolve().parents[2] / "fixtures" / "diarization"


@dataclass(frozen=True)
class Voice:
    """One speaker: a synthesiser voice, optionally pitch-shifted (sox cents)."""

    engine: str  # "flite", "espeak", "mbrola" (through espeak-ng) or "rhvoice"
    name: str  # flite voice, espeak-ng "language+variant", espeak-ng mbrola voice, RHVoice voice
    cents: int = 0

    @property
    def base(self) -> str:
        """The synthesiser voice without the pitch shift (the person, where two engines share one): the
        two sides share none."""
        base = f"{self.engine}:{self.name.split('+')[-1]}"
        return SAME_PERSON.get(base, base)

    @property
    def label(self) -> str:
        return f"{self.engine}:{self.name}{f'@{self.cents:+d}' if self.cents else ''}"


FLITE = {"dev": ["slt", "rms"], "test": ["awb", "kal"]}
# espeak-ng variants (the voice), split between the sets; the accent (language) is drawn per speaker.
# Not "en-gb": espeak-ng 1.52 ignores the variant with it (every en-gb+X is the same voice).
ESPEAK = {
    "dev": ["m1", "m3", "m5", "m7", "f1", "f3", "f5", "klatt", "klatt3", "Andy", "Annie", "edward", "iven"],
    "test": [
        "m2",
        "m4",
        "m6",
        "m8",
        "f2",
        "f4",
        "klatt2",
        "klatt4",
        "Alex",
        "belinda",
        "john",
        "max",
        "paul",
    ],
}
# The varied sets ("dev-varied", "test-varied") add mbrola voices (espeak-ng's English front ends of
# mbrola databases: each a recorded person's diphones) and RHVoice's English voices, split by person:
# RHVoice's slt is the CMU Arctic speaker that flite's slt is, so it stays with the development set.
MBROLA = {
    "dev": ["mb-de1-en", "mb-de2-en", "mb-de5-en", "mb-fr1-en", "mb-nl2-en", "mb-us1", "mb-en1"],
    "test": ["mb-de3-en", "mb-de4-en", "mb-de6-en", "mb-fr4-en", "mb-gr2-en", "mb-us2", "mb-us3"],
}
RHVOICE = {"dev": ["slt", "clb", "alan"], "test": ["bdl", "evgeniy-eng", "lyubov"]}
SAME_PERSON = {"rhvoice:slt": "flite:slt"}
VARIED_PACKAGES = (  # mbrola's voices are in Debian's contrib/non-free (non-commercial licences)
    "mbrola mbrola-de1 mbrola-de2 mbrola-de3 mbrola-de4 mbrola-de5 mbrola-de6 mbrola-fr1 mbrola-fr4 "
    "mbrola-nl2 mbrola-gr2 mbrola-en1 mbrola-us1 mbrola-us2 mbrola-us3 rhvoice rhvoice-english"
)
TURN_CENTS = 150
"""Varied sets: each turn's pitch moves by up to this many cents around its voice's own, and its speed by
up to TURN_TEMPO: as a person's voice differs from one line to the next."""
TURN_TEMPO = 0.12
ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbcwmd"]
VARIED = ("dev-varied", "test-varied")
SHIFTS = [0, 0, -300, 300, -500]  # cents; 0 twice: unshifted voices are the commonest
SETS = {  # conversations, first seed
    "dev": (24, 1000),
    "test": (40, 2000),
    "real": (16, 3000),
    "dev-varied": (24, 4000),
    "test-varied": (24, 5000),
    "real-dev": (16, 6000),
    "real-test": (16, 7000),
    "real-dev-more": (32, 6100),
}
# Real voices: the spoken dialogs of the game Fish Fillets NG (Debian fillets-ng-data-cs and -nl, GPL-2+),
# each language's small fish (-m-) and big fish (-v-) recorded by its own voice actors: four people.
REAL_SOUNDS = Path("/usr/share/games/fillets-ng/sound")
REAL_SPEAKERS = [("cs", "m"), ("cs", "v"), ("nl", "m"), ("nl", "v")]

INTERJECTIONS = [
    "Yes.",
    "No.",
    "Okay.",
    "Right.",
    "Sure.",
    "Mm-hm.",
    "Really?",
    "Exactly.",
    "Thanks.",
    "Wow.",
]
SENTENCES = [
    "Let us start with the figures from last quarter.",
    "I think we should move the launch to the second week of March.",
    "The supplier called this morning about the delayed shipment.",
    "Can you send me the report before the end of the day?",
    "We tested the new version on three different machines.",
    "The customer asked whether the price includes installation.",
    "My train was late again, so I missed the first part of the call.",
    "Our budget for the training programme is almost spent.",
    "I would rather keep the meeting short and take questions by email.",
    "The weather forecast says it will rain all weekend.",
    "She wants to know who is responsible for the website.",
    "The old database will be switched off at the end of the month.",
    "We hired two new engineers for the support team.",
    "Nobody told me that the deadline had changed.",
    "Please remember to lock the door when you leave the office.",
    "The results of the survey were better than we expected.",
    "I am not sure the printer on the third floor works.",
    "He will present the design at the conference in June.",
    "Most of the complaints were about the long waiting times.",
    "We could save a lot of money by sharing the delivery vans.",
    "The children are visiting their grandparents next week.",
    "I read the contract twice and found nothing unusual.",
    "Let me check my calendar and get back to you.",
    "The heating in the meeting room has been broken since Monday.",
    "Our main competitor lowered their prices by ten percent.",
    "The project plan needs another review before we sign it.",
    "I spoke to the bank about extending the loan.",
    "The new software is much faster than the old one.",
    "Could we have lunch together on Thursday instead?",
    "The museum is closed for repairs until the autumn.",
    "Three of our stores will open late because of the strike.",
    "I think the second option is cheaper in the long run.",
    "The team in Berlin finished their part ahead of schedule.",
    "You should have seen the queue at the airport this morning.",
    "We need a volunteer to write the minutes of this meeting.",
    "The garden looks wonderful after all the rain.",
]


def tuning_side(split: str) -> str:
    """ "dev" or "test": the voices a set draws from (a varied set draws from its side's)."""
    return split.split("-")[0]


def pick_speakers(rng: np.random.Generator, split: str, count: int) -> list[Voice]:
    """`count` voices of the set, no two of one base voice unless pitch-shifted apart by 600+ cents."""
    chosen: list[Voice] = []
    side = tuning_side(split)
    flite, espeak = FLITE[side], ESPEAK[side]
    while len(chosen) < count:
        if split in VARIED and rng.random() < 0.5:  # a person's voice: mbrola or RHVoice
            engine, names = ("mbrola", MBROLA[side]) if rng.random() < 0.6 else ("rhvoice", RHVOICE[side])
            voice = Voice(engine, str(rng.choice(names)), int(rng.choice(SHIFTS)))
        elif rng.random() < 0.35:
            voice = Voice("flite", str(rng.choice(flite)), int(rng.choice(SHIFTS)))
        else:
            accent = str(rng.choice(ACCENTS))
            voice = Voice("espeak", f"{accent}+{rng.choice(espeak)}", int(rng.choice(SHIFTS)))
        if all(v.base != voice.base or abs(v.cents - voice.cents) >= 600 for v in chosen):
            chosen.append(voice)
    return chosen


def turn_text(rng: np.random.Generator) -> str:
    """A turn: an interjection (0.3-1 s), one sentence (2-4 s) or several (up to about 20 s)."""
    kind = rng.random()
    if kind < 0.2:
        return str(rng.choice(INTERJECTIONS))
    sentences = 1 if kind < 0.6 else int(rng.integers(2, 7))
    return " ".join(str(s) for s in rng.choice(SENTENCES, size=sentences, replace=False))


def synthesize(voice: Voice, text: str, workdir: Path, cents: int = 0, tempo: float = 1.0) -> np.ndarray:
    """One turn as float32 samples at RATE, trimmed to its speech; `cents` and `tempo` vary this turn
    beyond the voice's own pitch shift."""
    raw, resampled = workdir / "raw.wav", workdir / "turn.wav"
    if voice.engine == "flite":
        subprocess.run(["flite", "-voice", voice.name, "-t", text, "-o", str(raw)], check=True)
    elif voice.engine == "rhvoice":
        subprocess.run(["RHVoice-test", "-p", voice.name, "-o", str(raw)], input=text.encode(), check=True)
    else:  # espeak-ng, or an mbrola voice through it
        subprocess.run(
            ["espeak-ng", "-v", voice.name, "-w", str(raw), text], check=True, stderr=subprocess.DEVNULL
        )
    effects = ["pitch", str(voice.cents + cents)] if voice.cents + cents else []
    if tempo != 1.0:
        effects += ["tempo", "-s", f"{tempo:.3f}"]
    subprocess.run(
        ["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(resampled), *effects], check=True
    )
    samples = read_wav(resampled)
    loud = np.flatnonzero(np.abs(samples) > TRIM)
    return samples[loud[0] : loud[-1] + 1] if loud.size else samples[:0]


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def write_wav(samples: np.ndarray, path: Path) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def apply_sox(samples: np.ndarray, effects: list[str], workdir: Path) -> np.ndarray:
    """The whole conversation through sox effects, back at RATE."""
    before, after = workdir / "before.wav", workdir / "after.wav"
    write_wav(samples, before)
    subprocess.run(["sox", str(before), str(after), *effects, "rate", str(RATE)], check=True)
    return read_wav(after)


def build(split: str, index: int, seed: int, workdir: Path) -> tuple[np.ndarray, dict[str, object]]:
    """One conversation and its reference: speakers, turns (start, end, speaker), and how it was made."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(2, 7))
    voices = pick_speakers(rng, split, count)
    tempo = float(rng.choice([1.0, 1.0, 0.85, 1.15]))
    telephone = bool(rng.random() < 0.25)
    turns_wanted = int(rng.integers(max(6, 2 * count), 4 * count + 4))
    # Each voice speaks at least twice; then a random other speaker than the one before takes the turn.
    order = [i % count for i in range(count)] * 2
    while len(order) < turns_wanted:
        order.append(int(rng.choice([i for i in range(count) if i != order[-1]])))
    rng.shuffle(order[count:])  # keep the first round so that every voice opens early in turn order
    for i in range(1, len(order)):  # no voice twice in a row
        if order[i] == order[i - 1]:
            order[i] = (order[i] + 1) % count
    pieces: list[np.ndarray] = []
    turns: list[dict[str, object]] = []
    position = float(rng.uniform(0.2, 0.8))
    pieces.append(np.zeros(int(position * RATE), np.float32))
    for speaker in order:
        text = turn_text(rng)
        if split in VARIED:
            cents = int(rng.integers(-TURN_CENTS, TURN_CENTS + 1))
            speech = synthesize(
                voices[speaker], text, workdir, cents, float(rng.uniform(1 - TURN_TEMPO, 1 + TURN_TEMPO))
            )
        else:
            speech = synthesize(voices[speaker], text, workdir)
        if speech.size == 0:
            continue
        start = sum(p.size for p in pieces) / RATE
        pieces.append(speech)
        turns.append(
            {
                "start": start,
                "end": start + speech.size / RATE,
                "speaker": voices[speaker].label,
                "text": text,
            }
        )
        pieces.append(np.zeros(int(float(rng.uniform(0.15, 1.0)) * RATE), np.float32))
    audio = np.concatenate(pieces)
    if tempo != 1.0:  # whole conversation faster or slower: turn times scale by 1/tempo
        audio = apply_sox(audio, ["tempo", "-s", str(tempo)], workdir)
        for turn in turns:
            turn["start"] = float(turn["start"]) / tempo  # type: ignore[arg-type]
            turn["end"] = float(turn["end"]) / tempo  # type: ignore[arg-type]
    if telephone:  # a phone line: 8 kHz, 300-3400 Hz
        audio = apply_sox(audio, ["sinc", "300-3400", "rate", "8000"], workdir)
    for turn in turns:
        turn["start"], turn["end"] = round(float(turn["start"]), 3), round(float(turn["end"]), 3)  # type: ignore[arg-type]
    reference = {
        "name": f"{split}-{index:02d}",
        "speakers": count,
        "voices": [v.label for v in voices],
        "tempo": tempo,
        "telephone": telephone,
        "duration": round(audio.size / RATE, 3),
        "sha256": hashlib.sha256((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()).hexdigest(),
        "turns": turns,
    }
    return audio, reference


def real_lines() -> dict[str, list[Path]]:
    """The recorded lines of each real speaker, by label; empty when the Debian packages are missing."""
    lines: dict[str, list[Path]] = {}
    for language, fish in REAL_SPEAKERS:
        found = sorted(REAL_SOUNDS.glob(f"*/{language}/*-{fish}-*.ogg"))
        if found:
            lines[f"fillets-{language}-{'small' if fish == 'm' else 'big'}-fish"] = found
    return lines


def build_real(index: int, seed: int) -> tuple[np.ndarray, dict[str, object]]:
    """A conversation of 2-4 real speakers: recorded lines, 1-3 in a row per turn, with pauses."""
    from whisper_server.audio import decode

    rng = np.random.default_rng(seed)
    lines = real_lines()
    count = int(rng.integers(2, len(lines) + 1))
    speakers = [str(s) for s in rng.choice(sorted(lines), size=count, replace=False)]
    order = list(range(count)) * 2
    while len(order) < int(rng.integers(10, 20)):
        order.append(int(rng.choice([i for i in range(count) if i != order[-1]])))
    rng.shuffle(order[count:])
    pieces = [np.zeros(int(float(rng.uniform(0.2, 0.8)) * RATE), np.float32)]
    turns: list[dict[str, object]] = []
    previous = None
    for speaker in order:
        if speaker == previous:  # shuffling put one speaker twice in a row: one longer turn
            pieces.append(np.zeros(int(0.3 * RATE), np.float32))
        for path in rng.choice(lines[speakers[speaker]], size=int(rng.integers(1, 4)), replace=False):
            speech = decode(Path(path).read_bytes(), 3600)
            loud = np.flatnonzero(np.abs(speech) > TRIM)
            if loud.size == 0:
                continue
            speech = speech[loud[0] : loud[-1] + 1]
            start = sum(p.size for p in pieces) / RATE
            pieces += [speech, np.zeros(int(float(rng.uniform(0.1, 0.3)) * RATE), np.float32)]
            turns.append(
                {
                    "start": round(start, 3),
                    "end": round(start + speech.size / RATE, 3),
                    "speaker": speakers[speaker],
                }
            )
        pieces.append(np.zeros(int(float(rng.uniform(0.15, 0.8)) * RATE), np.float32))
        previous = speaker
    audio = np.concatenate(pieces)
    reference = {
        "name": f"real-{index:02d}",
        "speakers": len({t["speaker"] for t in turns}),
        "voices": speakers,
        "tempo": 1.0,
        "telephone": False,
        "duration": round(audio.size / RATE, 3),
        "sha256": hashlib.sha256((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()).hexdigest(),
        "turns": turns,
    }
    return audio, reference


def available(split: str) -> bool:
    """Whether this machine can generate `split` (the real set needs the Fish Fillets NG sound packages,
    the varied sets mbrola's and RHVoice's voices)."""
    if split == "real":
        return len(real_lines()) == len(REAL_SPEAKERS)
    if split in real_voices.SIDES:
        return real_voices.available(split)
    if split in VARIED:
        side = tuning_side(split)
        mbrola = all(Path(f"/usr/share/mbrola/{v.split('-')[1]}").is_dir() for v in MBROLA[side])
        rhvoice = all(Path(f"/usr/share/RHVoice/voices/{v}").is_dir() for v in RHVOICE[side])
        return mbrola and rhvoice and shutil.which("RHVoice-test") is not None
    return True


def missing_packages(split: str) -> str:
    """What to install for `split` when `available` says no."""
    if split == "real":
        return "apt-get install fillets-ng-data-cs fillets-ng-data-nl"
    if split in real_voices.SIDES:
        return real_voices.MISSING
    return f"apt-get install {VARIED_PACKAGES}"


def generate(split: str, out: Path) -> list[dict[str, object]]:
    """Builds the set `split` under `out/split` (skipping conversations already there); its references."""
    count, first_seed = SETS[split]
    folder = out / split
    folder.mkdir(parents=True, exist_ok=True)
    references = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(count):
            wav, ref_path = folder / f"{split}-{index:02d}.wav", folder / f"{split}-{index:02d}.json"
            if wav.is_file() and ref_path.is_file():
                references.append(json.loads(ref_path.read_text()))
                continue
            if split == "real":
                audio, reference = build_real(index, first_seed + index)
            elif split in real_voices.SIDES:
                audio, reference = real_voices.build(split, index, first_seed + index)
            else:
                audio, reference = build(split, index, first_seed + index, Path(tmp))
            write_wav(audio, wav)
            ref_path.write_text(json.dumps(reference, indent=1))
            references.append(reference)
    return references


def load(split: str, out: Path = DEFAULT_OUT) -> list[tuple[Path, dict[str, object]]]:
    """(audio path, reference) of every conversation of `split`, generating the set if needed."""
    references = generate(split, out)
    return [(out / split / f"{r['name']}.wav", r) for r in references]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument(
        "--write-committed", action="store_true", help="rewrite the committed test references"
    )
    args = parser.parse_args()
    for split in SETS:
        if not available(split):
            print(f"{split}: skipped ({missing_packages(split)})")
            continue
        references = generate(split, args.out)
        speech = sum(float(t["end"]) - float(t["start"]) for r in references for t in r["turns"])  # type: ignore[union-attr]
        print(
            f"{split}: {len(references)} conversations, {speech / 60:.1f} min of speech in {args.out / split}"
        )
        committed = COMMITTED / f"conversations-{split}.json"
        summary = [
            {k: r[k] for k in ("name", "speakers", "voices", "duration", "sha256")} for r in references
        ]
        if args.write_committed:
            committed.write_text(json.dumps(summary, indent=2) + "\n")
        elif committed.is_file() and json.loads(committed.read_text()) != summary:
            print(
                f"{split}: differs from {committed} (another flite/espeak-ng/sox version?)", file=sys.stderr
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
