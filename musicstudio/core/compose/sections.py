"""Composing with form: a piece made bar by bar after its plan's repeat map, in one pass.

One cursor runs through the whole piece, its primer first, so everything composed hears
everything before it. New bars are sampled, the step of every event masked so that none
crosses the last bar line of the run: the run ends exactly on it. A repeated bar is the
earlier bar's events again, fed to the model as if it had drawn them (so what follows hears
the repeat); a bar that comes in a repeated bar's place but is only near it (a varied repeat)
takes the first KEEP of the earlier bar and samples the rest, drawn again (up to TRIES times)
until the bar is as alike to the bars before it as the plan says (LEVELS). Sections in their
own keys take their masks and transposed returns from section_keys.py. Every row of the batch
(a variation) follows the same plan with its own music; rows wait for each other at bar lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.compose.form_plan import FormPlan
from musicstudio.core.compose.generator import Cursor, Generator, Masks, primed_onsets
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.compose.section_keys import SectionKeys
from musicstudio.core.music.constants import MAX_STEP
from musicstudio.core.music.form import (
    EXACT,
    NEAR,
    NEAR_REPEAT,
    NEW,
    PARTIAL,
    PARTIAL_REPEAT,
    repeated_bar,
)
from musicstudio.core.music.vocab import N_STREAMS, REST, STREAMS, Vocabulary, pitches_of
from musicstudio.core.music.voices import VOICE_PART

STEP = STREAMS.index("step")
VOICE = STREAMS.index("voice")
#: Share of a bar copied from the bar it varies, by how much it repeats it: three quarters keep
#: the two near (similarity ~0.6), a half shares a motif (~0.33).
KEEP = {NEAR_REPEAT: 0.75, PARTIAL_REPEAT: 0.5}
#: The similarity a varied bar must have with its source (form.py's bands), and the draws of
#: its end it may take to land in its band.
LEVELS = {NEAR_REPEAT: (NEAR, 1.0), PARTIAL_REPEAT: (PARTIAL, NEAR)}
TRIES = 4


@dataclass(frozen=True)
class PlacedSection:
    """A section of a composed piece: its name and where it lies (in grid steps from the start)."""

    name: str  # "A", "B′", …
    start: int
    end: int


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


def segments(codes: tuple[int, ...]) -> list[tuple[int | None, list[int]]]:
    """The repeat map in runs: (None, new bars), (EXACT, consecutive source bars), or
    (NEAR_REPEAT or PARTIAL_REPEAT, [the source bar])."""
    out: list[tuple[int | None, list[int]]] = []
    for i, code in enumerate(codes):
        level, source = (None, i) if code == NEW else repeated_bar(code)[::-1]
        last = out[-1] if out else None
        joins = last is not None and last[0] == level and level in (None, EXACT)
        if joins and last is not None and (level is None or last[1][-1] == source - 1):
            last[1].append(source)
        else:
            out.append((level, [source]))
    return out


class SectionComposer:
    """Composes a plan with one generator, for a batch of rows (variations)."""

    def __init__(
        self,
        generator: Generator,
        sampling: SamplingSettings,
        masks: Masks,
        seed: int,
        cancel: CancelToken,
        report: Callable[[int], None],
        primer_end: int = 0,
        keys: SectionKeys | None = None,
        signature: Callable[[np.ndarray], Signature] | None = None,
    ) -> None:
        self.primer_end = primer_end  # grid step where the new music starts
        self.keys = keys  # sections in their own keys (None: the piece's masks everywhere)
        self.signature = signature  # of one bar's event rows (bar_signature); None: unchecked
        self.generator = generator
        self.sampling = sampling
        self.masks = masks
        self.seed = seed
        self.cancel = cancel
        self.report = report

    def compose(
        self, plan: FormPlan, primers: list[np.ndarray], bar: int
    ) -> tuple[list[np.ndarray], list[PlacedSection]]:
        """Every row's events (primer excluded) and where each section of the plan lies."""
        b, longest = len(primers), max(len(p) for p in primers)
        batch = np.zeros((b, longest, N_STREAMS), np.int32)  # left-padded with start tokens
        for i, p in enumerate(primers):
            batch[i, longest - len(p) :] = p
        onset = primed_onsets(batch, self.primer_end)
        cursor = self.generator.start(
            batch[:, 0], self.sampling.repetition_window, self.seed, onset
        )
        self._fill(cursor, self.masks, taken=list(batch[:, 1:]))
        pieces = [np.zeros((0, N_STREAMS), np.int32) for _ in range(b)]
        heard: list[list[Signature]] = [[] for _ in range(b)]  # every finished bar's, per row
        done = 0
        for level, bars in segments(plan.repeats):
            runs = self.keys.runs(bars, done) if self.keys else [(done, bars)]
            for target, run in runs:  # a run plays in one key
                self.cancel.raise_if_cancelled()
                masks = self.keys.masks(target) if self.keys else self.masks

                def again(p: np.ndarray, j: int, to: int, span: int = bar) -> np.ndarray:
                    rows = cut(bar_of(p, j * bar, bar), span)  # bar j again, as bar `to`
                    return self.keys.moved(rows, j, to, p) if self.keys else rows

                if level is None:
                    new = self._fill(cursor, masks, span=len(run) * bar)
                elif level == EXACT:
                    taken = [
                        np.concatenate([again(p, j, target + i) for i, j in enumerate(run)])
                        for p in pieces
                    ]
                    new = self._fill(cursor, masks, taken=taken)
                else:
                    source = [again(p, run[0], target) for p in pieces]
                    sizes = self.masks.chord_size
                    keep = [kept_span(s, KEEP[level], sizes, bar) for s in source]
                    head = self._fill(
                        cursor, masks, taken=[cut(s, k) for s, k in zip(source, keep, strict=True)]
                    )
                    tail = self._varied_tail(
                        cursor, masks, head, (source, run[0], heard), bar - np.array(keep), level
                    )
                    new = [np.concatenate([h, t]) for h, t in zip(head, tail, strict=True)]
                if self.signature is not None:
                    for row, n in zip(heard, new, strict=True):
                        row += [self.signature(bar_of(n, i * bar, bar)) for i in range(len(run))]
                pieces = [np.concatenate([p, n]) for p, n in zip(pieces, new, strict=True)]
                done += len(run)
                self.report(done * bar)
        starts = [s * bar for s in plan.starts()]
        placed = [
            PlacedSection(section.name, start, start + section.bars * bar)
            for section, start in zip(plan.sections, starts, strict=True)
        ]
        return pieces, placed

    def _varied_tail(
        self,
        cursor: Cursor,
        masks: Masks,
        head: list[np.ndarray],
        sources: tuple[list[np.ndarray], int, list[list[Signature]]],
        span: np.ndarray,
        level: int,
    ) -> list[np.ndarray]:
        """The rest of a varied bar, drawn again (up to TRIES times) while the whole bar is not
        as alike to the bars before it as the plan's level says: to its source at least the
        level's least, to any earlier bar less than the next level. A model that has just heard
        a bar's start tends to play its end too, which makes a partial repeat a near one (of its
        source, or of another bar that repeats the same start).
        `sources`: each row's source bar (as this bar plays it), its index, the rows' earlier
        bars' signatures."""
        if self.signature is None:
            return self._fill(cursor, masks, span=span)
        low, high = LEVELS[level]
        source, index, heard = sources
        theirs = [self.signature(s) for s in source]  # the same for every draw
        best: tuple[float, list[np.ndarray], Cursor] | None = None
        start = replace(cursor)
        for _ in range(TRIES):
            _restore(cursor, start)
            tail = self._fill(cursor, masks, span=span)
            misses = []
            for h, t, s, before in zip(head, tail, theirs, heard, strict=True):
                mine = self.signature(np.concatenate([h, t]))
                to_source = jaccard(mine, s)
                others = [jaccard(mine, x) for j, x in enumerate(before) if j != index]
                most = max([to_source, *others])
                misses.append(max(low - to_source, most - high + 1e-9, 0.0))
            miss = float(np.mean(misses))
            if best is None or miss < best[0]:
                best = (miss, tail, replace(cursor))
            if miss == 0:
                break
        assert best is not None
        _restore(cursor, best[2])
        return best[1]

    def _fill(
        self,
        cursor: Cursor,
        masks: Masks,
        span: int | np.ndarray = 0,
        taken: list[np.ndarray] | None = None,
    ) -> list[np.ndarray]:
        return self.generator.fill(cursor, self.sampling, masks, span, taken, self.cancel)


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


def _restore(cursor: Cursor, saved: Cursor) -> None:
    """Put the cursor back where it was (its arrays are replaced as it runs, never changed in
    place, so a shallow copy is a snapshot); the random stream runs on."""
    for f in fields(Cursor):
        if f.name != "rng":
            setattr(cursor, f.name, getattr(saved, f.name))


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
