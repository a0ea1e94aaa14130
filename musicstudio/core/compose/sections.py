"""Composing with form: a piece made bar by bar after its plan's repeat map, in one pass.

One cursor runs through the whole piece, its primer first, so everything composed hears
everything before it. New bars are sampled, the step of every event masked so that none
crosses the last bar line of the run: the run ends exactly on it. A repeated bar is the
earlier bar's events again, fed to the model as if it had drawn them (so what follows hears
the repeat); a bar that comes in a repeated bar's place but is only near it (a varied repeat)
takes the first KEEP of the earlier bar and samples the rest, drawn again (up to TRIES times)
until the bar is as alike to the bars before it as the plan says (LEVELS); a partial repeat
that came out too alike every time copies half as much and is drawn again. Sections in their
own keys take their masks and transposed returns from section_keys.py. Every row of the batch
(a variation) follows the same plan with its own music; rows wait for each other at bar lines.

A section that leads into an exact return leads into it as regenerate's passages do: its last
bar is drawn JOIN_CANDIDATES times side by side, and the candidate under which the return's
first bars (known: an exact return's, or the part a varied return copies) are most likely is
kept, the joining score. A section that ends on a varied bar ends as its band allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.compose.bars import (
    Signature,
    bar_of,
    cut,
    jaccard,
    kept_span,
)
from musicstudio.core.compose.form_plan import FormPlan
from musicstudio.core.compose.generator import Cursor, Generator, Masks, Plan, primed_onsets
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.compose.section_keys import SectionKeys
from musicstudio.core.music.form import (
    EXACT,
    NEAR,
    NEAR_REPEAT,
    NEW,
    PARTIAL,
    PARTIAL_REPEAT,
    repeated_bar,
)
from musicstudio.core.music.vocab import N_STREAMS, STREAMS

STEP = STREAMS.index("step")
VOICE = STREAMS.index("voice")
#: Share of a bar copied from the bar it varies, by how much it repeats it: three quarters keep
#: the two near (similarity ~0.6), a half shares a motif (~0.33).
KEEP = {NEAR_REPEAT: 0.75, PARTIAL_REPEAT: 0.5}
#: A partial repeat whose every draw came out a near one copies this much less and is drawn
#: again: where the rest of a bar is a few long notes (a mass's half notes), or the model plays
#: its source's end, half a bar copied already makes the two near (palestrina WaveNet: 22 % of
#: partial repeats landed at >= 0.5, and 23 % of bars nearly repeated where the plan had 8 %).
SMALLER_KEEP = 0.5
#: The similarity a varied bar must have with its source (form.py's bands), and the draws of
#: its end it may take to land in its band.
LEVELS = {NEAR_REPEAT: (NEAR, 1.0), PARTIAL_REPEAT: (PARTIAL, NEAR)}
TRIES = 4
#: Candidates for the last bar before an exact return, and the return's bars that judge them.
JOIN_CANDIDATES = 4
JOIN_BARS = 2


@dataclass(frozen=True)
class PlacedSection:
    """A section of a composed piece: its name and where it lies (in grid steps from the start)."""

    name: str  # "A", "B′", …
    start: int
    end: int


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
        items: list[tuple[int | None, int, list[int]]] = []  # (level, first bar, run)
        done = 0
        for level, bars in segments(plan.repeats):
            runs = self.keys.runs(bars, done) if self.keys else [(done, bars)]
            items += [(level, target, run) for target, run in runs]  # a run plays in one key
            done += len(bars)

        def again(p: np.ndarray, j: int, to: int, span: int = bar) -> np.ndarray:
            rows = cut(bar_of(p, j * bar, bar), span)  # bar j again, as bar `to`
            return self.keys.moved(rows, j, to, p) if self.keys else rows

        def copied(source: np.ndarray, level: int) -> int:
            """Grid steps of its source bar that a varied bar of `level` copies."""
            return kept_span(source, KEEP[level], self.masks.chord_size, bar)

        sections = set(plan.starts())

        def joining(k: int, ready: int) -> list[int]:
            """The source bars of the run after item k that judge how its last bar leads into
            it, when that run starts a returning section and they are composed by then (`ready`
            bars): an exact return's first JOIN_BARS, a varied one's first bar (of which it
            copies the first part); else none (bars repeated inside a section follow on as
            they come)."""
            ahead = items[k + 1] if k + 1 < len(items) else None
            if ahead is None or ahead[0] is None or ahead[1] not in sections:
                return []
            judges = ahead[2][:JOIN_BARS]  # a varied run is its one source bar
            return judges if max(judges) < ready else []

        def played(judges: list[int], k: int, sofar: list[np.ndarray]) -> list[np.ndarray]:
            """What of those bars each row will play for sure (in the next run's key): an
            exact return whole, a varied bar's copied part."""
            level, to, _ = items[k + 1]
            heard = [
                np.concatenate([again(p, j, to + i) for i, j in enumerate(judges)]) for p in sofar
            ]
            if level is None or level == EXACT:
                return heard
            return [cut(h, copied(h, level)) for h in heard]

        done = 0
        for k, (level, target, run) in enumerate(items):
            self.cancel.raise_if_cancelled()
            masks = self.keys.masks(target) if self.keys else self.masks
            if level is None:
                judges = joining(k, done + len(run) - 1)
                if not judges:
                    new = self._fill(cursor, masks, span=len(run) * bar)
                else:  # all but the last bar, then the last bar as it best leads on
                    new = self._fill(cursor, masks, span=(len(run) - 1) * bar)
                    sofar = [np.concatenate([p, n]) for p, n in zip(pieces, new, strict=True)]
                    joins = played(judges, k, sofar)
                    last = (
                        self._joined_bar(cursor, masks, bar, joins)
                        if any(len(j) for j in joins)
                        else self._fill(cursor, masks, span=bar)
                    )
                    new = [np.concatenate([n, t]) for n, t in zip(new, last, strict=True)]
            elif level == EXACT:
                taken = [
                    np.concatenate([again(p, j, target + i) for i, j in enumerate(run)])
                    for p in pieces
                ]
                new = self._fill(cursor, masks, taken=taken)
            else:
                source = [again(p, run[0], target) for p in pieces]
                new = self._varied_bar(cursor, masks, (source, run[0], heard), bar, level)
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

    def _varied_bar(
        self,
        cursor: Cursor,
        masks: Masks,
        sources: tuple[list[np.ndarray], int, list[list[Signature]]],
        bar: int,
        level: int,
    ) -> list[np.ndarray]:
        """A varied bar: the first KEEP of each row's source bar, then the rest drawn until the
        bar is as alike as its level says; a partial repeat that came out too alike in every
        draw copies SMALLER_KEEP as much and is drawn again. The closest draw is kept."""
        start = replace(cursor)
        best: tuple[float, list[np.ndarray], Cursor] | None = None
        shares = [KEEP[level]] + ([KEEP[level] * SMALLER_KEEP] if level == PARTIAL_REPEAT else [])
        for share in shares:
            _restore(cursor, start)
            keep = [kept_span(s, share, self.masks.chord_size, bar) for s in sources[0]]
            head = self._fill(
                cursor, masks, taken=[cut(s, k) for s, k in zip(sources[0], keep, strict=True)]
            )
            miss, over, tail = self._varied_tail(
                cursor, masks, head, sources, bar - np.array(keep), level
            )
            if best is None or miss < best[0]:
                whole = [np.concatenate([h, t]) for h, t in zip(head, tail, strict=True)]
                best = (miss, whole, replace(cursor))
            if over == 0:  # it landed, or was not alike enough: copying less would not help
                break
        assert best is not None
        _restore(cursor, best[2])
        return best[1]

    def _varied_tail(
        self,
        cursor: Cursor,
        masks: Masks,
        head: list[np.ndarray],
        sources: tuple[list[np.ndarray], int, list[list[Signature]]],
        span: np.ndarray,
        level: int,
    ) -> tuple[float, float, list[np.ndarray]]:
        """The rest of a varied bar, drawn again (up to TRIES times) while the whole bar is not
        as alike to the bars before it as the plan's level says: to its source at least the
        level's least, to any earlier bar less than the next level. A model that has just heard
        a bar's start tends to play its end too, which makes a partial repeat a near one (of its
        source, or of another bar that repeats the same start).
        `sources`: each row's source bar (as this bar plays it), its index, the rows' earlier
        bars' signatures. Returns the closest draw's miss (0: in its band) and how much of it is
        being too alike. (It is not also chosen by how it joins a return that follows: that
        choice kept fewer partial repeats under 0.5, 82 % against 95 %, sample LSTM.)"""
        if self.signature is None:
            return 0.0, 0.0, self._fill(cursor, masks, span=span)
        low, high = LEVELS[level]
        source, index, heard = sources
        theirs = [self.signature(s) for s in source]  # the same for every draw
        best: tuple[float, float, list[np.ndarray], Cursor] | None = None
        start = replace(cursor)
        for _ in range(TRIES):
            _restore(cursor, start)
            tail = self._fill(cursor, masks, span=span)
            misses, overs = [], []
            for h, t, s, before in zip(head, tail, theirs, heard, strict=True):
                mine = self.signature(np.concatenate([h, t]))
                to_source = jaccard(mine, s)
                others = [jaccard(mine, x) for j, x in enumerate(before) if j != index]
                over = max(max([to_source, *others]) - high + 1e-9, 0.0)
                overs.append(over)
                misses.append(max(low - to_source, over))
            miss = float(np.mean(misses))
            if best is None or miss < best[0]:
                best = (miss, float(np.mean(overs)), tail, replace(cursor))
            if miss == 0:
                break
        assert best is not None
        _restore(cursor, best[3])
        return best[0], best[1], best[2]

    def _joined_bar(
        self, cursor: Cursor, masks: Masks, span: int, joins: list[np.ndarray]
    ) -> list[np.ndarray]:
        """A bar before an exact return, as regenerate chooses a passage: JOIN_CANDIDATES
        drawn side by side per row, each row keeping the one under which the return's events
        (`joins`) are most likely."""
        rows = np.repeat(np.arange(len(joins)), JOIN_CANDIDATES)
        tries = _rows_of(cursor, rows)
        bars = self._fill(tries, masks, span=span)
        scores = self._joining(tries, [joins[r] for r in rows], masks)
        chosen = np.array(
            [
                r * JOIN_CANDIDATES
                + int(np.argmax(scores[r * JOIN_CANDIDATES : (r + 1) * JOIN_CANDIDATES]))
                for r in range(len(joins))
            ]
        )
        _restore(cursor, _rows_of(tries, chosen))
        return [bars[i] for i in chosen]

    def _joining(self, cursor: Cursor, joins: list[np.ndarray], masks: Masks) -> np.ndarray:
        """(B,) the log-likelihood of each row's `joins` events after the cursor (which is
        left where it is): regenerate's joining score."""
        b, n = len(joins), max(len(j) for j in joins)
        tokens = np.zeros((b, n, N_STREAMS), np.int32)
        scored = np.zeros((b, n), bool)
        for r, j in enumerate(joins):
            tokens[r, : len(j)], scored[r, : len(j)] = j, True
        probe = replace(cursor, log_likelihood=np.zeros(b))
        self.generator.run(probe, Plan.taking(tokens, scored), self.sampling, masks)
        return probe.log_likelihood

    def _fill(
        self,
        cursor: Cursor,
        masks: Masks,
        span: int | np.ndarray = 0,
        taken: list[np.ndarray] | None = None,
    ) -> list[np.ndarray]:
        return self.generator.fill(cursor, self.sampling, masks, span, taken, self.cancel)


def _rows_of(cursor: Cursor, rows: np.ndarray) -> Cursor:
    """A cursor of some rows of another (repeated, to draw candidates side by side); the
    random stream is the same one."""
    return Cursor(
        cursor.prev[rows],
        [s[rows] for s in cursor.state],
        cursor.recent[rows],
        cursor.rng,
        cursor.log_likelihood[rows],
        cursor.placed[rows],
    )


def _restore(cursor: Cursor, saved: Cursor) -> None:
    """Put the cursor back where it was (its arrays are replaced as it runs, never changed in
    place, so a shallow copy is a snapshot); the random stream runs on."""
    for f in fields(Cursor):
        if f.name != "rng":
            setattr(cursor, f.name, getattr(saved, f.name))
