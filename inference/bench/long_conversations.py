"""Long recordings (several minutes, 2-6 speakers) re-joined from the conversations of a set.

The conversation sets (conversations.py, real_voices.py) last 0.5-3 minutes; a meeting a user labels lasts
10-60. The count without a hint was tuned on the short ones, so this builds long ones from the same
material, as development (from `dev` and `real-dev`) and held-out (from `test` and `real-test`) sets:

- each conversation is cut into blocks at the points where nobody speaks (a gap of at least 0.15 s
  between the reference turns, cut in its middle), so no turn and no overlap is cut;
- a long recording interleaves the blocks of several conversations (a block of each in turn, the
  conversations in a seeded random order), so each person's lines are spread over the whole recording
  as in a meeting, not in one stretch;
- recorded people (the real sets: four people, each in many conversations): for each number of people
  (2, 3, 4) and each band (wideband, telephone, never mixed: one meeting is recorded one way), the
  blocks of the band's conversations in which only the chosen people speak; and each person alone
  (their blocks without anyone else), on which a count must find one speaker;
- synthetic voices (a voice is in few conversations): conversations packed in order while their voices
  together are at most MAX_VOICES.

A recording stops growing at MAX_SECONDS.

Recordings shorter than MIN_SECONDS are left out. Built at bench time into `build/conversations/long-*`
(not committed): `load("long-real-dev")`; `tune_diarization.py --sets long-real-dev` scores them.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import conversations
import numpy as np

SOURCES = {"long-dev": "dev", "long-real-dev": "real-dev", "long-test": "test", "long-real-test": "real-test"}
MIN_SECONDS = 180.0
"""Shortest recording kept (seconds)."""
MAX_SECONDS = 720.0
"""Longest recording built (seconds): conversations are added while under it."""
MIN_GAP = 0.15
"""Least silence (seconds) between reference turns where a conversation may be cut."""
MAX_VOICES = 6

Reference = dict[str, object]
Block = tuple[np.ndarray, list[dict[str, object]]]
Group = tuple[list[tuple[Path, Reference]], frozenset[str]]
"""Conversations to take blocks from, and the people whose blocks are kept."""


def blocks(samples: np.ndarray, reference: Reference, rate: int = 16000) -> list[Block]:
    """`samples` cut in the middle of every silence of MIN_GAP or more between the reference turns; each
    block with its turns, timed from the block's start."""
    turns = sorted(reference["turns"], key=lambda t: float(t["start"]))  # type: ignore[arg-type,index]
    cuts = [0.0]
    reach = 0.0
    for before, after in itertools.pairwise(turns):
        reach = max(reach, float(before["end"]))
        if float(after["start"]) - reach >= MIN_GAP:
            cuts.append((reach + float(after["start"])) / 2)
    cuts.append(samples.size / rate)
    found: list[Block] = []
    for start, end in itertools.pairwise(cuts):
        inside = [
            {**t, "start": round(float(t["start"]) - start, 3), "end": round(float(t["end"]) - start, 3)}
            for t in turns
            if start <= float(t["start"]) < end
        ]
        if inside:
            found.append((samples[int(start * rate) : int(end * rate)], inside))
    return found


def interleave(name: str, group: Group, seed: int) -> tuple[np.ndarray, Reference]:
    """The blocks of the group's conversations that only its people speak in, taken in turn (one block of
    each conversation, in a seeded order, until all are used or the recording reaches MAX_SECONDS), into
    one recording, and its reference."""
    parts, people = group
    rng = random.Random(seed)
    queues = [
        [b for b in blocks(conversations.read_wav(wav), reference) if {t["speaker"] for t in b[1]} <= people]
        for wav, reference in parts
    ]
    names = {id(q): str(r["name"]) for q, (_, r) in zip(queues, parts, strict=True)}
    audio: list[np.ndarray] = []
    turns: list[dict[str, object]] = []
    offset = 0.0
    while any(queues) and offset < MAX_SECONDS:
        order = [q for q in queues if q]
        rng.shuffle(order)
        for queue in order:
            samples, inside = queue.pop(0)
            source = names[id(queue)]
            turns += [
                {
                    **t,
                    "source": source,
                    "start": round(t["start"] + offset, 3),
                    "end": round(t["end"] + offset, 3),
                }
                for t in inside
            ]  # type: ignore[operator]
            audio.append(samples)
            offset += samples.size / 16000
    voices = sorted({str(t["speaker"]) for t in turns})
    reference: Reference = {
        "name": name,
        "speakers": len(voices),
        "voices": voices,
        "telephone": bool(parts[0][1]["telephone"]),
        "duration": round(offset, 3),
        "sources": sorted({str(t["source"]) for t in turns}),
        "turns": turns,
    }
    return np.concatenate(audio), reference


def _length(parts: list[tuple[Path, Reference]]) -> float:
    return sum(float(r["duration"]) for _, r in parts)  # type: ignore[arg-type]


def _real_groups(source: list[tuple[Path, Reference]]) -> list[Group]:
    """Recorded people: per band and number of people (2, 3, 4), the people of the band's first
    conversation with that many, and every conversation of the band (only their blocks are kept)."""
    groups = []
    for telephone in (False, True):
        band = [(w, r) for w, r in source if bool(r["telephone"]) == telephone]
        for count in (2, 3, 4):
            first = next((r for _, r in band if int(r["speakers"]) == count), None)  # type: ignore[arg-type]
            if first is not None:
                groups.append((band, frozenset(first["voices"])))  # type: ignore[arg-type]
    for telephone in (False, True):  # one person alone: the count must not split them
        band = [(w, r) for w, r in source if bool(r["telephone"]) == telephone]
        for person in sorted({v for _, r in band for v in r["voices"]}):  # type: ignore[attr-defined]
            groups.append((band, frozenset([person])))
    return groups


def _synthetic_groups(source: list[tuple[Path, Reference]]) -> list[Group]:
    """Synthetic voices: conversations packed in order (each used once, one band a recording) while their
    voices together are at most MAX_VOICES and the recording under MAX_SECONDS."""
    groups = []
    left = list(source)
    while left:
        chosen = [left.pop(0)]
        voices = set(chosen[0][1]["voices"])  # type: ignore[arg-type]
        for item in list(left):
            more = voices | set(item[1]["voices"])  # type: ignore[arg-type]
            same_band = item[1]["telephone"] == chosen[0][1]["telephone"]
            if same_band and len(more) <= MAX_VOICES and _length(chosen) < MAX_SECONDS:
                chosen.append(item)
                left.remove(item)
                voices = more
        groups.append((chosen, frozenset(voices)))
    return groups


def generate(split: str, out: Path = conversations.DEFAULT_OUT) -> list[Reference]:
    """Builds the long set `split` under `out/split` (skipping recordings already there); its references."""
    source_split = SOURCES[split]
    source = conversations.load(source_split, out)
    groups = _real_groups(source) if source_split.startswith("real") else _synthetic_groups(source)
    folder = out / split
    folder.mkdir(parents=True, exist_ok=True)
    references = []
    for seed, group in enumerate(groups):
        name = f"{split}-{seed:02d}"  # numbered by group: a group too short leaves its number unused
        wav, ref_path = folder / f"{name}.wav", folder / f"{name}.json"
        if not (wav.is_file() and ref_path.is_file()):
            audio, reference = interleave(name, group, seed)
            if reference["duration"] < MIN_SECONDS:  # type: ignore[operator]
                continue
            conversations.write_wav(audio, wav)
            ref_path.write_text(json.dumps(reference, indent=1))
        references.append(json.loads(ref_path.read_text()))
    return references


def load(split: str, out: Path = conversations.DEFAULT_OUT) -> list[tuple[Path, Reference]]:
    """(audio path, reference) of every recording of the long set `split`, building it if needed."""
    return [(out / split / f"{r['name']}.wav", r) for r in generate(split, out)]


def load_any(split: str) -> list[tuple[Path, Reference]]:
    """(audio path, reference) of every recording of `split`, a conversation set (conversations.SETS) or a
    long one (SOURCES), building it if needed."""
    return load(split) if split in SOURCES else conversations.load(split)


def available(split: str) -> bool:
    """Whether the packages that `split` (a conversation set or a long one) is built from are installed."""
    return conversations.available(SOURCES.get(split, split))


def missing_packages(split: str) -> str:
    """The apt-get line for the packages `split` (a conversation set or a long one) needs."""
    return conversations.missing_packages(SOURCES.get(split, split))


ALL_SETS = [*conversations.SETS, *SOURCES]
"""Every set a benchmark can score: the conversation sets and the long ones."""
