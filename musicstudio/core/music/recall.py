"""What a round trip keeps: the notes that come back from events, strictly and by the older
measures (the scan's note recall, "Play as learned", `musicstudio roundtrip`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musicstudio.core.music.constants import DURATION_VALUES, VELOCITY_BINS
from musicstudio.core.music.events import (
    EventStream,
    _encode,
    _unique_notes,
    duration_class,
    mask_pitches,
    quantize,
    velocity_class,
)
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.voices import N_VOICES


@dataclass(frozen=True)
class Recall:
    """How many notes come back from a round trip, strictly and by the older measure."""

    notes: int  # distinct (onset, voice, pitch) notes of the original
    strict: float  # onset, pitch, voice and duration class back; velocity class within one
    onset_pitch: float  # onset and pitch back (any voice, duration, velocity): the old measure
    duration_exact: float  # onset, pitch, voice back with the exact grid duration


def note_recall(original: NoteArray, decoded: NoteArray) -> Recall:
    """Compare the notes a round trip gives back with the original notes."""
    return _recall(quantize(original), quantize(decoded))


def encode_and_measure(notes: NoteArray) -> tuple[EventStream, Recall]:
    """Encode a piece and measure what decoding the events gives back (one quantization)."""
    quantized = quantize(notes)
    events = _encode(quantized, notes.time_signature)
    return events, _recall(quantized, _decoded_notes(events))


def _decoded_notes(events: EventStream) -> tuple[np.ndarray, ...]:
    """quantize(decode(events)) in one pass: what decoding gives, on the grid, one per key."""
    step = events.step.astype(np.int64)
    onset = events.start + np.r_[0, np.cumsum(step)[:-1]] if step.size else step
    rows, pitch = mask_pitches(events.lo, events.hi)
    velocity = events.velocity.astype(np.int64)[rows] * (128 // VELOCITY_BINS) + 64 // VELOCITY_BINS
    return _unique_notes(
        onset[rows],
        DURATION_VALUES[events.duration.astype(np.int64)[rows]],
        pitch,
        np.clip(velocity, 1, 127),
        np.clip(events.voice.astype(np.int64)[rows], 0, N_VOICES - 1),
    )


def _recall(original: tuple[np.ndarray, ...], decoded: tuple[np.ndarray, ...]) -> Recall:
    on, du, pi, ve, pa = original
    if on.size == 0:
        return Recall(0, 1.0, 1.0, 1.0)
    d_on, d_du, d_pi, d_ve, d_pa = decoded
    if d_on.size == 0:
        return Recall(int(on.size), 0.0, 0.0, 0.0)
    want = (on * N_VOICES + pa) * 128 + pi
    got = (d_on * N_VOICES + d_pa) * 128 + d_pi  # sorted and unique (quantize)
    if np.array_equal(got, want):
        # Every note back at its onset, voice and pitch (the usual case): the searches below
        # would find each at its own index, and every onset and pitch is heard.
        strict = (duration_class(du) == duration_class(d_du)) & (
            np.abs(velocity_class(ve) - velocity_class(d_ve)) <= 1
        )
        return Recall(int(on.size), float(strict.mean()), 1.0, float((du == d_du).mean()))
    at = np.clip(np.searchsorted(got, want), 0, got.size - 1)
    found = got[at] == want
    same_class = duration_class(du) == duration_class(d_du[at])
    close_vel = np.abs(velocity_class(ve) - velocity_class(d_ve[at])) <= 1
    strict = found & same_class & close_vel
    exact = found & (du == d_du[at])
    heard = np.sort(d_on * 128 + d_pi)
    want_op = on * 128 + pi
    onset_pitch = heard[np.clip(np.searchsorted(heard, want_op), 0, heard.size - 1)] == want_op
    return Recall(
        int(on.size), float(strict.mean()), float(onset_pitch.mean()), float(exact.mean())
    )
