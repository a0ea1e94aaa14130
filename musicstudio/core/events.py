"""Notes <-> events: one event per quantized onset (pitch set, duration, step, velocity).

Pitch sets are 128-bit masks split into two uint64 words, so a whole file is encoded
with NumPy and no per-note Python loop. An all-zero mask is a REST event: gaps longer
than MAX_STEP are split into rests, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musicstudio.core.constants import (
    DURATION_VALUES,
    GRID,
    MAX_EVENTS,
    MAX_REST,
    MAX_STEP,
    VELOCITY_BINS,
)
from musicstudio.core.midi import NoteArray

_ONE = np.uint64(1)
_DUR_EDGES = (DURATION_VALUES[1:] + DURATION_VALUES[:-1]) / 2.0


class EncodingError(ValueError):
    """Notes that cannot become events within the limits, with the reason."""


@dataclass(frozen=True)
class EventStream:
    """The events of one piece, before the vocabulary maps pitch sets to tokens."""

    lo: np.ndarray  # uint64: pitches 0..63 sounding from this onset
    hi: np.ndarray  # uint64: pitches 64..127
    duration: np.ndarray  # int16: index into DURATION_VALUES
    step: np.ndarray  # int16: grid steps to the next event (0..MAX_STEP)
    velocity: np.ndarray  # int16: velocity class 0..VELOCITY_BINS-1
    start: int = 0  # grid step of the first event
    capped: int = 0  # notes whose duration was longer than the longest class
    source_notes: int = 0  # distinct (onset, pitch) notes that were encoded
    shortened_rests: int = 0  # silences longer than MAX_REST, shortened to it

    def __len__(self) -> int:
        return int(self.lo.size)

    @property
    def is_rest(self) -> np.ndarray:
        return (self.lo == 0) & (self.hi == 0)

    def note_count(self) -> int:
        """Number of (onset, pitch) notes carried by these events."""
        return int(popcount(self.lo).sum() + popcount(self.hi).sum())


def popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per uint64 word."""
    bits = np.unpackbits(
        np.ascontiguousarray(words, dtype="<u8").view(np.uint8).reshape(-1, 8), axis=1
    )
    return bits.sum(axis=1)


_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xC2B2AE3D27D4EB4F)


def unique_masks(
    lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (lo, hi) pitch sets: their lo, hi, the inverse index and counts.

    Sorting one mixed 64-bit word is far faster than sorting 128-bit records; the
    result is checked exactly, and a (vanishingly rare) collision falls back to lexsort.
    """
    lo = np.asarray(lo, np.uint64)
    hi = np.asarray(hi, np.uint64)
    with np.errstate(over="ignore"):
        h = (lo * _MIX1) ^ ((hi + np.uint64(1)) * _MIX2)
    _, first, inverse, counts = np.unique(
        h, return_index=True, return_inverse=True, return_counts=True
    )
    u_lo, u_hi = lo[first], hi[first]
    if np.array_equal(u_lo[inverse], lo) and np.array_equal(u_hi[inverse], hi):
        return u_lo, u_hi, inverse.ravel(), counts
    order = np.lexsort((lo, hi))
    s_lo, s_hi = lo[order], hi[order]
    starts = np.r_[True, (s_lo[1:] != s_lo[:-1]) | (s_hi[1:] != s_hi[:-1])]
    group = np.cumsum(starts) - 1
    inv = np.empty_like(group)
    inv[order] = group
    return s_lo[starts], s_hi[starts], inv, np.bincount(group)


def quantize(notes: NoteArray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid onsets, grid durations, pitches and velocities, unique per (onset, pitch), sorted."""
    on = np.round(notes.onset * GRID).astype(np.int64)
    du = np.maximum(1, np.round(notes.duration * GRID).astype(np.int64))
    pi = notes.pitch.astype(np.int64)
    ve = notes.velocity.astype(np.int64)
    ok = (on >= 0) & (pi >= 0) & (pi <= 127)
    on, du, pi, ve = on[ok], du[ok], pi[ok], ve[ok]
    key = on * 128 + pi
    order = np.argsort(key, kind="stable")
    key, on, du, pi, ve = key[order], on[order], du[order], pi[order], ve[order]
    if key.size == 0:
        return on, du, pi, ve
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return on[first], np.maximum.reduceat(du, first), pi[first], np.maximum.reduceat(ve, first)


def duration_class(grid_steps: np.ndarray) -> np.ndarray:
    """Nearest duration class for durations in grid steps."""
    return np.searchsorted(_DUR_EDGES, grid_steps, side="left").astype(np.int16)


def encode(notes: NoteArray) -> EventStream:
    """Encode notes as events (vectorized)."""
    on, du, pi, ve = quantize(notes)
    if on.size == 0:
        z = np.zeros(0, np.uint64)
        e = np.zeros(0, np.int16)
        return EventStream(z, z, e, e, e)
    starts = np.flatnonzero(np.r_[True, on[1:] != on[:-1]])
    bit = np.left_shift(_ONE, (pi % 64).astype(np.uint64))
    lo = np.bitwise_or.reduceat(np.where(pi < 64, bit, np.uint64(0)), starts)
    hi = np.bitwise_or.reduceat(np.where(pi >= 64, bit, np.uint64(0)), starts)
    dur = np.maximum.reduceat(du, starts)
    counts = np.diff(np.r_[starts, on.size])
    vel = np.add.reduceat(ve, starts) // counts
    onsets = on[starts]
    gap = np.r_[np.diff(onsets), min(int(dur[-1]), MAX_STEP)]
    # A silence longer than MAX_REST is shortened to it (counted): a broken or padded file
    # must not turn into millions of rest events.
    long_rests = int((gap > MAX_REST).sum())
    gap = np.minimum(gap, MAX_REST)
    # Gaps longer than MAX_STEP: the event keeps MAX_STEP, then REST events follow.
    rests = np.maximum(0, (gap - 1) // MAX_STEP)
    total = int(onsets.size + rests.sum())
    if total > MAX_EVENTS:
        raise EncodingError(f"too many events ({total:,} > {MAX_EVENTS:,})")
    rows = 1 + rests
    owner = np.repeat(np.arange(onsets.size), rows)
    pos = np.arange(owner.size) - np.repeat(np.cumsum(rows) - rows, rows)
    is_event = pos == 0
    step = np.where(pos < rests[owner], MAX_STEP, gap[owner] - rests[owner] * MAX_STEP)
    zero = np.uint64(0)
    return EventStream(
        lo=np.where(is_event, lo[owner], zero),
        hi=np.where(is_event, hi[owner], zero),
        duration=np.where(is_event, duration_class(dur)[owner], 0).astype(np.int16),
        step=step.astype(np.int16),
        velocity=np.where(
            is_event, np.clip(vel[owner] * VELOCITY_BINS // 128, 0, VELOCITY_BINS - 1), 0
        ).astype(np.int16),
        start=int(onsets[0]),
        capped=int((du > DURATION_VALUES[-1]).sum()),
        source_notes=int(on.size),
        shortened_rests=long_rests,
    )


def mask_pitches(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row index, pitch) for every set bit of the pitch-set masks."""
    words = np.stack([np.asarray(lo, "<u8"), np.asarray(hi, "<u8")], axis=1)
    bits = np.unpackbits(words.view(np.uint8).reshape(len(words), 16), axis=1, bitorder="little")
    rows, pitch = np.nonzero(bits)
    return rows, pitch


def decode(events: EventStream, tempo_qpm: float = 120.0, program: int = 0) -> NoteArray:
    """Events back to notes; onsets start at `events.start`."""
    step = events.step.astype(np.int64)
    onset = events.start + np.r_[0, np.cumsum(step)[:-1]] if step.size else step
    rows, pitch = mask_pitches(events.lo, events.hi)
    dur_steps = DURATION_VALUES[events.duration.astype(np.int64)[rows]]
    half_bin = 128 // VELOCITY_BINS // 2
    vel = events.velocity.astype(np.int64)[rows] * (128 // VELOCITY_BINS) + half_bin
    on = onset[rows]
    # Two events at one onset may share a pitch (a generated split chord): keep the longest.
    key = on * 128 + pitch
    order = np.lexsort((-dur_steps, key))
    keep = np.sort(order[np.r_[True, key[order][1:] != key[order][:-1]]]) if key.size else order
    return NoteArray(
        onset=on[keep].astype(np.float64) / GRID,
        duration=dur_steps[keep].astype(np.float64) / GRID,
        pitch=pitch[keep].astype(np.int16),
        velocity=np.clip(vel[keep], 1, 127).astype(np.int16),
        program=np.full(keep.size, program, np.int16),
        tempo_qpm=tempo_qpm,
    )


def note_recall(original: NoteArray, decoded: NoteArray) -> float:
    """Share of the original notes that come back with the same quantized onset and pitch."""
    on, _, pi, _ = quantize(original)
    if on.size == 0:
        return 1.0
    want = on * 128 + pi
    got = np.round(decoded.onset * GRID).astype(np.int64) * 128 + decoded.pitch.astype(np.int64)
    return float(np.isin(want, got).mean())


def transpose_masks(lo: np.ndarray, hi: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Shift pitch-set masks by k semitones; the flag says whether every pitch stayed in 0..127."""
    if k == 0:
        return lo, hi, True
    rows, pitch = mask_pitches(lo, hi)
    shifted = pitch + k
    ok = bool(((shifted >= 0) & (shifted <= 127)).all())
    shifted = np.clip(shifted, 0, 127).astype(np.uint64)
    bit = np.left_shift(_ONE, shifted % np.uint64(64))
    new_lo = np.zeros(len(lo), np.uint64)
    new_hi = np.zeros(len(lo), np.uint64)
    np.bitwise_or.at(new_lo, rows[shifted < 64], bit[shifted < 64])
    np.bitwise_or.at(new_hi, rows[shifted >= 64], bit[shifted >= 64])
    return new_lo, new_hi, ok
