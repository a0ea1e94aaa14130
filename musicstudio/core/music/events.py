"""Notes <-> events (representation 3): the notes of one voice that start together, as one event.

An event is the notes of one voice (voices.py: an instrument line, with its part) that start at
one quantized onset with the same duration class and a close velocity (classes within one of
the event's): a pitch set (the original method's "note or chord", with real octaves) +
duration + step (grid steps to the next event, 0 between the events of one onset) + velocity +
voice. The events of one onset are ordered by voice, then lowest pitch. Drums are pitch sets of
kit pieces on the drum voice.

Pitch sets are 128-bit masks split into two uint64 words, so a whole file is encoded with
NumPy and no per-note Python loop. An all-zero mask is a REST event: gaps longer than
MAX_STEP are split into rests, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.music.constants import (
    DURATION_VALUES,
    GRID,
    MAX_EVENTS,
    MAX_REST,
    MAX_STEP,
    VELOCITY_BINS,
)
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.voices import DEFAULT_VOICE_PROGRAMS, N_VOICES, VOICE_PART

_ONE = np.uint64(1)
_DUR_EDGES = (DURATION_VALUES[1:] + DURATION_VALUES[:-1]) / 2.0
#: duration_class of 0..DURATION_VALUES[-1] grid steps, looked up (longer: the last class).
_DUR_CLASS = np.searchsorted(_DUR_EDGES, np.arange(DURATION_VALUES[-1] + 1)).astype(np.int16)
#: Notes of one part and onset share an event when their velocity classes fall in one band
#: of three classes; the event's class is the band's midrange, so each is within one.
_VELOCITY_BAND = 3


class EncodingError(MusicStudioError, ValueError):
    """Notes that cannot become events within the limits, with the reason."""


@dataclass(frozen=True)
class EventStream:
    """The events of one piece, before the vocabulary maps pitch sets to tokens."""

    lo: np.ndarray  # uint64: pitches 0..63 sounding from this onset
    hi: np.ndarray  # uint64: pitches 64..127
    duration: np.ndarray  # int16: index into DURATION_VALUES
    step: np.ndarray  # int16: grid steps to the next event (0..MAX_STEP)
    velocity: np.ndarray  # int16: velocity class 0..VELOCITY_BINS-1
    voice: np.ndarray  # int8: voice slot (voices.VOICES); 0 on rests
    start: int = 0  # grid step of the first event
    capped: int = 0  # notes whose duration was longer than the longest class
    source_notes: int = 0  # distinct (onset, voice, pitch) notes that were encoded
    shortened_rests: int = 0  # silences longer than MAX_REST, shortened to it
    time_signature: tuple[int, int] = (4, 4)

    def __len__(self) -> int:
        return int(self.lo.size)

    @property
    def parts(self) -> np.ndarray:
        """The part of every event's voice."""
        return VOICE_PART[self.voice.astype(np.int64)]

    @property
    def is_rest(self) -> np.ndarray:
        return (self.lo == 0) & (self.hi == 0)

    def note_count(self) -> int:
        """Number of (onset, voice, pitch) notes carried by these events."""
        return int(popcount(self.lo).sum() + popcount(self.hi).sum())

    def transposed(self, k: int) -> EventStream | None:
        """Pitched parts shifted by k semitones (drums stay), or None if a pitch would leave 0..127."""
        if k == 0:
            return self
        pitched = self.parts != DRUMS
        lo, hi, ok = transpose_masks(self.lo[pitched], self.hi[pitched], k)
        if not ok:
            return None
        new_lo, new_hi = self.lo.copy(), self.hi.copy()
        new_lo[pitched], new_hi[pitched] = lo, hi
        return replace(self, lo=new_lo, hi=new_hi)

    @staticmethod
    def concatenate(streams: Sequence[EventStream]) -> EventStream:
        """The events of several pieces one after another (their start and figures dropped)."""

        def cat(name: str, dtype: type) -> np.ndarray:
            arrays = [getattr(s, name) for s in streams]
            return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype)

        return EventStream(
            cat("lo", np.uint64),
            cat("hi", np.uint64),
            cat("duration", np.int16),
            cat("step", np.int16),
            cat("velocity", np.int16),
            cat("voice", np.int8),
        )


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


def quantize(
    notes: NoteArray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Grid onsets, grid durations, pitches, velocities and voices, unique per (onset, voice,
    pitch).

    Sorted by onset, voice, pitch; a note doubled in one voice keeps its longest duration and
    loudest velocity.
    """
    on = np.round(notes.onset * GRID).astype(np.int64)
    du = np.maximum(1, np.round(notes.duration * GRID).astype(np.int64))
    pi = notes.pitch.astype(np.int64)
    ve = notes.velocity.astype(np.int64)
    pa = notes.voices.astype(np.int64)
    ok = (on >= 0) & (pi >= 0) & (pi <= 127) & (pa >= 0) & (pa < N_VOICES)
    return _unique_notes(on[ok], du[ok], pi[ok], ve[ok], pa[ok])


def _unique_notes(
    on: np.ndarray, du: np.ndarray, pi: np.ndarray, ve: np.ndarray, pa: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    key = (on * N_VOICES + pa) * 128 + pi
    order = np.argsort(key, kind="stable")
    key, on, du, pi, ve, pa = key[order], on[order], du[order], pi[order], ve[order], pa[order]
    if key.size == 0 or (key[1:] != key[:-1]).all():  # no doubled note: nothing to merge
        return on, du, pi, ve, pa
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return (
        on[first],
        np.maximum.reduceat(du, first),
        pi[first],
        np.maximum.reduceat(ve, first),
        pa[first],
    )


def duration_class(grid_steps: np.ndarray) -> np.ndarray:
    """Nearest duration class for durations in grid steps."""
    steps = np.asarray(grid_steps)
    if steps.dtype.kind in "iu":  # whole steps: a table, ~5x faster than the search
        return _DUR_CLASS[np.clip(steps, 0, _DUR_CLASS.size - 1)]
    return np.searchsorted(_DUR_EDGES, steps, side="left").astype(np.int16)


def velocity_class(velocity: np.ndarray) -> np.ndarray:
    """Velocity class (VELOCITY_BINS bins of equal width) of MIDI velocities."""
    return np.clip(np.asarray(velocity, np.int64) * VELOCITY_BINS // 128, 0, VELOCITY_BINS - 1)


def _empty_stream(time_signature: tuple[int, int]) -> EventStream:
    z = np.zeros(0, np.uint64)
    e = np.zeros(0, np.int16)
    return EventStream(z, z, e, e, e, np.zeros(0, np.int8), time_signature=time_signature)


def encode(notes: NoteArray) -> EventStream:
    """Encode notes as events (vectorized): one event per (onset, voice, duration, velocity band)."""
    return _encode(quantize(notes), notes.time_signature)


def _encode(quantized: tuple[np.ndarray, ...], time_signature: tuple[int, int]) -> EventStream:
    on, du, pi, ve, pa = quantized  # sorted by onset, voice, pitch
    if on.size == 0:
        return _empty_stream(time_signature)
    dcls = duration_class(du).astype(np.int64)
    vcls = velocity_class(ve)
    band = vcls // _VELOCITY_BAND
    # One int64 key per note (onset, voice, duration class, velocity band); a stable sort keeps
    # the pitches ascending inside each group.
    group_key = ((on * N_VOICES + pa) * 64 + dcls) * 4 + band
    order = np.argsort(group_key, kind="stable")
    group_key, on, pi, pa, dcls, vcls = (a[order] for a in (group_key, on, pi, pa, dcls, vcls))
    starts = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]])
    bit = np.left_shift(_ONE, (pi % 64).astype(np.uint64))
    g_lo = np.bitwise_or.reduceat(np.where(pi < 64, bit, np.uint64(0)), starts)
    g_hi = np.bitwise_or.reduceat(np.where(pi >= 64, bit, np.uint64(0)), starts)
    g_vel = (np.minimum.reduceat(vcls, starts) + np.maximum.reduceat(vcls, starts)) // 2
    g_on, g_pa, g_dur, g_low = on[starts], pa[starts], dcls[starts], pi[starts]
    # The events of one onset: by voice, then lowest pitch (deterministic).
    g = np.argsort((g_on * N_VOICES + g_pa) * 128 + g_low, kind="stable")
    g_on, g_pa, g_dur, g_vel, g_lo, g_hi = (a[g] for a in (g_on, g_pa, g_dur, g_vel, g_lo, g_hi))
    last_of_onset = np.r_[g_on[1:] != g_on[:-1], True]
    tail = int(min(du[on == on[-1]].max(), MAX_STEP))
    gap = np.where(last_of_onset, np.r_[np.diff(g_on), tail], 0)
    # A silence longer than MAX_REST is shortened to it (counted): a broken or padded file
    # must not turn into millions of rest events.
    long_rests = int((gap > MAX_REST).sum())
    gap = np.minimum(gap, MAX_REST)
    # Gaps longer than MAX_STEP: the event keeps MAX_STEP, then REST events follow.
    rests = np.maximum(0, (gap - 1) // MAX_STEP)
    total = int(g_on.size + rests.sum())
    if total > MAX_EVENTS:
        raise EncodingError(f"too many events ({total:,} > {MAX_EVENTS:,})")
    if rests.any():
        rows = 1 + rests
        owner = np.repeat(np.arange(g_on.size), rows)
        pos = np.arange(owner.size) - np.repeat(np.cumsum(rows) - rows, rows)
        is_event = pos == 0
        step = np.where(pos < rests[owner], MAX_STEP, gap[owner] - rests[owner] * MAX_STEP)
        zero = np.uint64(0)
        g_lo, g_hi = np.where(is_event, g_lo[owner], zero), np.where(is_event, g_hi[owner], zero)
        g_dur, g_vel, g_pa = (np.where(is_event, a[owner], 0) for a in (g_dur, g_vel, g_pa))
    else:  # no REST events: one row per event, as they are
        step = gap
    return EventStream(
        lo=g_lo,
        hi=g_hi,
        duration=g_dur.astype(np.int16),
        step=step.astype(np.int16),
        velocity=g_vel.astype(np.int16),
        voice=g_pa.astype(np.int8),
        start=int(g_on[0]),
        capped=int((du > DURATION_VALUES[-1]).sum()),
        source_notes=int(on.size),
        shortened_rests=long_rests,
        time_signature=time_signature,
    )


def mask_pitches(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row index, pitch) for every set bit of the pitch-set masks, by row, then pitch.

    Peels the lowest set bit off every word at once, as many rounds as the biggest chord
    has notes: far less work than unpacking all 128 bits of every event.
    """
    rows, bits = [], []
    for offset, words in ((0, lo), (64, hi)):
        w = np.asarray(words, np.uint64)
        idx = np.flatnonzero(w)
        w = w[idx]
        while idx.size:
            low = w & (~w + _ONE)  # the lowest set bit (two's complement, no overflow)
            rows.append(idx)
            bits.append(np.log2(low.astype(np.float64)).astype(np.int64) + offset)  # exact
            w = w ^ low
            more = w != 0
            idx, w = idx[more], w[more]
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    row, pitch = np.concatenate(rows), np.concatenate(bits)
    order = np.argsort(row * 128 + pitch, kind="stable")
    return row[order], pitch[order]


def decode(
    events: EventStream, tempo_qpm: float = 120.0, programs: Sequence[int] | None = None
) -> NoteArray:
    """Events back to notes, each with its voice and the voice's program (`programs`: one per
    voice slot); onsets start at `events.start`."""
    step = events.step.astype(np.int64)
    onset = events.start + np.r_[0, np.cumsum(step)[:-1]] if step.size else step
    rows, pitch = mask_pitches(events.lo, events.hi)
    dur_steps = DURATION_VALUES[events.duration.astype(np.int64)[rows]]
    half_bin = 128 // VELOCITY_BINS // 2
    vel = events.velocity.astype(np.int64)[rows] * (128 // VELOCITY_BINS) + half_bin
    voice = np.clip(events.voice.astype(np.int64)[rows], 0, N_VOICES - 1)
    on = onset[rows]
    # Two events of one voice at one onset may share a pitch (generated): keep the longest.
    key = (on * N_VOICES + voice) * 128 + pitch
    order = np.lexsort((-dur_steps, key))
    keep = np.sort(order[np.r_[True, key[order][1:] != key[order][:-1]]]) if key.size else order
    table = np.asarray(DEFAULT_VOICE_PROGRAMS if programs is None else programs, np.int16)
    return NoteArray(
        onset=on[keep].astype(np.float64) / GRID,
        duration=dur_steps[keep].astype(np.float64) / GRID,
        pitch=pitch[keep].astype(np.int16),
        velocity=np.clip(vel[keep], 1, 127).astype(np.int16),
        program=table[voice[keep]],
        tempo_qpm=tempo_qpm,
        time_signature=events.time_signature,
        voice=voice[keep].astype(np.int8),
    )


def roundtrip(notes: NoteArray, programs: Sequence[int] | None = None) -> NoteArray:
    """What the events keep of a piece: encode, then decode at the piece's own tempo."""
    return replace(decode(encode(notes), notes.tempo_qpm, programs), tempo_map=notes.tempo_map)


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
