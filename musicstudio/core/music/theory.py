"""The music theory every part of MusicStudio shares: scales, note names, keys, pitch classes.

One table of each, so the key lock (compose/constraints.py), the "in key" figure
(music/metrics.py), the token names (music/vocab.py) and the piano roll's keyboard judge and
spell notes alike. Written by hand rather than asked of music21: these are a few tables and a
regular expression, read on every note, and music21 spells flats with "-" ("E-4").
"""

from __future__ import annotations

import re

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.music.constants import DURATION_VALUES, GRID
from musicstudio.core.music.events import EventStream, mask_pitches
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS

#: One spelling per pitch class: sharps for C# and F#, flats for Eb, Ab and Bb, as the keys
#: musicians name most often are spelt (F# minor, Eb major, Bb major).
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MODES = ("major", "minor")
#: Semitones above the tonic. Minor is the natural minor (Aeolian), for the key lock and the
#: "in key" figure alike: the README documents the lock as natural minor, and a piece the lock
#: kept in D minor must be 100 % in D minor. (The harmonic minor's raised seventh is a
#: chromatic note here, as it is in the key signature.)
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
}
#: The 24 keys as the user picks and reads them: 'C major' … 'B minor' (parts.KEYS is a part).
KEY_NAMES = tuple(f"{name} {mode}" for mode in MODES for name in PITCH_NAMES)

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NOTE = re.compile(r"^\s*([A-Ga-g])([#b♯♭]*)\s*(-?\d+)\s*$")


class NotationError(MusicStudioError, ValueError):
    """A note or key name that is not one, with how to write it."""


def pitch_name(pitch: int) -> str:
    """'C4' for MIDI 60 (scientific octaves, middle C = C4), in the one spelling."""
    return f"{PITCH_NAMES[pitch % 12]}{pitch // 12 - 1}"


def note_number(name: str | int) -> int:
    """MIDI number of a note name ('C4' = 60, 'F#3', 'Bb2', 'Eb-1') or of a number 0..127."""
    if isinstance(name, int) or str(name).strip().isdigit():
        n = int(name)
    else:
        m = _NOTE.match(str(name))
        if not m:
            raise NotationError(f"{name!r} is not a note (write e.g. C3, F#4, Bb5 or 60)")
        letter, accidentals, octave = m.groups()
        shift = sum(1 if a in "#♯" else -1 for a in accidentals)
        n = (int(octave) + 1) * 12 + _LETTERS[letter.upper()] + shift
    if not 0 <= n <= 127:
        raise NotationError(f"{name!r} is outside the MIDI range C-1..G9")
    return n


def key_name(tonic: int, mode: str) -> str:
    """'C major', 'F# minor': how a key is shown to the user."""
    return f"{PITCH_NAMES[tonic % 12]} {mode}"


def parse_key(text: str) -> tuple[int, str]:
    """'D minor' / 'f# major' / 'Bb' → (tonic pitch class, mode)."""
    words = text.replace("-", " ").split()
    mode = "major"
    if len(words) == 2 and words[1].lower() in SCALES:
        mode = words[1].lower()
    elif len(words) != 1:
        raise NotationError(f"{text!r} is not a key (write e.g. 'D minor' or 'Eb major')")
    try:
        tonic = note_number(words[0] + "4") % 12
    except NotationError:
        raise NotationError(f"{text!r} is not a key (write e.g. 'D minor' or 'Eb major')") from None
    return tonic, mode


def scale_of(tonic: int, mode: str) -> frozenset[int]:
    """The pitch classes of a key's scale."""
    return frozenset((tonic + step) % 12 for step in SCALES[mode])


def pitch_class_histogram(music: NoteArray | EventStream) -> np.ndarray:
    """Quarters each pitch class sounds (12 floats, drums left out): what a key is heard from.

    Notes count their durations; events their duration classes (a chord's every pitch).
    """
    if isinstance(music, NoteArray):
        notes = music.select(music.parts != DRUMS)
        weights = np.maximum(notes.duration, 0.0)
        classes = notes.pitch.astype(np.int64) % 12
    else:
        keep = music.parts != DRUMS
        rows, pitch = mask_pitches(music.lo[keep], music.hi[keep])
        steps = DURATION_VALUES[music.duration[keep].astype(np.int64)[rows]]
        weights, classes = steps / GRID, pitch.astype(np.int64) % 12
    return np.bincount(classes, weights=weights, minlength=12).astype(float)
