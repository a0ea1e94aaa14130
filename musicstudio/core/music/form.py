"""Form: which bars come back. Bar signatures, a self-similarity matrix, sections, a form string.

A bar's signature is the set of (voice, onset in the bar on the grid, pitch) of the notes that
start in it. Two bars are as alike as the Jaccard similarity of their signatures (0: nothing in
common, 1: the same notes; two silent bars count 0: silence is not a repeat). From the bar
self-similarity matrix:

- the form features of a piece, over its first FORM_BARS bars: the share of bars (after the first)
  that nearly repeat an earlier bar (similarity >= NEAR), the share that repeat one exactly, and
  the lag similarity, the best over lags of 1, 2, 4 and 8 bars of the mean similarity of bar i
  with bar i + lag;
- its sections: the piece cut into phrases of PHRASE_QUARTERS (4 bars of 4/4, 8 of 2/4), each
  phrase labelled by the earliest phrase it nearly repeats (the mean similarity of their aligned
  bars >= NEAR): the same letter when every bar is the same, a primed letter (A′) when varied, a
  new letter otherwise. The form string reads them in order: "A A B A′".

Plain NumPy; the bars of a whole piece are compared in one matrix product.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from musicstudio.core.music.constants import GRID
from musicstudio.core.music.midi import NoteArray

#: The form features look at a piece's first bars (as long as a short song's verse and chorus).
FORM_BARS = 32
#: Bars this alike (Jaccard of their signatures) nearly repeat one another.
NEAR = 0.5
#: Lags (in bars) the lag similarity looks at.
LAGS = (1, 2, 4, 8)
#: A phrase is about four bars of 4/4.
PHRASE_QUARTERS = 16
#: The longest piece the sections are found in (bars beyond it are left out of the form string).
MAX_BARS = 512
PRIME = "′"


def bar_steps(time_signature: tuple[int, int]) -> int:
    """Grid steps per bar of a time signature (4/4 when it makes no sense)."""
    num, den = time_signature
    if num <= 0 or den <= 0:
        return 4 * GRID
    return max(1, int(round(num * 4 / den * GRID)))


def phrase_bars(time_signature: tuple[int, int]) -> int:
    """Bars of one phrase: 4 of 4/4 or 3/4, 8 of 2/4."""
    return 8 if bar_steps(time_signature) <= 2 * GRID else 4


def bar_count(notes: NoteArray) -> int:
    """Bars from time 0 to the bar of the last onset (0 for an empty piece)."""
    if len(notes) == 0:
        return 0
    last = int(np.round(notes.onset.max() * GRID))
    return last // bar_steps(notes.time_signature) + 1


def similarity_matrix(notes: NoteArray, bars: int | None = None) -> np.ndarray:
    """(bars, bars) Jaccard similarity of the bars' signatures (all voices together)."""
    n = bar_count(notes) if bars is None else bars
    steps = bar_steps(notes.time_signature)
    on = np.round(notes.onset * GRID).astype(np.int64)
    bar = on // steps
    keep = (bar >= 0) & (bar < n)
    key = ((notes.parts.astype(np.int64) * steps + on % steps) * 128 + notes.pitch)[keep]
    bar = bar[keep]
    if n == 0:
        return np.zeros((0, 0))
    uniq, column = np.unique(key, return_inverse=True)
    incidence = np.zeros((n, uniq.size), np.float32)
    incidence[bar, column.ravel()] = 1.0
    inter = (incidence @ incidence.T).astype(np.float64)  # counts: exact in float32
    size = incidence.sum(axis=1, dtype=np.float64)
    union = size[:, None] + size[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1.0), 0.0).astype(np.float64)


@dataclass(frozen=True)
class FormFeatures:
    """How much a piece repeats itself, over its first FORM_BARS bars (shares 0..1)."""

    near_repeat: float  # bars nearly repeating an earlier bar
    exact_repeat: float  # bars repeating an earlier bar exactly
    lag_similarity: float  # best mean similarity of bars a fixed lag apart

    def value(self, name: str) -> np.ndarray:
        """One feature as a vector of one (set closeness compares them like PieceFeatures)."""
        return np.atleast_1d(np.asarray(getattr(self, name), np.float64))


#: The form features, and the short labels tables show them under.
FORM_LABELS = {
    "near_repeat": "near repeats",
    "exact_repeat": "exact repeats",
    "lag_similarity": "lag similarity",
}
FORM_FEATURES = tuple(FORM_LABELS)


def features_of_matrix(sim: np.ndarray) -> FormFeatures:
    """The form features of a bar self-similarity matrix."""
    n = len(sim)
    if n < 2:
        return FormFeatures(0.0, 0.0, 0.0)
    earlier = np.tril(sim, k=-1)[1:]  # row i: bar i+1 against every earlier bar
    best = earlier.max(axis=1)
    lags = [float(np.diagonal(sim, -lag).mean()) for lag in LAGS if lag < n]
    return FormFeatures(
        near_repeat=float((best >= NEAR).mean()),
        exact_repeat=float((best >= 1.0 - 1e-9).mean()),
        lag_similarity=max(lags),
    )


def form_features(notes: NoteArray, bars: int = FORM_BARS) -> FormFeatures:
    """The form features of a piece's first `bars` bars."""
    return features_of_matrix(similarity_matrix(notes, min(bar_count(notes), bars)))


def voice_repeats(notes: NoteArray, bars: int = FORM_BARS) -> dict[int, float]:
    """Near-repeat share of each voice (part index) on its own, over the first `bars` bars."""
    out = {}
    steps = bar_steps(notes.time_signature)
    bar = np.round(notes.onset * GRID).astype(np.int64) // steps
    for part in np.unique(notes.parts):
        mine = notes.parts == part
        n = min(int(bar[mine].max()) + 1, bars)
        if n >= 2:  # only the bars compared are selected (a long piece has many more)
            part_notes = notes.select(mine & (bar < n))
            out[int(part)] = features_of_matrix(similarity_matrix(part_notes, n)).near_repeat
    return out


#: How much a bar repeats the earlier bar most like it: all of it, nearly, or in part
#: (similarity >= PARTIAL: it shares about a third of its notes, a motif that comes back).
EXACT, NEAR_REPEAT, PARTIAL_REPEAT = 0, 1, 2
PARTIAL = 0.2
#: A bar's code in a repeat map: NEW, or repeat_code(earlier bar, how much).
NEW = -1


def repeat_code(bar: int, level: int) -> int:
    """The code of a repeat of `bar` at `level` (EXACT, NEAR_REPEAT or PARTIAL_REPEAT)."""
    return 4 * bar + level


def repeated_bar(code: int) -> tuple[int, int]:
    """(the earlier bar, the level) of a repeat code (not NEW)."""
    return code // 4, code % 4


def valid_code(code: int, bar: int) -> bool:
    """Whether `code` can stand at `bar` of a repeat map (it repeats an earlier bar, or NEW)."""
    return code == NEW or (0 <= code < 4 * bar and code % 4 <= PARTIAL_REPEAT)


def repeat_map(sim: np.ndarray) -> list[int]:
    """For every bar, the earlier bar most like it (the first of equals) and how much it repeats
    it, as a code; NEW when no earlier bar is even PARTIAL-ly alike."""
    codes = [NEW] if len(sim) else []
    for i in range(1, len(sim)):
        j = int(np.argmax(sim[i, :i]))
        best = float(sim[i, j])
        if best >= 1.0 - 1e-9:
            codes.append(repeat_code(j, EXACT))
        elif best >= NEAR:
            codes.append(repeat_code(j, NEAR_REPEAT))
        elif best >= PARTIAL:
            codes.append(repeat_code(j, PARTIAL_REPEAT))
        else:
            codes.append(NEW)
    return codes


@dataclass(frozen=True)
class Section:
    """One phrase of a piece: where it is and what it repeats."""

    label: str  # "A", "B", …; the letter of the first occurrence
    first_bar: int  # 0-based
    bars: int
    source: int | None = None  # index of the earlier section it repeats (None: new music)
    exact: bool = False  # every bar the same as the source's

    @property
    def name(self) -> str:
        """The label as a form string shows it: A′ for a varied return."""
        return self.label + (PRIME if self.source is not None and not self.exact else "")


@dataclass(frozen=True)
class Form:
    """The sections of a piece, in order."""

    sections: tuple[Section, ...]
    bars: int

    def __str__(self) -> str:
        return " ".join(s.name for s in self.sections)


def letters() -> list[str]:
    """Section labels: A … Z, then AA, AB, …"""
    return list(_LETTERS)


_LETTERS = tuple(string.ascii_uppercase) + tuple(
    a + b for a in string.ascii_uppercase for b in string.ascii_uppercase
)


def analyse(notes: NoteArray) -> Form:
    """The sections of a piece and the earlier section each one repeats."""
    sim = similarity_matrix(notes, min(bar_count(notes), MAX_BARS))
    return sections_of(sim, phrase_bars(notes.time_signature))


def sections_of(sim: np.ndarray, size: int) -> Form:
    """The sections of a piece of phrases of `size` bars, from its bar self-similarity matrix."""
    n = len(sim)
    names = _LETTERS
    sections: list[Section] = []
    used = 0
    score = phrase_similarity(sim, size)
    for a, first in enumerate(range(0, n, size)):
        bars = min(size, n - first)
        source = None
        if a:  # every earlier phrase is a whole one, at least as long as this
            best = int(np.argmax(score[a, :a]))  # the first of equals
            if score[a, best] >= NEAR:
                source = best
        if source is None:
            label, used = names[used % len(names)], used + 1
            sections.append(Section(label, first, bars))
        else:
            aligned = sim[
                np.arange(first, first + bars), np.arange(bars) + sections[source].first_bar
            ]
            exact = bool((aligned >= 1.0 - 1e-9).all()) and sections[source].source is None
            root = sections[source].source if sections[source].source is not None else source
            sections.append(Section(sections[source].label, first, bars, root, exact))
    return Form(tuple(sections), n)


def phrase_similarity(sim: np.ndarray, size: int) -> np.ndarray:
    """(phrases, phrases): the mean similarity of phrase a's bars with the bars aligned to them
    from phrase b's first bar on, over phrase a's bars (phrases of `size` bars; the last may be
    shorter). One block of the matrix per bar of a phrase, not one mean per pair."""
    n = len(sim)
    firsts = np.arange(0, n, size)
    total = np.zeros((firsts.size, firsts.size))
    for i in range(size):
        rows = firsts + i
        inside = rows < n
        rows = np.minimum(rows, n - 1)
        total += np.where(inside[:, None] & inside[None, :], sim[np.ix_(rows, rows)], 0.0)
    return total / np.minimum(size, n - firsts)[:, None]
