"""Avoid copies: the bars of a composition that copy a training file are composed again.

The copies are found by the novelty index (novelty.py) and composed again by regenerate (the
same candidates and choice as the Regenerate dialog), a few tries at most: what is left after
them is reported with the piece, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.compose.composer import ComposeError, Composer, Composition, Marker
from musicstudio.core.compose.constraints import Constraints
from musicstudio.core.compose.linked import apply_regeneration
from musicstudio.core.compose.novelty import Copy, NoveltyIndex, find_copies
from musicstudio.core.compose.regenerate import RegenerateSettings, regenerate
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.music.events import encode
from musicstudio.core.music.midi import NoteArray

#: Rounds of composing the copied bars again before the rest is reported.
TRIES = 4


@dataclass
class Resampled:
    """A piece after its copies were composed again, and what remains."""

    notes: NoteArray
    found: list[Copy]  # the copies of the piece as it came
    left: list[Copy] = field(default_factory=list)  # copies still there after the last try
    passages: int = 0  # passages composed again

    def in_words(self) -> str:
        if not self.found:
            return "no copies of the training files"
        fixed = f"{len(self.found)} copied passage{'s' * (len(self.found) > 1)} composed again"
        if not self.left:
            return fixed
        return f"{fixed}; still copied: {'; '.join(c.in_words() for c in self.left)}"


def copies_in(piece: Composition, index: NoveltyIndex) -> list[Copy]:
    """The passages of a composition's new music (after an included primer) that copy a file."""
    return find_copies(piece.notes, index, after=piece.new_from)


def avoid_copies(
    composer: Composer,
    piece: Composition,
    index: NoveltyIndex,
    sampling: SamplingSettings | None = None,
    constraints: Constraints | None = None,
    cancel: CancelToken | None = None,
) -> Resampled:
    """Compose a composition's copied bars again (its notes and tokens change in place), with
    the sampling and constraints it was composed with, seeded by its own seed."""
    sampling = replace(sampling or SamplingSettings(), seed=piece.seed)
    result = resample_copies(
        composer,
        piece.notes,
        index,
        piece.new_from,
        sampling,
        constraints,
        cancel=cancel,
        sections=piece.sections,
    )
    if result.passages:
        piece.notes = result.notes
        new = result.notes.select(result.notes.onset >= piece.new_from - 1e-6)
        tokens = composer.bundle.vocab.tokenize(encode(new), start_token=False).tokens
        piece.tokens = tokens.astype(piece.tokens.dtype)
    return result


def resample_copies(
    composer: Composer,
    notes: NoteArray,
    index: NoveltyIndex,
    after: float = 0.0,
    sampling: SamplingSettings | None = None,
    constraints: Constraints | None = None,
    tries: int = TRIES,
    cancel: CancelToken | None = None,
    sections: list[Marker] | None = None,
) -> Resampled:
    """Compose the copied bars (and parts) of `notes` again until none copies a file of the
    index, `tries` rounds at most; bars before `after` (quarters: an included primer) stay.
    A passage inside a section that returns is changed in every return too (linked.py): the
    piece keeps its form."""
    sampling = sampling or SamplingSettings()
    constraints = constraints or Constraints()
    bar = notes.time_signature[0] * 4 / notes.time_signature[1]
    first_new = int(after // bar + (after % bar > 1e-6)) + 1  # the first whole new bar
    found = left = find_copies(notes, index, after)
    passages = 0
    seed = sampling.seed if sampling.seed is not None else 0
    for attempt in range(tries):
        if not left or (cancel is not None and cancel.cancelled):
            break
        for first, last, parts in _passages(left, first_new, composer.bundle.parts):
            settings = RegenerateSettings(
                first_bar=first,
                last_bar=last,
                parts=parts,
                sampling=replace(sampling, seed=(seed + 7919 * (attempt + 1) + first) % 2**31),
                constraints=constraints,
            )
            try:
                result = regenerate(composer, notes, settings, cancel=cancel)
                notes = apply_regeneration(result, sections or [], linked=True)[0]
            except ComposeError:
                continue  # a passage that cannot be composed again stays reported
            passages += 1
        left = find_copies(notes, index, after)
    return Resampled(notes, found, left, passages)


def _passages(
    copies: list[Copy], first_new: int, learned: list[str]
) -> list[tuple[int, int, tuple[str, ...] | None]]:
    """Bars to compose again: overlapping copies of one part joined; the copied part only when
    the model learned it (else every part)."""
    out: list[tuple[int, int, tuple[str, ...] | None]] = []
    for part in sorted({c.part for c in copies}):
        spans = sorted((max(c.first_bar, first_new), c.last_bar) for c in copies if c.part == part)
        parts = (part,) if part in learned else None
        for first, last in spans:
            if first > last:
                continue
            if out and out[-1][2] == parts and first <= out[-1][1] + 1:
                out[-1] = (out[-1][0], max(out[-1][1], last), parts)
            else:
                out.append((first, last, parts))
    return out
