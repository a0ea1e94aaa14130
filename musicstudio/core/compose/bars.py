"""Bars of a piece's event rows: where each event starts, one bar cut out, a bar's notes as the
form measure compares them, and how much of a bar a varied repeat copies."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from musicstudio.core.music.constants import MAX_STEP
from musicstudio.core.music.vocab import N_STREAMS, REST, STREAMS, Vocabulary, pitches_of
from musicstudio.core.music.voices import VOICE_PART

STEP = STREAMS.index("step")
VOICE = STREAMS.index("voice")


def onsets(tokens: np.ndarray) -> np.ndarray:
    """Grid onset of every event row, from the first at 0."""
    step = tokens[:, STEP].astype(np.int64)
    return np.cumsum(step) - step


def rests(steps: int) -> np.ndarray:
    """REST rows that span `steps` grid steps."""
    n = -(-steps // MAX_STEP) if steps > 0 else 0
    out = np.zeros((n, N_STREAMS), np.int32)
    out[:, 0] = REST
    out[:, STEP] = MAX_STEP
    if n:
        out[-1, STEP] = steps - MAX_STEP * (n - 1)
    return out


def cut(tokens: np.ndarray, span: int) -> np.ndarray:
    """The events that start before `span`, the last one's step shortened to end exactly there
    (rests fill a section whose music ends early)."""
    on = onsets(tokens)
    kept = tokens[on < span].astype(np.int32)
    if len(kept) == 0:
        return rests(span)
    end = int(on[len(kept) - 1] + kept[-1, STEP])
    if end >= span:
        kept[-1, STEP] = span - int(on[len(kept) - 1])
        return kept
    return np.concatenate([kept, rests(span - end)])


def bar_of(tokens: np.ndarray, first: int, bar: int) -> np.ndarray:
    """The events of a piece that start in the bar beginning at grid step `first`, as exactly one
    bar from its downbeat (a rest leads in to a bar whose first event comes late)."""
    on = onsets(tokens)
    inside = (on >= first) & (on < first + bar)
    if not inside.any():
        return rests(bar)
    lead = int(on[inside][0]) - first
    return cut(np.concatenate([rests(lead), tokens[inside]]), bar)


def kept_span(source: np.ndarray, share: float, sizes: np.ndarray | None, bar: int) -> int:
    """Where a varied bar stops copying its source: at the first onset by which more than
    `share` of the source's notes would have started. KEEP is a share of notes, as the
    similarity counts them: in a bar whose notes crowd its first beats, half its time holds
    more than half its notes. `sizes`: notes per pitch token (None: one per event)."""
    on = onsets(source)
    tokens = source[:, 0].astype(np.int64)
    notes = sizes[tokens] if sizes is not None else (tokens >= 2).astype(np.int64)
    total = int(notes.sum())
    if total == 0:
        return int(round(bar * share))
    starts, first = np.unique(on, return_inverse=True)
    before = np.cumsum(np.bincount(first.ravel(), weights=notes, minlength=starts.size))
    over = np.flatnonzero(before > share * total + 1e-9)
    return int(min(starts[over[0]], bar)) if over.size else bar


#: A bar's notes as form.similarity_matrix compares them: (part, onset in the bar, pitch).
Signature = set[tuple[int, int, int]]


def jaccard(x: Signature, y: Signature) -> float:
    return len(x & y) / len(x | y) if x | y else 1.0


def bar_similarity(vocab: Vocabulary) -> Callable[[np.ndarray, np.ndarray], float]:
    """Jaccard similarity of two bars' event rows, as form.similarity_matrix measures bars."""
    signature = bar_signature(vocab)
    return lambda a, b: jaccard(signature(a), signature(b))


def bar_signature(vocab: Vocabulary) -> Callable[[np.ndarray], Signature]:
    """The signature of one bar's event rows: the set of (part, onset in the bar, pitch) of
    its notes."""

    chords: dict[int, list[int]] = {}  # the pitches of each token, read once

    def signature(rows: np.ndarray) -> set[tuple[int, int, int]]:
        on = onsets(rows)
        out: Signature = set()
        for row, t in zip(rows.tolist(), on.tolist(), strict=True):
            token = row[0]
            if token < 2:  # start and rest
                continue
            if token not in chords:
                chords[token] = pitches_of(int(vocab.table_lo[token]), int(vocab.table_hi[token]))
            part = int(VOICE_PART[min(row[VOICE], len(VOICE_PART) - 1)])
            out.update((part, t, p) for p in chords[token])
        return out

    return signature
