"""Regenerate a passage: new music for some bars (and parts) that joins what follows.

The model hears everything before the selection and samples K candidate passages in one
batch (under the same constraints as composing, with only the selected parts allowed). Each
candidate is put into the piece, and the model scores the bars that follow it: the summed
log-likelihood of their events given everything before. The candidate under which the
following bars are most likely is kept. Everything outside the selection is left exactly as
it was: the notes of other bars and of unselected parts are copied, not re-decoded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.progress import Composing, ProgressFn, no_progress
from musicstudio.core.base.settings import setting, validate
from musicstudio.core.compose.composer import ComposeError, Composer
from musicstudio.core.compose.constraints import Constraints, resolve_key
from musicstudio.core.compose.generator import Masks, Plan, primed_onsets
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.music.constants import GRID
from musicstudio.core.music.events import EventStream, decode, encode
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import PARTS
from musicstudio.core.music.theory import key_name
from musicstudio.core.music.vocab import N_STREAMS
from musicstudio.core.music.voices import N_VOICES, VOICE_PART, VOICES, programs_with

#: Events of the piece before a passage that the model hears (and before the bars it scores).
CONTEXT = 256
#: Most events one regenerated passage may have (a bar of 4/4 holds 48 grid steps).
MAX_PASSAGE_EVENTS = 4096


@dataclass(frozen=True)
class RegenerateSettings:
    """Which bars and parts to compose again, and how (the Regenerate dialog's names)."""

    first_bar: int = setting(1, "From bar", "First bar of the passage (1 = the first)", low=1)
    last_bar: int = setting(1, "To bar", "Last bar of the passage (included)", low=1)
    parts: tuple[str, ...] | None = None  # the parts to compose again; None: every part
    candidates: int = setting(
        8,
        "Candidates",
        "Passages sampled together; the one that best leads into the following bars is kept",
        low=1,
        high=64,
    )
    following_bars: int = setting(
        2, "Bars that judge", "Bars after the passage the model scores each candidate on", low=1,
        high=16,
    )  # fmt: skip
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    constraints: Constraints = field(default_factory=Constraints)

    def __post_init__(self) -> None:
        validate(self)
        if self.last_bar < self.first_bar:
            raise ComposeError(f"bar {self.last_bar} comes before bar {self.first_bar}")
        for p in self.parts or ():
            if p not in PARTS:
                raise ComposeError(f"unknown part {p!r} (parts: {', '.join(PARTS)})")


@dataclass
class Regeneration:
    """The piece with its new passage, and how the passage was chosen."""

    notes: NoteArray  # the whole piece
    passage: NoteArray  # the new notes alone
    start: float  # quarters: where the selection starts …
    end: float  # … and ends
    seed: int
    chosen: int  # which candidate was kept
    scores: list[float]  # log-likelihood of the following bars under each candidate
    scored_events: int  # events of the following bars (0: nothing follows the selection)
    seconds: float
    metrics: Measures = field(default_factory=Measures)  # the whole piece's (RegenerateJob)
    parts: tuple[str, ...] = ()  # the parts composed again
    key: str = ""  # the scale kept under the Key 'like your files' ("" for none, or another key)

    @property
    def score(self) -> float:
        return self.scores[self.chosen]

    @property
    def median_of_others(self) -> float:
        others = [s for i, s in enumerate(self.scores) if i != self.chosen]
        return float(np.median(others)) if others else self.score


def regenerate(
    composer: Composer,
    notes: NoteArray,
    settings: RegenerateSettings,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Regeneration:
    """Compose the selected bars and parts of `notes` again (a job: progress, cancel; no Qt)."""
    cancel = cancel or CancelToken()
    t0 = time.perf_counter()
    # the model places its events in the piece's bars
    composer.time_signature = notes.time_signature
    num, den = notes.time_signature
    bar = num * 4 / den
    start, end = (settings.first_bar - 1) * bar, settings.last_bar * bar
    piece_end = float((notes.onset + notes.duration).max()) if len(notes) else 0.0
    if start >= max(piece_end, bar):
        bars = int(np.ceil(piece_end / bar))
        raise ComposeError(f"the piece has {bars} bars: bar {settings.first_bar} is past its end")
    chosen_parts = _parts(composer, settings)
    kept = notes.select(~selected(notes, start, end, chosen_parts))
    sp = settings.sampling.tuned(composer.bundle.sampling)
    seed = sp.seed if sp.seed is not None else int(np.random.default_rng().integers(2**31 - 1))
    k = settings.candidates

    # 1. K candidates after the same context, in one batch.
    context = _tokens_until(composer, notes.select(notes.onset < start), start)
    constraints = _in_its_scale(composer, settings.constraints, notes)
    masks = _masks(composer, constraints, chosen_parts, context)
    generator = composer.generator
    onset = primed_onsets(context[None], int(round(start * GRID)))
    cursor = generator.start(
        np.repeat(context[:1], k, axis=0), sp.repetition_window, seed, np.repeat(onset, k)
    )
    plan = Plan.taking(np.repeat(context[None, 1:], k, axis=0))
    span = int(round((end - start) * GRID))
    sampled = generator.sample_after(
        cursor,
        plan,
        MAX_PASSAGE_EVENTS,
        span,
        sp,
        masks,
        cancel,
        lambda done: progress(0.5 * min(1.0, done / max(1, span)), Composing(done, span)),
    )

    # 2. Each candidate in the piece; the model scores the bars that follow it.
    programs = _programs(composer, notes)
    candidates = [_passage(composer, sampled[i], start, end, notes, programs) for i in range(k)]
    pieces = [kept.merged(c) for c in candidates]
    scores, scored_events = _score_following(
        composer, pieces, end, end + settings.following_bars * bar, seed
    )
    progress(1.0, Composing(span, span))
    best = int(np.argmax(scores))
    return Regeneration(
        notes=pieces[best],
        passage=candidates[best],
        start=start,
        end=end,
        seed=seed,
        chosen=best,
        scores=[float(s) for s in scores],
        scored_events=scored_events,
        seconds=time.perf_counter() - t0,
        parts=chosen_parts,
        key=(constraints.key or "") if settings.constraints.key == "files" else "",
    )


def _parts(composer: Composer, settings: RegenerateSettings) -> tuple[str, ...]:
    learned = composer.bundle.parts
    wanted = settings.parts if settings.parts is not None else tuple(learned)
    if settings.constraints.parts is not None:
        wanted = tuple(p for p in wanted if p in settings.constraints.parts)
    unknown = [p for p in wanted if p not in learned]
    if unknown:
        raise ComposeError(
            f"this model never learned the {', '.join(unknown)} part"
            f" (it plays {', '.join(learned)})"
        )
    if not wanted:
        raise ComposeError("no part to regenerate: choose at least one part")
    return wanted


def selected(notes: NoteArray, start: float, end: float, parts: tuple[str, ...]) -> np.ndarray:
    """The notes a regeneration replaces: starting inside the bars, in the chosen parts."""
    in_parts = np.isin(notes.parts, [PARTS.index(p) for p in parts])
    eps = 1e-6
    return in_parts & (notes.onset >= start - eps) & (notes.onset < end - eps)


def _tokens_until(composer: Composer, before: NoteArray, until: float) -> np.ndarray:
    """Token rows of the notes before `until` (start token first), the last one's step
    reaching exactly to `until`; at most CONTEXT events."""
    vocab = composer.bundle.vocab
    if len(before) == 0:
        return np.zeros((1, N_STREAMS), np.int64)
    # A marker note at `until` makes the encoder write the right step (and rests) up to it;
    # as the last voice's highest, shortest, softest note it is the last event of its onset.
    marker = NoteArray(
        np.r_[before.onset, until],
        np.r_[before.duration, 1 / GRID],
        np.r_[before.pitch, 127].astype(np.int16),
        np.r_[before.velocity, 1].astype(np.int16),
        np.r_[before.program, 0].astype(np.int16),
        before.tempo_qpm,
        before.time_signature,
        part=np.r_[before.parts, VOICE_PART[N_VOICES - 1]].astype(np.int8),
        voice=np.r_[before.voices, N_VOICES - 1].astype(np.int8),
    )
    stream = encode(marker)
    stream = _without_last(stream)
    tokens = vocab.tokenize(stream).tokens.astype(np.int64)
    return np.vstack([tokens[:1], tokens[1:][-CONTEXT:]])


def _without_last(stream: EventStream) -> EventStream:
    return replace(
        stream,
        lo=stream.lo[:-1],
        hi=stream.hi[:-1],
        duration=stream.duration[:-1],
        step=stream.step[:-1],
        velocity=stream.velocity[:-1],
        voice=stream.voice[:-1],
    )


def _in_its_scale(composer: Composer, constraints: Constraints, piece: NoteArray) -> Constraints:
    """The Key 'like your files' as the scale the piece keeps to (heard in the whole piece, not
    only before the bars), so new bars keep to it where the files keep to one scale."""
    if constraints.key != "files":
        return constraints
    key = resolve_key(constraints, [], [piece], composer.keeps_scale)
    return replace(constraints, key=key_name(*key) if key is not None else None)


def _masks(
    composer: Composer, constraints: Constraints, parts: tuple[str, ...], context: np.ndarray
) -> Masks:
    """The composer's masks, with only the selected parts playing (the context as primer)."""
    return composer.masks(replace(constraints, parts=parts), [context])[0]


def _programs(composer: Composer, notes: NoteArray) -> list[int]:
    """Each voice's program: the one the piece uses most, else the model's."""
    chosen = {}
    for i, name in enumerate(VOICES):
        used = notes.program[notes.voices == i]
        if used.size:
            chosen[name] = int(np.bincount(used.astype(np.int64) % 128).argmax())
    return programs_with(composer.bundle.voice_programs, chosen)


def _passage(
    composer: Composer,
    tokens: np.ndarray,
    start: float,
    end: float,
    piece: NoteArray,
    programs: list[int],
) -> NoteArray:
    """A candidate's notes: those starting inside the selection, ending by its end."""
    stream = composer.bundle.vocab.detokenize(tokens, time_signature=piece.time_signature)
    notes = decode(stream, tempo_qpm=piece.tempo_qpm, programs=programs).shifted(start)
    notes = notes.select(notes.onset < end - 1e-6)
    object.__setattr__(notes, "duration", np.minimum(notes.duration, end - notes.onset))
    object.__setattr__(notes, "time_signature", piece.time_signature)
    return notes


def _score_following(
    composer: Composer, pieces: list[NoteArray], start: float, end: float, seed: int
) -> tuple[np.ndarray, int]:
    """Log-likelihood of the events in [start, end) of each piece, given all before them."""
    vocab = composer.bundle.vocab
    rows, scored, firsts = [], [], []
    for piece in pieces:
        stream = encode(piece)
        tokens = vocab.tokenize(stream).tokens.astype(np.int64)
        steps = tokens[1:, 2]
        onset = (stream.start + np.cumsum(steps) - steps) / GRID
        want = np.r_[False, (onset >= start - 1e-6) & (onset < end - 1e-6)]
        if not want.any():
            rows.append(tokens[:1])
            scored.append(np.zeros(1, bool))
            firsts.append(stream.start)
            continue
        last = int(np.flatnonzero(want)[-1])
        first = max(1, int(np.flatnonzero(want)[0]) - CONTEXT)
        rows.append(np.vstack([tokens[:1], tokens[first : last + 1]]))
        firsts.append(int(round(onset[first - 1] * GRID)))  # where row `first` sits
        scored.append(np.r_[False, want[first : last + 1]])
    width = max(len(r) for r in rows)
    batch = np.zeros((len(rows), width, N_STREAMS), np.int64)
    flags = np.zeros((len(rows), width), bool)
    for i, (r, s) in enumerate(zip(rows, scored, strict=True)):
        batch[i, width - len(r) :] = r  # left-padded with start tokens
        flags[i, width - len(s) :] = s
    if not flags.any():
        return np.zeros(len(pieces)), 0
    generator = composer.generator
    cursor = generator.start(batch[:, 0], 1, seed, np.array(firsts, np.int64))
    generator.run(
        cursor, Plan.taking(batch[:, 1:], flags[:, 1:]), SamplingSettings(), _open(composer)
    )
    return cursor.log_likelihood.copy(), int(flags.sum(axis=1).max())


def _open(composer: Composer) -> Masks:
    return Masks.open(len(composer.bundle.vocab))
