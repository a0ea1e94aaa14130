"""Voices: the instrument lines of a piece, each with its part (role) and its program.

A voice is one instrument line of the user's files: a track, or one channel of a type-0 track
(symusic splits those). Voices sit in slots per part (keys 1–6, guitar 1–6, bass 1–3,
strings 1–8, winds 1–8, lead 1–4, other 1–4) and one for the drums, 40 in all. Inside a part
the voices are ordered by mean pitch, highest first, so "keys 1" is the piano melody and
"keys 3" the accompaniment, and a quartet's violins, viola and cello are "strings 1–4", in
every file alike.

Why slots (part + index) and not a free voice number embedded with its program: the model's
voice stream keeps symbols whose meaning is the same in every file of a corpus, so a few
dozen files are enough to learn what "guitar 2" plays; the program stays a property of the
slot (the corpus remembers the program each slot used most), so the piece comes back with the
corpus's instruments.

A piece keeps at most 16 voices (15 pitched and the drums: the 16 MIDI channels, drums on 10).
Tracks merge only when they really are one line: a unison doubling (most of one track's notes
are the other's, onset, pitch and length, on an instrument of the same GM family), or a
"cont." track continuing another. A part with more lines than slots, or a piece with more
than 16, puts its smallest line with the voice of its part nearest in register. The scan says
which tracks merged and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from musicstudio.core.music.parts import DEFAULT_PROGRAMS, DRUMS, PARTS, PartError

#: Voice slots per part (keys, guitar, bass, strings, winds, lead, other, drums): 40 in all;
#: strings and winds have most (an orchestra's violins, viola and choir are all "strings").
VOICES_PER_PART = (6, 6, 3, 8, 8, 4, 4, 1)
#: Voices one piece keeps: one MIDI channel each.
MAX_VOICES = 16
N_VOICES = sum(VOICES_PER_PART)
#: The part of every voice slot, and the first slot of every part.
VOICE_PART = np.repeat(np.arange(len(PARTS)), VOICES_PER_PART).astype(np.int8)
FIRST_VOICE = np.r_[0, np.cumsum(VOICES_PER_PART)[:-1]].astype(np.int8)
#: 'keys 1', 'keys 2', … 'other', 'drums' (a part with one slot is named by the part).
VOICES = tuple(
    PARTS[p] if VOICES_PER_PART[p] == 1 else f"{PARTS[p]} {v - FIRST_VOICE[p] + 1}"
    for v, p in enumerate(VOICE_PART.tolist())
)
VOICE_LABELS = tuple(v.capitalize() for v in VOICES)
#: Program of every slot when the corpus gives none (the part's default).
DEFAULT_VOICE_PROGRAMS = tuple(DEFAULT_PROGRAMS[p] for p in VOICE_PART.tolist())

#: A track whose notes are mostly another's (onset, pitch and length) doubles it in unison.
DOUBLING_SHARE = 0.8
_CONTINUES = re.compile(r"\bcont(?:\.|inued|\b)|\(cont", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    """One track of a file as read: its part, program, name, register and notes (onset and
    length in ticks, pitch; made grid keys only when another line shares its family)."""

    part: int
    program: int
    name: str
    mean_pitch: float
    ticks: np.ndarray
    length_ticks: np.ndarray
    pitch: np.ndarray
    steps_per_tick: float  # GRID / ticks per quarter

    @property
    def notes(self) -> int:
        return int(self.pitch.size)

    def keys(self) -> np.ndarray:
        def steps(ticks: np.ndarray) -> np.ndarray:
            return np.round(ticks * self.steps_per_tick).astype(np.int64)

        pitch = self.pitch.astype(np.int64)
        return line_keys(steps(self.ticks), pitch, steps(self.length_ticks))


@dataclass(frozen=True)
class Merge:
    """A track that joined another's voice, and why."""

    track: str
    into: str
    reason: str  # "doubles it in unison", "continues it", "no voice left for <part>"

    def __str__(self) -> str:
        return f"{self.track!r} joined {self.into!r}: {self.reason}"


def line_keys(onset_steps: np.ndarray, pitch: np.ndarray, length_steps: np.ndarray) -> np.ndarray:
    """The notes of a track as sorted keys: grid onset, pitch and length to within a quarter
    tone of log2 (a doubling plays the same notes as long; an organ holding what a piano
    strikes does not double it)."""
    length = np.round(np.log2(np.maximum(1, length_steps)) * 2).astype(np.int64)
    key = np.asarray(onset_steps, np.int64) * 128 + np.asarray(pitch, np.int64)
    return np.unique(key * 32 + np.minimum(length, 31))


def shared_notes(lines: Sequence[Line]) -> dict[tuple[int, int], int]:
    """Notes (onset, pitch, length) shared by pairs of pitched lines of one GM family, as
    {(line, other line): count}, each pair both ways; pairs that share none are absent. One
    sort of every note, so a file of thousands of tracks costs what one of its size does."""
    pitched = [i for i, line in enumerate(lines) if line.part != DRUMS and line.notes]
    families = [_family(lines[i]) for i in pitched]
    ids = [i for i, f in zip(pitched, families, strict=True) if families.count(f) > 1]
    if len(ids) < 2:
        return {}  # no two lines of one family: nothing can double (most files)
    keys = [lines[i].keys() for i in ids]
    sizes = [k.size for k in keys]
    family = np.repeat([_family(lines[i]) for i in ids], sizes)
    key = np.concatenate(keys) * 17 + family
    line = np.repeat(ids, sizes)
    order = np.argsort(key, kind="stable")
    key, line = key[order], line[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    members = np.diff(np.r_[starts, key.size])
    pairs = [np.stack([line[starts[members == 2]], line[starts[members == 2] + 1]], axis=1)]
    for start, n in zip(starts[members > 2].tolist(), members[members > 2].tolist(), strict=True):
        group = line[start : start + n]
        pairs.append(np.array([(a, b) for k, a in enumerate(group) for b in group[k + 1 :]]))
    both = np.concatenate([p.reshape(-1, 2) for p in pairs])
    both = np.concatenate([both, both[:, ::-1]])
    found, counts = np.unique(both, axis=0, return_counts=True)
    return {(int(a), int(b)): int(n) for (a, b), n in zip(found, counts, strict=True)}


def assign_voices(lines: Sequence[Line]) -> tuple[list[int], list[Merge]]:
    """The voice slot of every line, and the merges (which line joined which, and why)."""
    owner = list(range(len(lines)))  # the line whose voice a line joins (itself: its own)
    merges: list[Merge] = []

    def join(i: int, j: int, reason: str) -> None:
        owner[i] = j
        merges.append(Merge(_name(lines[i], i), _name(lines[j], j), reason))

    for i, line in enumerate(lines):  # a "cont." track continues the last of its part before it
        if _CONTINUES.search(line.name):
            before = [j for j in range(i) if owner[j] == j and lines[j].part == line.part]
            same = [j for j in before if lines[j].program == line.program]
            if same or before:
                join(i, (same or before)[-1], "continues it")
    shared = shared_notes(lines)
    partners: dict[int, list[int]] = {}
    for a, b in shared:
        partners.setdefault(a, []).append(b)
    by_size = sorted(range(len(lines)), key=lambda i: (-lines[i].notes, i))
    rank = {i: k for k, i in enumerate(by_size)}
    for i in by_size:  # a smaller line doubling a bigger one in unison
        bigger = [
            j
            for j in partners.get(i, ())
            if owner[j] == j and rank[j] < rank[i]
            if shared[i, j] >= DOUBLING_SHARE * lines[i].notes
        ]
        if owner[i] == i and bigger:
            join(i, min(bigger, key=rank.__getitem__), "doubles it in unison")

    def owners(part: int) -> list[int]:  # the part's own lines, highest first
        own = [i for i in range(len(lines)) if owner[i] == i and lines[i].part == part]
        return sorted(own, key=lambda i: (-lines[i].mean_pitch, i))

    for part in range(len(PARTS)):  # more lines than slots: the lowest join the nearest
        own = owners(part)
        slots = VOICES_PER_PART[part]
        for i in own[slots:]:
            reason = "one drum voice" if part == DRUMS else f"no voice left for {PARTS[part]}"
            join(i, _nearest(lines, own[:slots], i), reason)
    while True:  # more than 16 lines: the smallest joins the nearest of its part
        own = [i for i in range(len(lines)) if owner[i] == i]
        crowded = [i for i in own if sum(lines[j].part == lines[i].part for j in own) > 1]
        if len(own) <= MAX_VOICES or not crowded:
            break
        i = min(crowded, key=lambda i: (lines[i].notes, -i))
        join(
            i,
            _nearest(lines, [j for j in owners(lines[i].part) if j != i], i),
            "more than 16 voices",
        )
    voice = [-1] * len(lines)
    for part in range(len(PARTS)):
        own = owners(part)
        named = [_slot_named(lines[i].name, part) for i in own]
        if None not in named and len(set(named)) == len(named):
            ordered = named  # tracks named after voice slots (files this app wrote) keep them
        else:
            ordered = [int(FIRST_VOICE[part]) + k for k in range(len(own))]
        for i, v in zip(own, ordered, strict=True):
            voice[i] = int(v)  # type: ignore[arg-type]
    for i in range(len(lines)):
        j = i
        while owner[j] != j:
            j = owner[j]
        voice[i] = voice[j]
    return voice, merges


def _slot_named(name: str, part: int) -> int | None:
    """The slot a track name spells ('Keys 2', as written), if it is one of the part's."""
    key = " ".join(name.lower().split())
    if key in VOICES and VOICE_PART[VOICES.index(key)] == part:
        return VOICES.index(key)
    return None


def _nearest(lines: Sequence[Line], among: Sequence[int], i: int) -> int:
    return min(among, key=lambda j: abs(lines[j].mean_pitch - lines[i].mean_pitch))


def _family(line: Line) -> int:
    """The GM family (program // 8) of a line; the drums are a family of their own."""
    return 16 if line.part == DRUMS else line.program // 8


def _name(line: Line, index: int) -> str:
    return line.name.strip() or f"track {index + 1}"


def most_used_voice_programs(counts: Iterable[Sequence[int]]) -> list[int]:
    """From (voice, program, notes) rows: the program each voice slot used most (else the
    part's default)."""
    table = np.zeros((N_VOICES, 128), np.int64)
    for voice, program, notes in counts:
        if 0 <= int(voice) < N_VOICES and 0 <= int(program) < 128:
            table[int(voice), int(program)] += int(notes)
    return [
        int(table[v].argmax()) if table[v].any() else DEFAULT_VOICE_PROGRAMS[v]
        for v in range(N_VOICES)
    ]


def voices_of_parts(parts: Iterable[int]) -> np.ndarray:
    """The voice slots of some parts (a boolean mask over the 16 slots)."""
    return np.isin(VOICE_PART, np.asarray(list(parts), np.int64))


def programs_with(base: Sequence[int], overrides: Mapping[str, int] | None) -> list[int]:
    """A voice → program table with some programs chosen by the user: by voice ('guitar 2')
    or by part ('guitar': every voice of the part)."""
    out = list(base)
    for raw, program in (overrides or {}).items():
        name = " ".join(str(raw).lower().split())
        if name in PARTS:
            chosen = voices_of_parts([PARTS.index(name)]).nonzero()[0].tolist()
        elif name in VOICES:
            chosen = [VOICES.index(name)]
        else:
            raise PartError(
                f"unknown part or voice {raw!r} (a part: {', '.join(PARTS)};"
                " or one of its voices: keys 1, keys 2, guitar 1, …)"
            )
        if not 0 <= int(program) <= 127:
            raise PartError(f"program for {raw} must be 0..127, not {program}")
        for v in chosen:
            out[v] = int(program)
    return out


def fit_channels(voice: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """Voices for writing: at most 15 pitched voices (the drums take channel 10), the
    smallest joining the nearest in register, of its part where it has another."""
    voice = np.asarray(voice, np.int64).copy()
    while True:
        present = [v for v in np.unique(voice).tolist() if VOICE_PART[v] != DRUMS]
        if len(present) < MAX_VOICES:
            return voice
        count = {v: int((voice == v).sum()) for v in present}
        mean = {v: float(pitch[voice == v].mean()) for v in present}
        v = min(present, key=lambda v: (count[v], -v))
        same = [w for w in present if w != v and VOICE_PART[w] == VOICE_PART[v]]
        into = min(same or [w for w in present if w != v], key=lambda w: abs(mean[w] - mean[v]))
        voice[voice == v] = into
