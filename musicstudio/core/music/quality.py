"""Does it sound like the corpus? Per-piece musical features and set-against-set closeness.

After Yang & Lerch (2018, "On the evaluation of generative models in music"): a single piece
cannot be right or wrong, but a set of compositions can be told apart from a set of real pieces.
For each feature, the distances between the real pieces (intra-set) form one distribution and
the distances from every composition to every real piece (inter-set) another; when the
compositions are like the real pieces the two coincide. The overlap area of the two smoothed
distributions (OA: 1 the same, 0 disjoint; quality_kde.py) is the score, and the mean OA over
features is the single number.

The features, computed from notes (so a composition and a real piece are measured alike):
- pitch figures leave the drum part out (a kit piece's number is not a pitch);
- pitch classes and note lengths are counted per note, not weighted by duration (as Yang &
  Lerch count them);
- pitch-class transitions go from each onset of a part to its next onset, every pitch class
  sounding at one to every pitch class at the other (a chord change counts all its moves);
- the mean pitch interval follows the top line of each part (its highest note at each onset):
  chords have no "next note", and the top line is what a listener follows as the melody;
- the inter-onset interval is between the distinct onsets of any part, drums included (it
  is rhythm, not pitch); polyphony is notes per onset of the pitched parts;
- bars use the piece's time signature and are fractional, counted from the first onset to
  the last note's end (an excerpt that ends mid-bar is not given a whole bar);
- a figure that is not defined for a piece (an interval with one onset) is 0.
Distances are Euclidean between feature vectors (a histogram, a flattened matrix), absolute
differences between numbers, as in Yang & Lerch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.music.constants import GRID
from musicstudio.core.music.form import FORM_LABELS
from musicstudio.core.music.metrics import histogram, pitch_range, pitched, polyphony
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.quality_kde import compare_samples

#: Note-length classes in quarters (sixteenth to two whole notes, with dotted notes and the
#: eighth triplet); a note counts in the class nearest its length on a log scale.
NOTE_LENGTHS = np.array([0.25, 1 / 3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0])


class QualityError(MusicStudioError, ValueError):
    """Sets too small to compare (a distribution of distances needs two pieces)."""


def _feature(label: str) -> Any:
    """A feature field with the short label tables show it under (declared once, here)."""
    return field(metadata={"label": label})


@dataclass(frozen=True)
class PieceFeatures:
    """The features of one piece that sets of pieces are compared by (see the module docstring)."""

    pitch_classes: np.ndarray = _feature("pitch classes")
    pitch_class_transitions: np.ndarray = _feature("pc transitions")
    note_lengths: np.ndarray = _feature("note lengths")
    pitch_range: float = _feature("pitch range")
    mean_interval: float = _feature("mean interval")
    mean_ioi: float = _feature("inter-onset")
    distinct_pitches: float = _feature("distinct pitches")
    notes_per_bar: float = _feature("notes per bar")
    polyphony: float = _feature("polyphony")
    drum_onsets_per_bar: float = _feature("drum onsets/bar")
    parts: float = _feature("parts")
    part_shares: np.ndarray = _feature("part shares")

    def value(self, name: str) -> np.ndarray:
        """One feature as a vector (a scalar feature is a vector of one)."""
        return np.atleast_1d(np.asarray(getattr(self, name), np.float64))


#: Feature names in table order, and the short label each is shown under.
FEATURES = tuple(f.name for f in fields(PieceFeatures))
FEATURE_LABELS = {f.name: str(f.metadata["label"]) for f in fields(PieceFeatures)}


def note_length_histogram(durations: np.ndarray) -> np.ndarray:
    """Share of notes in each NOTE_LENGTHS class (nearest on a log scale)."""
    d = np.log2(np.maximum(np.asarray(durations, np.float64), NOTE_LENGTHS[0]))
    nearest = np.abs(d[:, None] - np.log2(NOTE_LENGTHS)[None, :]).argmin(axis=1)
    return histogram(nearest, NOTE_LENGTHS.size)


def _onset_steps(notes: NoteArray) -> np.ndarray:
    """Onsets on the grid (notes a hair apart in the file start together)."""
    return np.round(notes.onset * GRID).astype(np.int64)


def pitch_class_transitions(notes: NoteArray) -> np.ndarray:
    """12×12 shares of moves from the pitch classes of an onset to those of the part's next."""
    counts = np.zeros((12, 12))
    notes = pitched(notes)
    for part in np.unique(notes.parts):
        mine = notes.select(notes.parts == part)
        onsets, index = np.unique(_onset_steps(mine), return_inverse=True)
        if onsets.size < 2:
            continue
        sounding = np.zeros((onsets.size, 12))
        sounding[index, mine.pitch.astype(np.int64) % 12] = 1.0  # a doubled octave counts once
        counts += sounding[:-1].T @ sounding[1:]
    total = counts.sum()
    return counts / total if total > 0 else counts


def top_line_intervals(notes: NoteArray) -> np.ndarray:
    """Absolute semitones between consecutive top notes of each pitched part (all parts)."""
    notes = pitched(notes)
    out = []
    for part in np.unique(notes.parts):
        mine = notes.select(notes.parts == part)
        steps = _onset_steps(mine)
        order = np.lexsort((mine.pitch, steps))
        steps, pitch = steps[order], mine.pitch.astype(np.int64)[order]
        last_of_onset = np.r_[steps[1:] != steps[:-1], True]
        top = pitch[last_of_onset]  # sorted by pitch within an onset: the last is the highest
        out.append(np.abs(np.diff(top)))
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def bars(notes: NoteArray) -> float:
    """Bars spanned, fractional, from the first onset to the last note's end (at least one)."""
    if len(notes) == 0:
        return 1.0
    num, den = notes.time_signature
    bar = num * 4 / den if num > 0 and den > 0 else 4.0
    span = float((notes.onset + notes.duration).max() - notes.onset.min())
    return max(1.0, span / bar)


def piece_features(notes: NoteArray) -> PieceFeatures:
    """Every feature of one piece (drums only in the drum, part and rhythm figures)."""
    tones = pitched(notes)
    drums = notes.select(notes.parts == DRUMS)
    n_bars = bars(notes)
    onsets = np.unique(_onset_steps(notes))
    intervals = top_line_intervals(tones)
    return PieceFeatures(
        pitch_classes=histogram(tones.pitch.astype(np.int64) % 12, 12),
        pitch_class_transitions=pitch_class_transitions(tones).ravel(),
        note_lengths=note_length_histogram(tones.duration),
        pitch_range=float(pitch_range(tones)),
        mean_interval=float(intervals.mean()) if intervals.size else 0.0,
        mean_ioi=float(np.diff(onsets).mean() / GRID) if onsets.size > 1 else 0.0,
        distinct_pitches=float(np.unique(tones.pitch).size),
        notes_per_bar=len(tones) / n_bars,
        polyphony=polyphony(tones),
        drum_onsets_per_bar=np.unique(_onset_steps(drums)).size / n_bars,
        parts=float(np.unique(notes.parts).size),
        part_shares=histogram(notes.parts.astype(np.int64), len(PARTS)),
    )


class Featured(Protocol):
    """Anything with named feature vectors: a piece's PieceFeatures, its FormFeatures."""

    def value(self, name: str) -> np.ndarray: ...


def intra_set_distances(features: Sequence[Featured], name: str) -> np.ndarray:
    """Euclidean distances of one feature between every pair of pieces of one set."""
    x = np.stack([f.value(name) for f in features])
    i, j = np.triu_indices(len(x), k=1)
    return np.linalg.norm(x[i] - x[j], axis=1)


def inter_set_distances(
    features: Sequence[Featured], reference: Sequence[Featured], name: str
) -> np.ndarray:
    """Euclidean distances of one feature from every piece of a set to every reference piece."""
    a = np.stack([f.value(name) for f in features])
    b = np.stack([f.value(name) for f in reference])
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2).ravel()


@dataclass(frozen=True)
class FeatureCloseness:
    """How close a set is to the reference on one feature."""

    feature: str
    overlap: float  # OA of the intra-set and inter-set distance densities: 1 = alike
    kl_divergence: float  # KL(intra || inter) in nats: 0 = alike
    intra_mean: float  # mean distance between reference pieces
    inter_mean: float  # mean distance from the set's pieces to the reference pieces
    reference_mean: float  # the feature's mean over the reference (NaN for a histogram)
    set_mean: float  # the feature's mean over the set (NaN for a histogram)

    @property
    def label(self) -> str:
        return FEATURE_LABELS.get(self.feature) or FORM_LABELS.get(self.feature, self.feature)


@dataclass(frozen=True)
class SetCloseness:
    """How close a set of pieces is to a reference set, feature by feature."""

    features: tuple[FeatureCloseness, ...]
    pieces: int
    reference_pieces: int

    @property
    def mean_overlap(self) -> float:
        """The single number: mean OA over features (1 = indistinguishable from the reference)."""
        return float(np.mean([f.overlap for f in self.features]))

    @property
    def weakest(self) -> FeatureCloseness:
        """The feature least like the reference (the next thing to improve)."""
        return min(self.features, key=lambda f: f.overlap)

    def overlap(self, feature: str) -> float:
        return next(f.overlap for f in self.features if f.feature == feature)


def _mean_if_scalar(features: Sequence[Featured], name: str) -> float:
    values = np.stack([f.value(name) for f in features])
    return float(values.mean()) if values.shape[1] == 1 else float("nan")


def compare_sets(
    pieces: Sequence[Featured],
    reference: Sequence[Featured],
    names: Sequence[str] = FEATURES,
) -> SetCloseness:
    """Yang & Lerch closeness of a set of pieces to a reference set, for each feature."""
    if len(reference) < 2 or len(pieces) < 1:
        raise QualityError(
            f"need at least 2 reference pieces and 1 piece to compare,"
            f" not {len(reference)} and {len(pieces)}"
        )
    out = []
    for name in names:
        intra = intra_set_distances(reference, name)
        inter = inter_set_distances(pieces, reference, name)
        c = compare_samples(intra, inter)
        out.append(
            FeatureCloseness(
                name,
                c.overlap,
                c.kl_divergence,
                float(intra.mean()),
                float(inter.mean()),
                _mean_if_scalar(reference, name),
                _mean_if_scalar(pieces, name),
            )
        )
    return SetCloseness(tuple(out), len(pieces), len(reference))
