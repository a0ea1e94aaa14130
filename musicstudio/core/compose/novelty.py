"""Copies: two bars or more of one part of a composition that repeat a training file, or one
bar of a running line.

Every bar of every pitched part gets a signature: the set of its notes as (onset in the bar,
pitch above the bar's lowest note), so a passage moved to another key signs the same, and
durations and loudness do not count. Two bars in a row make a window whose key also holds
the step between the two bars' lowest notes, so a copy keeps one transposition throughout.
One bar with eight onsets or more (a fiddle tune's bar of eighths, a run) is a window on its
own: held-out fiddle tunes share no 8-event phrase with a folder of 5 or 12 tunes, while the
WaveNets of 5 and 30 tunes copied 7.1 % and 5.9 % of theirs past the round-3 guard (most of
it a 2/4 tune's bars in a 2/2 piece: below); chords do not
count, so a one-bar cadence of a chorale, everyone's, is not a copy. Against the whole folk
collection it flags 6.1 % of the held-out tunes' bars (2.7 % two bars only), and 0.2-3.4 %
on the other collections, as before (benchmarks/README.md, "Your own small folder").
The index is every training file's windows, sorted by key; a composition's windows are looked
up at every phase of the bar (a copy need not start on the composition's bar line: a corpus
primer ends anywhere in a bar), in the bars of every meter of the index (a model of a folder
of 2/4 and 2/2 tunes writes a 2/4 tune's bars into a 2/2 piece, unseen in 2/2 bars: 44 % of
one piece's phrases), and consecutive hits in one file, one part and one transposition make
one copy. Drums are left out: a two-bar groove is the style, not a copy.

Written by hand in NumPy: what is needed is a set signature per bar and a sorted lookup, a few
hundred lines no music library offers (music21's search is per stream and far too slow for a
corpus at every Compose), and composing must stay free of TensorFlow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from musicstudio.core.music.constants import GRID
from musicstudio.core.music.events import EventStream, mask_pitches
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.voices import VOICE_PART

#: A window (two bars) counts only with this many notes and onsets: two bars of whole notes,
#: or of one repeated chord, are too plain to be anyone's.
MIN_NOTES = 8
MIN_ONSETS = 4
#: One bar is a window on its own with this many distinct onsets.
RUN_ONSETS = 8
#: Bars longer than this (grid steps: 4/2) are read at every eighth, not at every grid step:
#: the cost grows with the bar, and a copy of such a bar is on the eighths of its bar lines.
LONG_BAR = 8 * GRID
#: Index windows looked at per composed window: a pattern a corpus repeats everywhere names
#: enough sources at this many.
MAX_HITS = 64

_U64 = np.uint64
_ONE_BAR = _U64(0xD1B54A32D192ED03)  # keeps one-bar keys apart from two-bar keys


@dataclass(frozen=True)
class Copy:
    """Bars of a composition (1-based, inclusive) that repeat bars of a training file."""

    first_bar: int
    last_bar: int
    part: str
    source: str  # the training file's name
    source_first_bar: int
    source_last_bar: int
    transposed: int  # semitones from the source to the composition

    def in_words(self) -> str:
        shift = f", {self.transposed:+d} semitones" if self.transposed else ""
        if self.first_bar == self.last_bar:
            return (
                f"bar {self.first_bar} copies '{self.source}'"
                f" bar {self.source_first_bar} ({self.part}{shift})"
            )
        return (
            f"bars {self.first_bar}–{self.last_bar} copy '{self.source}'"
            f" bars {self.source_first_bar}–{self.source_last_bar} ({self.part}{shift})"
        )


@dataclass(frozen=True)
class NoveltyIndex:
    """Every window (two bars, or one bar of a running line) of every pitched part of the
    training files, sorted by key."""

    names: tuple[str, ...]  # file names, by file number
    keys: np.ndarray  # (M,) uint64, ascending
    file: np.ndarray  # (M,) int32
    bar: np.ndarray  # (M,) int32: the window's first bar, 0-based
    part: np.ndarray  # (M,) int8
    low: np.ndarray  # (M,) int16: the lowest pitch of the window's first bar
    span: np.ndarray  # (M,) int8: bars the window covers (1 or 2)
    unit: np.ndarray  # (M,) int32: grid steps of a bar of the window's file
    lengths: tuple[int, ...] = ()  # the bar lengths of the files, each once

    def __len__(self) -> int:
        return int(self.keys.size)


@dataclass(frozen=True)
class _Windows:
    """Windows of some music: one row each (group: file, or phase of a query)."""

    group: np.ndarray
    part: np.ndarray
    bar: np.ndarray
    key: np.ndarray
    low: np.ndarray
    span: np.ndarray


def build_index(streams: Sequence[EventStream], paths: Sequence[str]) -> NoveltyIndex:
    """The index of a corpus's event streams (Corpus.streams and .ok_paths)."""
    group, onset, pitch, part, file_bar = _stream_notes(streams)
    w = _windows(group, onset, pitch, part, file_bar[group])
    order = np.argsort(w.key, kind="stable")
    unit = file_bar[w.group[order]].astype(np.int32)
    return NoveltyIndex(
        tuple(Path(p).name for p in paths),
        w.key[order],
        w.group[order].astype(np.int32),
        w.bar[order].astype(np.int32),
        w.part[order].astype(np.int8),
        w.low[order].astype(np.int16),
        w.span[order].astype(np.int8),
        unit,
        tuple(int(n) for n in np.unique(unit)),
    )


def find_copies(notes: NoteArray, index: NoveltyIndex, after: float = 0.0) -> list[Copy]:
    """The passages of `notes` (from `after` quarters on) that copy a file of the index.

    The piece is read in the bars of every meter of the index, at every phase: a file's
    passage is found where it sits in a piece of another meter too (a 2/4 tune's bars
    inside 2/2 bars), and named in the piece's bars."""
    num, den = notes.time_signature
    bar_length = max(1, int(round(num * 4 * GRID / den)))
    on = np.round(notes.onset * GRID).astype(np.int64)
    keep = (notes.parts != DRUMS) & (notes.onset >= after - 1e-6)
    on, pitch, part = on[keep], notes.pitch[keep].astype(np.int64), notes.parts[keep]
    if on.size == 0 or len(index) == 0:
        return []
    found = [_hits(on, pitch, part, length, index) for length in index.lengths]
    hits = {name: np.concatenate([h[name] for h in found]) for name in found[0]}
    if hits["k"].size == 0:
        return []
    return _copies(**hits, bar_length=bar_length, names=index.names)


def _hits(
    on: np.ndarray, pitch: np.ndarray, part: np.ndarray, length: int, index: NoveltyIndex
) -> dict[str, np.ndarray]:
    """The index windows of files with bars of `length` grid steps that the notes' windows
    (in bars of that length, at every phase) hit: one row per hit."""
    # Every phase of the bar at once: phase φ reads bars [φ + kL, φ + (k+1)L).
    phases = np.arange(0, length, 1 if length <= LONG_BAR else GRID // 2, dtype=np.int64)
    group = np.repeat(phases, on.size)
    shifted = np.tile(on, phases.size) - group + length  # + L: no note before bar 0
    w = _windows(
        group,
        shifted,
        np.tile(pitch, phases.size),
        np.tile(part, phases.size),
        np.full(group.size, length, np.int64),
    )
    lo = np.searchsorted(index.keys, w.key, side="left")
    hi = np.minimum(np.searchsorted(index.keys, w.key, side="right"), lo + MAX_HITS)
    hits = hi - lo
    q = np.repeat(np.arange(w.key.size), hits)
    i = np.repeat(lo - np.r_[0, np.cumsum(hits)[:-1]], hits) + np.arange(q.size)
    same = index.unit[i] == length  # a file of this meter: its bars count like ours
    q, i = q[same], i[same]
    k = w.bar[q] - 1  # bar 0 is the one before the first bar of this phase
    return {
        "phase": w.group[q],
        "part": w.part[q],
        "k": k,
        "file": index.file[i].astype(np.int64),
        "diagonal": index.bar[i].astype(np.int64) - k,
        "shift": w.low[q].astype(np.int64) - index.low[i],
        "span": index.span[i].astype(np.int64),
        "unit": np.full(q.size, length, np.int64),
    }


def _copies(
    phase: np.ndarray,
    part: np.ndarray,
    k: np.ndarray,
    file: np.ndarray,
    diagonal: np.ndarray,
    shift: np.ndarray,
    span: np.ndarray,
    unit: np.ndarray,
    bar_length: int,
    names: tuple[str, ...],
) -> list[Copy]:
    """Runs of hits that go on in one file, part, transposition and window span, as copies
    (hits read in bars of `unit` grid steps; copies named in the piece's bars of
    `bar_length`); a run half inside a longer one (another phase, meter, source or span of
    the same notes) is left out."""
    order = np.lexsort((k, shift, diagonal, file, part, span, phase, unit))
    phase, part, k, file, diagonal, shift, span, unit = (
        a[order] for a in (phase, part, k, file, diagonal, shift, span, unit)
    )
    same = (
        (unit[1:] == unit[:-1])
        & (phase[1:] == phase[:-1])
        & (span[1:] == span[:-1])
        & (part[1:] == part[:-1])
        & (file[1:] == file[:-1])
        & (diagonal[1:] == diagonal[:-1])
        & (shift[1:] == shift[:-1])
        & (k[1:] == k[:-1] + 1)
    )
    starts = np.flatnonzero(np.r_[True, ~same])
    ends = np.r_[starts[1:], k.size] - 1
    bars = ends - starts + span[starts]  # source bars a run covers
    # Longest first; a run whose time in its part is already covered adds nothing.
    taken: dict[int, list[tuple[int, int]]] = {}
    copies = []
    for r in np.lexsort((phase[starts], -bars * unit[starts])):
        s, e = int(starts[r]), int(ends[r])
        length = int(unit[s])
        begin = int(phase[s]) + int(k[s]) * length
        end = int(phase[s]) + (int(k[e]) + int(span[s])) * length
        begin = max(0, begin)
        spans = taken.setdefault(int(part[s]), [])
        if any(2 * (min(end, b) - max(begin, a)) >= end - begin for a, b in spans):
            continue
        spans.append((begin, end))
        first_source = int(diagonal[s] + k[s])
        copies.append(
            Copy(
                first_bar=begin // bar_length + 1,
                last_bar=(end - 1) // bar_length + 1,
                part=PARTS[int(part[s])],
                source=names[int(file[s])],
                source_first_bar=first_source + 1,
                source_last_bar=first_source + int(bars[r]),
                transposed=int(shift[s]),
            )
        )
    return sorted(copies, key=lambda c: (c.first_bar, c.part, c.source))


def _stream_notes(
    streams: Sequence[EventStream],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every note of many event streams at once: file, onset (grid steps from the file's
    start), pitch and part, drums left out; and each file's bar length (grid steps)."""
    if not streams:
        z = np.zeros(0, np.int64)
        return z, z, z, z, z
    sizes = np.array([len(s) for s in streams], np.int64)
    lo = np.concatenate([s.lo for s in streams]).astype(np.uint64)
    hi = np.concatenate([s.hi for s in streams]).astype(np.uint64)
    step = np.concatenate([s.step for s in streams]).astype(np.int64)
    part = VOICE_PART[np.concatenate([s.voice for s in streams]).astype(np.int64)].astype(np.int64)
    file = np.repeat(np.arange(len(streams)), sizes)
    begins = np.r_[0, np.cumsum(sizes)[:-1]]
    before = np.cumsum(step) - step  # grid steps before each row, over all files
    starts = np.array([s.start for s in streams], np.int64)
    onset = before - np.repeat(before[np.minimum(begins, len(before) - 1)], sizes)
    onset += np.repeat(starts, sizes)
    bar_len = np.array(
        [max(1, int(round(n * 4 * GRID / d))) for n, d in (s.time_signature for s in streams)],
        np.int64,
    )
    rows, pitch = mask_pitches(lo, hi)
    keep = part[rows] != DRUMS
    rows, pitch = rows[keep], pitch[keep]
    return file[rows], onset[rows], pitch, part[rows], bar_len


def _windows(
    group: np.ndarray,
    onset: np.ndarray,
    pitch: np.ndarray,
    part: np.ndarray,
    bar_len: np.ndarray,
) -> _Windows:
    """The windows of notes (one row per note; onsets in grid steps, none below 0): two bars
    in a row of one part, and one bar of a running line."""
    if onset.size == 0:  # no notes (a folder of drums only, or of silence): no windows
        z = np.zeros(0, np.int64)
        return _Windows(z, z, z, np.zeros(0, _U64), z, z)
    bar = onset // bar_len
    pos = onset - bar * bar_len
    # One row per distinct (group, part, bar, pitch, position), by bar and then pitch.
    note_key = np.lexsort((pos, pitch, bar, part, group))
    group, part, bar, pitch, pos = (a[note_key] for a in (group, part, bar, pitch, pos))
    new_note = np.r_[
        True,
        (group[1:] != group[:-1])
        | (part[1:] != part[:-1])
        | (bar[1:] != bar[:-1])
        | (pitch[1:] != pitch[:-1])
        | (pos[1:] != pos[:-1]),
    ]
    group, part, bar, pitch, pos = (a[new_note] for a in (group, part, bar, pitch, pos))
    first = np.flatnonzero(
        np.r_[True, (group[1:] != group[:-1]) | (part[1:] != part[:-1]) | (bar[1:] != bar[:-1])]
    )
    count = np.diff(np.r_[first, bar.size])
    low = pitch[first]  # sorted by pitch inside a bar: the first is the lowest
    rel = pitch - np.repeat(low, count)
    with np.errstate(over="ignore"):
        sig = np.add.reduceat(_mix((pos * 128 + rel).astype(_U64)), first)
        sig = _mix(sig ^ count.astype(_U64))
    onsets = _distinct_onsets(pos, first, count)
    g, p, b = group[first], part[first], bar[first]
    # Two bars in a row of one part: a window.
    nxt = (g[1:] == g[:-1]) & (p[1:] == p[:-1]) & (b[1:] == b[:-1] + 1)
    nxt &= (count[1:] + count[:-1] >= MIN_NOTES) & (onsets[1:] + onsets[:-1] >= MIN_ONSETS)
    a = np.flatnonzero(nxt)
    with np.errstate(over="ignore"):
        step = (low[a + 1] - low[a] + 128).astype(_U64)
        key = _mix(sig[a] * _U64(0x9E3779B97F4A7C15) + _mix(sig[a + 1] ^ step))
        one = np.flatnonzero(onsets >= RUN_ONSETS)
        key_one = _mix(sig[one] ^ _ONE_BAR)
    both = np.r_[a, one]
    return _Windows(
        g[both],
        p[both],
        b[both],
        np.r_[key, key_one],
        low[both],
        np.r_[np.full(a.size, 2, np.int64), np.ones(one.size, np.int64)],
    )


def _distinct_onsets(pos: np.ndarray, first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Distinct positions per bar (rows of a bar sorted by pitch, so positions repeat)."""
    bar_of = np.repeat(np.arange(first.size), count)
    pairs = np.unique(bar_of * (1 << 20) + pos)
    return np.bincount(pairs >> 20, minlength=first.size)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: nearby inputs give unrelated 64-bit keys."""
    with np.errstate(over="ignore"):
        x = x + _U64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> _U64(27))) * _U64(0x94D049BB133111EB)
        return x ^ (x >> _U64(31))
