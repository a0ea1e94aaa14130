"""Composing with form: a piece made section by section, returning sections repeated.

A new section is sampled after everything before it (the last CONTEXT events of the piece so
far, its primer first), and cut on its last bar line: the events that start inside it are
kept and the last one's step is shortened to land on the bar line, so the next section starts
on its downbeat. A returning section is its first occurrence's events again; a varied return
(A′) keeps the first half of them and samples the rest after them, so it leads on differently.
Every row of the batch (a variation) follows the same plan with its own music.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from musicstudio.core.compose.form_plan import FormPlan
from musicstudio.core.compose.generator import Generator, Masks, Plan
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.jobs.cancel import CancelToken
from musicstudio.core.music.constants import MAX_STEP
from musicstudio.core.music.vocab import N_STREAMS, REST, STREAMS

STEP = STREAMS.index("step")
#: Events of the piece so far that the model hears before a new section (as regenerate does).
CONTEXT = 256


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


class SectionComposer:
    """Samples the sections of a plan with one generator, for a batch of rows."""

    def __init__(
        self,
        generator: Generator,
        sampling: SamplingSettings,
        masks: Masks,
        seed: int,
        cancel: CancelToken,
        report: Callable[[int], None],
    ) -> None:
        self.generator = generator
        self.sampling = sampling
        self.masks = masks
        self.seed = seed
        self.cancel = cancel
        self.report = report
        self.steps_done = 0

    def compose(
        self, plan: FormPlan, primers: list[np.ndarray], bar: int
    ) -> tuple[list[np.ndarray], list[PlacedSection]]:
        """Every row's events (primer excluded) and where each section of the plan lies."""
        rows: list[list[np.ndarray]] = [[] for _ in primers]  # per row: events of each section
        placed = []
        start = 0
        for k, section in enumerate(plan.sections):
            span = section.bars * bar
            if section.source is None:
                new = self._sample(primers, rows, span, k)
            else:
                new = self._returning(plan, k, primers, rows, bar)
            for r, events in zip(rows, new, strict=True):
                r.append(events)
            placed.append(PlacedSection(section.name, start, start + span))
            start += span
            self.steps_done += span
            self.report(self.steps_done)
        return [
            np.concatenate(r) if r else np.zeros((0, N_STREAMS), np.int32) for r in rows
        ], placed

    def _returning(
        self,
        plan: FormPlan,
        k: int,
        primers: list[np.ndarray],
        rows: list[list[np.ndarray]],
        bar: int,
    ) -> list[np.ndarray]:
        """Section k again as its first occurrence: all of its bars, or for a variant the first
        half; the bars not copied (and any beyond the source's length) are sampled after them."""
        section = plan.sections[k]
        assert section.source is not None
        copied = min(section.bars, plan.sections[section.source].bars)
        if section.varied:
            copied //= 2
        kept = [
            cut(r[section.source], copied * bar) if copied else r[section.source][:0] for r in rows
        ]
        rest = (section.bars - copied) * bar
        if rest <= 0:
            return kept
        heard = [r + [c] for r, c in zip(rows, kept, strict=True)]
        tails = self._sample(primers, heard, rest, k)
        return [np.concatenate([c, t]) for c, t in zip(kept, tails, strict=True)]

    def _sample(
        self, primers: list[np.ndarray], rows: list[list[np.ndarray]], span: int, k: int
    ) -> list[np.ndarray]:
        """`span` grid steps of new music per row, after that row's primer and sections so far."""
        contexts = [
            np.concatenate([p.astype(np.int32), *r])[-CONTEXT:]
            for p, r in zip(primers, rows, strict=True)
        ]
        b, longest = len(contexts), max(len(c) for c in contexts)
        batch = np.zeros((b, longest, N_STREAMS), np.int32)  # left-padded with start tokens
        for i, c in enumerate(contexts):
            batch[i, longest - len(c) :] = c
        cursor = self.generator.start(batch[:, 0], self.sampling.repetition_window, self.seed + k)
        done_before = self.steps_done
        generated = self.generator.sample_after(
            cursor,
            Plan.taking(batch[:, 1:]),
            span * 4,  # several events can share an onset: bounded by the span, not by this
            float(span),
            self.sampling,
            self.masks,
            self.cancel,
            lambda _events: self.report(done_before),
        )
        return [cut(generated[i], span) for i in range(b)]
