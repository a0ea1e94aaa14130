"""Copies: two bars or more of one part of a composition that repeat a training file.

Every bar of every pitched part gets a signature: the set of its notes as (onset in the bar,
pitch above the bar's lowest note), so a passage moved to another key signs the same, and
durations and loudness do not count. Two bars in a row make a window whose key also holds
the step between the two bars' lowest notes, so a copy keeps one transposition throughout.
The index is every training file's windows, sorted by key; a composition's windows are looked
up at every phase of the bar (a copy need not start on the composition's bar line: a corpus
primer ends anywhere in a bar) and consecutive hits in one file, one part and one transposition
make one copy. Drums are left out: a two-bar groove is the style, not a copy.

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
#: Index windows looked at per composed window: a pattern a corpus repeats everywhere names
#: enough sources at this many.
MAX_HITS = 64

_U64 = np.uint64


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
        return (
            f"bars {self.first_bar}–{self.last_bar} copy '{self.source}'"
            f" bars {self.source_first_bar}–{self.source_last_bar} ({self.part}{shift})"
        )


@dataclass(frozen=True)
class NoveltyIndex:
    """Every two-bar window of every pitched part of the training files, sorted by key."""

    names: tuple[str, ...]  # file names, by file number
    keys: np.ndarray  # (M,) uint64, ascending
    file: np.ndarray  # (M,) int32
    bar: np.ndarray  # (M,) int32: the window's first bar, 0-based
    part: np.ndarray  # (M,) int8
    low: np.ndarray  # (M,) int16: the lowest pitch of the window's first bar

    def __len__(self) -> int:
        return int(self.keys.size)


@dataclass(frozen=True)
class _Windows:
    """Two-bar windows of some music: one row each (group: file, or phase of a query)."""

    group: np.ndarray
    part: np.ndarray
    bar: np.ndarray
    key: np.ndarray
    low: np.ndarray


def build_index(streams: Sequence[EventStream], paths: Sequence[str]) -> NoveltyIndex:
    """The index of a corpus's event streams (Corpus.streams and .ok_paths)."""
    group, onset, pitch, part, bar_len = _stream_notes(streams)
    w = _windows(group, onset, pitch, part, bar_len)
    order = np.argsort(w.key, kind="stable")
    return NoveltyIndex(
        tuple(Path(p).name for p in paths),
        w.key[order],
        w.group[order].astype(np.int32),
        w.bar[order].astype(np.int32),
        w.part[order].astype(np.int8),
        w.low[order].astype(np.int16),
    )


def find_copies(notes: NoteArray, index: NoveltyIndex, after: float = 0.0) -> list[Copy]:
    """The passages of `notes` (from `after` quarters on) that copy a file of the index."""
    num, den = notes.time_signature
    length = max(1, int(round(num * 4 * GRID / den)))
    on = np.round(notes.onset * GRID).astype(np.int64)
    keep = (notes.parts != DRUMS) & (notes.onset >= after - 1e-6)
    on, pitch, part = on[keep], notes.pitch[keep].astype(np.int64), notes.parts[keep]
    if on.size == 0 or len(index) == 0:
        return []
    # Every phase of the bar at once: phase φ reads bars [φ + kL, φ + (k+1)L).
    phases = np.arange(length, dtype=np.int64)
    group = np.repeat(phases, on.size)
    shifted = np.tile(on, length) - group + length  # + L: no note before bar 0
    w = _windows(
        group,
        shifted,
        np.tile(pitch, length),
        np.tile(part, length),
        np.full(group.size, length, np.int64),
    )
    lo = np.searchsorted(index.keys, w.key, side="left")
    hi = np.minimum(np.searchsorted(index.keys, w.key, side="right"), lo + MAX_HITS)
    hits = hi - lo
    if not hits.any():
        return []
    q = np.repeat(np.arange(w.key.size), hits)
    i = np.repeat(lo - np.r_[0, np.cumsum(hits)[:-1]], hits) + np.arange(q.size)
    k = w.bar[q] - 1  # bar 0 is the one before the first bar of this phase
    return _copies(
        phase=w.group[q],
        part=w.part[q],
        k=k,
        file=index.file[i].astype(np.int64),
        diagonal=index.bar[i].astype(np.int64) - k,
        shift=w.low[q].astype(np.int64) - index.low[i],
        length=length,
        names=index.names,
    )


def _copies(
    phase: np.ndarray,
    part: np.ndarray,
    k: np.ndarray,
    file: np.ndarray,
    diagonal: np.ndarray,
    shift: np.ndarray,
    length: int,
    names: tuple[str, ...],
) -> list[Copy]:
    """Runs of hits that go on in one file, part and transposition, as copies; a run half
    inside a longer one (another phase or source of the same bars) is left out."""
    order = np.lexsort((k, shift, diagonal, file, part, phase))
    phase, part, k, file, diagonal, shift = (
        a[order] for a in (phase, part, k, file, diagonal, shift)
    )
    same = (
        (phase[1:] == phase[:-1])
        & (part[1:] == part[:-1])
        & (file[1:] == file[:-1])
        & (diagonal[1:] == diagonal[:-1])
        & (shift[1:] == shift[:-1])
        & (k[1:] == k[:-1] + 1)
    )
    starts = np.flatnonzero(np.r_[True, ~same])
    ends = np.r_[starts[1:], k.size] - 1
    windows = ends - starts + 1
    # Longest first; a run whose time in its part is already covered adds nothing.
    taken: dict[int, list[tuple[int, int]]] = {}
    copies = []
    for r in np.lexsort((phase[starts], -windows)):
        s, e = int(starts[r]), int(ends[r])
        begin = int(phase[s]) + int(k[s]) * length
        end = int(phase[s]) + (int(k[e]) + 2) * length
        begin = max(0, begin)
        spans = taken.setdefault(int(part[s]), [])
        if any(2 * (min(end, b) - max(begin, a)) >= end - begin for a, b in spans):
            continue
        spans.append((begin, end))
        first_source = int(diagonal[s] + k[s])
        copies.append(
            Copy(
                first_bar=begin // length + 1,
                last_bar=(end - 1) // length + 1,
                part=PARTS[int(part[s])],
                source=names[int(file[s])],
                source_first_bar=first_source + 1,
                source_last_bar=first_source + int(windows[r]) + 1,
                transposed=int(shift[s]),
            )
        )
    return sorted(copies, key=lambda c: (c.first_bar, c.part, c.source))


def _stream_notes(
    streams: Sequence[EventStream],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every note of many event streams at once: file, onset (grid steps from the file's
    start), pitch, part and the file's bar length, drums left out."""
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
    return file[rows], onset[rows], pitch, part[rows], bar_len[file[rows]]


def _windows(
    group: np.ndarray,
    onset: np.ndarray,
    pitch: np.ndarray,
    part: np.ndarray,
    bar_len: np.ndarray,
) -> _Windows:
    """The two-bar windows of notes (one row per note; onsets in grid steps, none below 0)."""
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
    if bar.size == 0:
        z = np.zeros(0, np.int64)
        return _Windows(z, z, z, np.zeros(0, _U64), z)
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
    return _Windows(g[a], p[a], b[a], key, low[a])


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
