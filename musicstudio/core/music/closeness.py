"""How close compositions are to the user's corpus, in the quality benchmark's measure.

The corpus is cut into excerpts as long as the compositions (in events), and compositions and
excerpts are compared feature by feature with the Yang & Lerch overlap area (quality.py). One
composition gets a closeness too: the distances from it to every excerpt against the distances
among the excerpts. Features that do not vary in the corpus (drums in a corpus without any, the
number of parts of a piano corpus) are left out: every piece would score 1 on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from musicstudio.core.music.events import decode
from musicstudio.core.music.metrics import Tokens, token_rows
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.quality import (
    FEATURES,
    PieceFeatures,
    SetCloseness,
    compare_sets,
    intra_set_distances,
    piece_features,
)
from musicstudio.core.music.vocab import Vocabulary

#: Excerpts the corpus gives (at most); and the longest excerpt, in events.
EXCERPTS = 40
LONGEST = 1024


@dataclass
class Reference:
    """Windows of the corpus's token rows, cut once; their features per length, cached."""

    windows: tuple[np.ndarray, ...]
    vocab: Vocabulary
    time_signature: tuple[int, int]
    _features: dict[int, list[PieceFeatures]] = field(default_factory=dict, repr=False)
    _own: dict[int, float] = field(default_factory=dict, repr=False)

    @classmethod
    def from_tokens(
        cls,
        streams: Sequence[Tokens],
        vocab: Vocabulary,
        time_signature: tuple[int, int] = (4, 4),
        seed: int = 0,
    ) -> Reference:
        """Up to EXCERPTS windows of up to LONGEST events, from as many files as possible."""
        rng = np.random.default_rng(seed)
        files = [token_rows(s)[1:] for s in streams]  # no start token
        files = [r for r in files if len(r) >= 16]
        if len(files) > EXCERPTS:
            files = [files[i] for i in sorted(rng.choice(len(files), EXCERPTS, replace=False))]
        per_file = max(1, EXCERPTS // max(1, len(files)))
        windows = []
        for rows in files:
            for _ in range(min(per_file, max(1, len(rows) // LONGEST))):
                start = int(rng.integers(0, max(1, len(rows) - LONGEST + 1)))
                windows.append(rows[start : start + LONGEST])
        return cls(tuple(windows), vocab, time_signature)

    def length_for(self, events: int) -> int:
        """The excerpt length pieces of `events` events are compared at: theirs, or shorter
        when most of the corpus's pieces are shorter (a chorale has ~150 events)."""
        typical = int(np.median([len(w) for w in self.windows])) if self.windows else 16
        return max(16, min(events, typical, LONGEST))

    def features(self, events: int) -> list[PieceFeatures]:
        """Features of the excerpts cut to `events` events (those long enough)."""
        if events not in self._features:
            self._features[events] = [
                piece_features(self.notes(w[:events])) for w in self.windows if len(w) >= events
            ]
        return self._features[events]

    def own_closeness(self, events: int, pieces: int = 8) -> float | None:
        """What the corpus's own excerpts score, each against the others (the yardstick)."""
        events = self.length_for(events)
        ref = self.features(events)
        if len(ref) < 3:
            return None
        if events not in self._own:
            names = varying(ref)
            scores = [
                compare_sets([ref[i]], ref[:i] + ref[i + 1 :], names).mean_overlap
                for i in range(min(pieces, len(ref)))
            ]
            self._own[events] = float(np.mean(scores))
        return self._own[events]

    def notes(self, rows: np.ndarray) -> NoteArray:
        return decode(self.vocab.detokenize(rows, time_signature=self.time_signature))


def varying(reference: Sequence[PieceFeatures]) -> tuple[str, ...]:
    """The features whose value differs between excerpts of the corpus."""
    return tuple(n for n in FEATURES if intra_set_distances(reference, n).max(initial=0) > 0)


def closeness(pieces: Sequence[Tokens], reference: Reference) -> SetCloseness | None:
    """Closeness of compositions (their token rows, the model's vocabulary) to the corpus,
    each cut to the excerpt length; None when the corpus gives too few excerpts."""
    rows = [token_rows(p) for p in pieces]
    if not rows:
        return None
    events = reference.length_for(min(len(r) for r in rows))
    ref = reference.features(events)
    if len(ref) < 2:
        return None
    names = varying(ref)
    if not names:
        return None
    return compare_sets([piece_features(reference.notes(r[:events])) for r in rows], ref, names)


def in_words(c: SetCloseness, own: float | None = None) -> str:
    """E.g. 'as close to your corpus as its own pieces (0.74; they score 0.71); furthest in
    distinct pitches'. `own`: what the corpus's own pieces score (Reference.own_closeness)."""
    mean = c.mean_overlap
    if own is None:
        word = "close to" if mean >= 0.75 else "some way from" if mean >= 0.5 else "far from"
        return f"{word} your corpus ({mean:.2f} of 1); furthest in {c.weakest.label}"
    gap = own - mean
    word = (
        "as close to your corpus as its own pieces"
        if gap <= 0.05
        else "close to your corpus"
        if gap <= 0.15
        else "some way from your corpus"
        if gap <= 0.3
        else "far from your corpus"
    )
    return f"{word} ({mean:.2f}; its own pieces score {own:.2f}); furthest in {c.weakest.label}"


def corpus_against_itself(reference: Reference, events: int) -> SetCloseness | None:
    """Half the corpus's excerpts against the other half: the closeness real pieces reach."""
    ref = reference.features(reference.length_for(events))
    if len(ref) < 4:
        return None
    half = len(ref) // 2
    names = varying(ref[half:])
    return compare_sets(ref[:half], ref[half:], names) if names else None
