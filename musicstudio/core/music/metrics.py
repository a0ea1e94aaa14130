"""Quality metrics of a composition against its training corpus (shown beside each piece).

They answer the questions a listener asks of a generated piece: does it get stuck on one
note or chord (longest repeated run, next to the corpus's own longest run), does it sound
like the corpus (pitch-class, duration and step histogram distances), does it stay in a
key (share of notes in the estimated key), and is it new or copied (share of its 8-event
phrases found verbatim in the corpus).

Conventions: token arrays are (N, N_STREAMS) rows of pitch-set token, duration class, step
class, velocity class, part (vocab.py); START rows are dropped first. Pitch figures (pitch
classes, range, key) leave the drum part out: a kit piece's number is not a pitch. Histogram distances are
Jensen-Shannon divergences in bits: 0 for identical histograms, 1 for disjoint ones, NaN
when either side is empty. "In key" means the scale of the key (music/theory.py: major, or
natural minor, the scale the key lock composes in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from musicstudio.core.music.constants import DURATION_VALUES, GRID
from musicstudio.core.music.events import EventStream, mask_pitches
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.theory import key_name, parse_key, pitch_class_histogram, scale_of
from musicstudio.core.music.tonality import estimate_key
from musicstudio.core.music.vocab import (
    N_STREAMS,
    REST,
    START,
    STREAM_SIZES,
    TokenStream,
    Vocabulary,
)
from musicstudio.core.music.voices import N_VOICES, VOICE_PART

#: Events per phrase for the copy rate: two bars of eighth notes, long enough that a
#: verbatim match is a quotation, not a coincidence of scales.
NGRAM = 8


Tokens: TypeAlias = np.ndarray | TokenStream


def token_rows(tokens: Tokens) -> np.ndarray:
    """(N, N_STREAMS) int64 rows with START rows dropped: the events a listener hears."""
    arr = tokens.tokens if isinstance(tokens, TokenStream) else np.asarray(tokens)
    arr = arr.reshape(-1, N_STREAMS).astype(np.int64)
    return arr[arr[:, 0] != START]


def longest_repeat(tokens: Tokens) -> int:
    """Longest run of one pitch token repeated back to back (rests neither count nor join)."""
    pitch = token_rows(tokens)[:, 0]
    if pitch.size == 0:
        return 0
    breaks = np.flatnonzero(np.r_[True, pitch[1:] != pitch[:-1], True])
    runs = np.diff(breaks)
    sounding = pitch[breaks[:-1]] != REST
    return int(runs[sounding].max(initial=0))


def histogram(values: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    """A normalised histogram over 0..size-1 (all zeros when there is nothing to count)."""
    counts = np.bincount(np.clip(values, 0, size - 1), weights=weights, minlength=size)
    total = counts.sum()
    return counts / total if total > 0 else counts.astype(float)


def histogram_distance(p: ArrayLike, q: ArrayLike) -> float:
    """Jensen-Shannon divergence in bits (0 same, 1 disjoint): symmetric and never infinite."""
    a, b = np.asarray(p, float), np.asarray(q, float)
    if a.sum() <= 0 or b.sum() <= 0:
        return float("nan")
    a, b = a / a.sum(), b / b.sum()
    m = (a + b) / 2

    def kl(x: np.ndarray) -> float:
        nz = x > 0
        return float(np.sum(x[nz] * np.log2(x[nz] / m[nz])))

    return float(np.clip((kl(a) + kl(b)) / 2, 0.0, 1.0))


def pitched(notes: NoteArray) -> NoteArray:
    """The notes of every part but the drums."""
    return notes.select(notes.parts != DRUMS)


def token_pitch_class_histogram(rows: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The same histogram from token rows: every pitch of a token, weighted by its duration."""
    rows = rows[VOICE_PART[np.clip(rows[:, 4], 0, N_VOICES - 1)] != DRUMS]
    token, pitch = mask_pitches(vocab.table_lo, vocab.table_hi)
    per_token = np.zeros((len(vocab), 12))
    np.add.at(per_token, (token, pitch % 12), 1.0)
    ids = np.clip(rows[:, 0], 0, len(vocab) - 1)
    durations = DURATION_VALUES[np.clip(rows[:, 1], 0, DURATION_VALUES.size - 1)]
    weight = np.bincount(ids, weights=durations, minlength=len(vocab))
    counts = weight @ per_token
    return counts / counts.sum() if counts.sum() > 0 else counts


def pitch_range(notes: NoteArray) -> int:
    """Semitones from the lowest to the highest note (drums left out)."""
    notes = pitched(notes)
    return int(notes.pitch.max() - notes.pitch.min()) if len(notes) else 0


def polyphony(notes: NoteArray) -> float:
    """Mean notes per onset (1 for a melody, 4 for chorale chords)."""
    if len(notes) == 0:
        return 0.0
    onsets = np.unique(np.round(notes.onset * GRID).astype(np.int64))
    return float(len(notes) / onsets.size)


def in_key_share(notes: NoteArray, tonic: int, mode: str) -> float:
    """Share of notes whose pitch class belongs to the scale of the key (drums left out)."""
    notes = pitched(notes)
    if len(notes) == 0:
        return 0.0
    scale = np.array(sorted(scale_of(tonic, mode)))
    return float(np.isin(notes.pitch.astype(np.int64) % 12, scale).mean())


_ROW_MIX = np.uint64(0x9E3779B97F4A7C15)
_NGRAM_MIX = np.uint64(0xC2B2AE3D27D4EB4F)


def ngram_hashes(tokens: Tokens, n: int = NGRAM) -> np.ndarray:
    """64-bit hashes of every run of n consecutive token rows (uint64, one per start)."""
    rows = token_rows(tokens)
    if rows.shape[0] < n:
        return np.zeros(0, np.uint64)
    # Pack a row exactly (duration, step and velocity classes fit 8 bits each, the voice 4),
    # then mix.
    packed = (
        (rows[:, 0].astype(np.uint64) << np.uint64(28))
        | (rows[:, 4].astype(np.uint64) & np.uint64(0xF)) << np.uint64(24)
        | (rows[:, 1].astype(np.uint64) & np.uint64(0xFF)) << np.uint64(16)
        | (rows[:, 2].astype(np.uint64) & np.uint64(0xFF)) << np.uint64(8)
        | (rows[:, 3].astype(np.uint64) & np.uint64(0xFF))
    )
    with np.errstate(over="ignore"):
        row_hash = packed * _ROW_MIX
        row_hash ^= row_hash >> np.uint64(29)
        count = rows.shape[0] - n + 1
        h = np.zeros(count, np.uint64)
        for k in range(n):  # polynomial rolling hash, n vectorised passes
            h = h * _NGRAM_MIX + row_hash[k : k + count]
    return h


def copy_rate(tokens: Tokens, corpus_hashes: np.ndarray, n: int = NGRAM) -> float:
    """Share of the piece's n-event phrases found verbatim in the corpus (0 if too short)."""
    h = ngram_hashes(tokens, n)
    if h.size == 0 or corpus_hashes.size == 0:
        return 0.0
    if np.any(corpus_hashes[1:] < corpus_hashes[:-1]):
        corpus_hashes = np.sort(corpus_hashes)  # profiles keep them sorted: binary search
    at = np.minimum(np.searchsorted(corpus_hashes, h), corpus_hashes.size - 1)
    return float((corpus_hashes[at] == h).mean())


@dataclass(frozen=True)
class CorpusProfile:
    """What a composition is compared with, computed once from the training token streams."""

    duration: np.ndarray  # normalised histogram of duration classes
    step: np.ndarray  # normalised histogram of step classes
    pitch_class: np.ndarray | None  # normalised, duration-weighted; None without a vocabulary
    longest_repeat: int
    ngram_hashes: np.ndarray  # sorted, unique uint64 hashes of every NGRAM-event phrase
    ngram: int = NGRAM

    @classmethod
    def from_tokens(
        cls, streams: Sequence[Tokens], vocab: Vocabulary | None = None, ngram: int = NGRAM
    ) -> CorpusProfile:
        """Profile of token streams (one per file: phrases never straddle two files)."""
        per_file = [token_rows(s) for s in streams]
        rows = np.concatenate(per_file) if per_file else np.zeros((0, N_STREAMS), np.int64)
        hashes = [ngram_hashes(r, ngram) for r in per_file]
        return cls(
            duration=histogram(rows[:, 1], STREAM_SIZES["duration"]),
            step=histogram(rows[:, 2], STREAM_SIZES["step"]),
            pitch_class=None if vocab is None else token_pitch_class_histogram(rows, vocab),
            longest_repeat=max((longest_repeat(r) for r in per_file), default=0),
            ngram_hashes=np.unique(np.concatenate(hashes)) if hashes else np.zeros(0, np.uint64),
            ngram=ngram,
        )

    @classmethod
    def from_events(
        cls, streams: Sequence[EventStream], vocab: Vocabulary, ngram: int = NGRAM
    ) -> CorpusProfile:
        """Profile of a scanned corpus, tokenized with the model's vocabulary."""
        return cls.from_tokens(vocab.tokenize_many(streams), vocab, ngram)


def evaluate_composition(
    tokens: Tokens, notes: NoteArray, profile: CorpusProfile, key: str = ""
) -> Measures:
    """The quality figures of one composition (Measures: the app, the CLI, benchmarks).

    `key`: the key the piece was locked to ('D minor'), which "in key" then measures against,
    as the lock composed it; '' (no lock): the key is estimated from the notes.
    """
    rows = token_rows(tokens)
    pitch_classes = pitch_class_histogram(notes)
    tonic, mode = parse_key(key) if key else estimate_key(pitch_classes)
    pc_distance = (
        histogram_distance(pitch_classes, profile.pitch_class)
        if profile.pitch_class is not None
        else float("nan")
    )
    return Measures(
        longest_repeat=longest_repeat(rows),
        corpus_longest_repeat=profile.longest_repeat,
        pitch_class_distance=pc_distance,
        duration_distance=histogram_distance(
            histogram(rows[:, 1], STREAM_SIZES["duration"]), profile.duration
        ),
        step_distance=histogram_distance(histogram(rows[:, 2], STREAM_SIZES["step"]), profile.step),
        pitch_range=pitch_range(notes),
        polyphony=polyphony(notes),
        in_key=in_key_share(notes, tonic, mode),
        copy_rate=copy_rate(rows, profile.ngram_hashes, profile.ngram),
        key=key_name(tonic, mode) if len(pitched(notes)) else "",
        parts=len(np.unique(notes.parts)),
    )
