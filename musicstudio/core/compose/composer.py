"""The Composer: incremental generation from a ModelBundle, never `model.predict` per note.

The model family's stepper advances one event at a time on the trained weights (LSTM:
carried cell state; WaveNet: queues of past activations per dilated layer), in NumPy, so
composing needs neither TensorFlow nor a traced graph (compose/steppers.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.progress import Composing, ProgressFn, no_progress
from musicstudio.core.compose.bars import bar_signature, onsets
from musicstudio.core.compose.compose_settings import (  # noqa: F401 (the Composer's API)
    DEFAULT_EVENTS,
    LINEUPS,
    MAX_LENGTH,
    MAX_VARIATIONS,
    PRIMER_KINDS,
    ComposeSettings,
)
from musicstudio.core.compose.composition import Composition, Marker, single_instrument
from musicstudio.core.compose.constraints import (
    ConstraintError,
    Constraints,
    found_key,
    masks_for,
    resolve_key,
)
from musicstudio.core.compose.form_plan import (
    FormError,
    FormPlan,
    corpus_plan,
    lineup_for,
    user_plan,
)
from musicstudio.core.compose.generator import Generator, Masks, Plan, primed_onsets
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.compose.section_keys import SectionKeys
from musicstudio.core.compose.sections import PlacedSection, SectionComposer
from musicstudio.core.compose.steppers import make_stepper
from musicstudio.core.learn.bundle import ModelBundle
from musicstudio.core.learn.models import WeightsError
from musicstudio.core.music.constants import GRID
from musicstudio.core.music.events import decode, encode
from musicstudio.core.music.feel import apply_feel
from musicstudio.core.music.form import bar_steps, phrase_bars
from musicstudio.core.music.form_profile import meters_of
from musicstudio.core.music.midi import MidiError, NoteArray, read_midi
from musicstudio.core.music.parts import PartError
from musicstudio.core.music.theory import key_name, parse_key
from musicstudio.core.music.vocab import N_STREAMS
from musicstudio.core.music.voices import programs_with


class ComposeError(MusicStudioError):
    """A composition that cannot start (bad primer file, bad settings), with the reason."""


class Composer:
    """Compiled generation for one bundle (build once, compose many times)."""

    def __init__(self, bundle: ModelBundle) -> None:
        sizes = bundle.vocab.sizes
        try:
            self.stepper = make_stepper(
                bundle.config,
                sizes,
                bundle.weights,
                bundle.time_signature,
                meters_of(bundle.form),
            )
        except WeightsError as e:
            raise ComposeError(f"{bundle.name}: {e}") from e
        self.bundle = bundle
        self.generator = Generator(self.stepper, sizes)
        self._file_primer: tuple[NoteArray, float] | None = None  # (notes, where they end)
        self._primer_end = 0  # grid step where the composed music starts (file: where it ends)

    @property
    def time_signature(self) -> tuple[int, int]:
        """The meter of the piece being composed (or regenerated): its bars, the bar lines of
        its notes and the metric position the model reads. The corpus's most common one, or
        the meter of the file a piece takes its form from."""
        return self.stepper.time_signature

    @time_signature.setter
    def time_signature(self, value: tuple[int, int]) -> None:
        self.stepper.time_signature = value

    def primers(self, settings: ComposeSettings, rng: np.random.Generator) -> list[np.ndarray]:
        """One primer per variation: stored corpus windows, the user's file, or a start token."""
        n = settings.variations
        self._file_primer, self._primer_end = None, 0
        if settings.primer == "none":
            return [np.zeros((1, N_STREAMS), np.int32) for _ in range(n)]
        if settings.primer == "file":
            if not settings.primer_file:
                raise ComposeError("choose a MIDI file to continue")
            try:
                notes = read_midi(settings.primer_file)
            except MidiError as e:
                raise ComposeError(
                    f"cannot use {Path(settings.primer_file).name} as a primer: {e}"
                ) from e
            if len(notes) == 0:
                raise ComposeError(
                    f"{Path(settings.primer_file).name} has no pitched notes to continue"
                )
            stream = encode(notes)
            # The continuation starts where the file's last event ends (its step).
            self._primer_end = stream.start + int(stream.step.sum())
            self._file_primer = (notes, self._primer_end / GRID)
            toks = self.bundle.vocab.tokenize(stream).tokens[-settings.primer_events :]
            return [toks.astype(np.int32)] * n
        if settings.primer == "corpus":
            stored = self.bundle.primers
            if not stored:
                return [np.zeros((1, N_STREAMS), np.int32) for _ in range(n)]
            picks = rng.integers(0, len(stored), n)
            return [np.asarray(stored[i], np.int32)[-settings.primer_events :] for i in picks]
        raise ComposeError(f"unknown primer {settings.primer!r} (one of {', '.join(PRIMER_KINDS)})")

    def compose(
        self,
        settings: ComposeSettings,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> list[Composition]:
        """Compose `settings.variations` pieces in one batched run."""
        cancel = cancel or CancelToken()
        sp = settings.sampling.tuned(self.bundle.sampling)
        if settings.variations < 1 or (settings.length is not None and settings.length < 1):
            raise ComposeError("length and variations must be at least 1")
        # No seed: a new piece every time; the seed drawn is kept, so the piece can be made again.
        seed = sp.seed if sp.seed is not None else int(np.random.default_rng().integers(2**31 - 1))
        rng = np.random.default_rng(seed)
        primers = self.primers(settings, rng)
        plan = self.plan(settings, rng)
        # A piece in the form of one of the files is in that file's meter (a jig in 6/8).
        self.time_signature = (plan and plan.time_signature) or self.bundle.time_signature
        lineup: tuple[str, ...] = ()
        if settings.lineup == "files" and settings.constraints.parts is None:
            lineup = lineup_for(plan, self.bundle.form, rng)
        masks, obeys, key = self.masks(settings.constraints, primers, lineup)
        t0 = time.perf_counter()
        if plan is None:
            generated, placed = self._straight(settings, primers, sp, masks, seed, progress, cancel)
        else:
            total = plan.bars * bar_steps(self.time_signature)
            sections = SectionComposer(
                self.generator,
                sp,
                masks,
                seed,
                cancel,
                lambda done: progress(done / total, Composing(done, total)),
                self._primer_end,
                self.section_keys(
                    plan,
                    masks,
                    lambda k: self.masks(replace(settings.constraints, key=k), primers, lineup)[0],
                    key,
                ),
                bar_signature(self.bundle.vocab),
            )
            generated, placed = sections.compose(plan, primers, bar_steps(self.time_signature))
        seconds = time.perf_counter() - t0
        results = []
        for i, toks in enumerate(generated):
            notes, new_from = self.notes(toks, settings), 0.0
            if settings.include_primer:
                notes, new_from = self.with_primer(notes, primers[i], settings)
            if settings.feel == "files":
                notes = apply_feel(notes, self.bundle.feel, seed + i)
            markers = [
                Marker(p.name, new_from + p.start / GRID, new_from + p.end / GRID) for p in placed
            ]
            results.append(
                Composition(
                    toks,
                    notes,
                    primers[i],
                    seconds,
                    seed=seed,
                    new_from=new_from,
                    constraints=obeys,
                    key=key,
                    temperatures=(sp.temperature or 0.0, sp.rhythm_temperature or 0.0),
                    sections=markers,
                    form=str(plan or ""),
                )
            )
        return results

    def plan(self, settings: ComposeSettings, rng: np.random.Generator) -> FormPlan | None:
        """The sections to compose (None: straight on, the form 'none')."""
        form = settings.form.strip()
        # A number of events is a length without form (unless a form is asked for by name).
        if form.lower() == "none" or (settings.length is not None and form.lower() == "corpus"):
            return None
        quarters = None if settings.minutes is None else settings.minutes * settings.tempo
        whole = None if settings.bars is None else max(1, int(round(settings.bars)))
        try:
            if form.lower() == "corpus":
                # minutes are bars of the meter of the file the form comes from
                return corpus_plan(self.bundle.form, whole, rng, quarters)
            num, den = self.bundle.time_signature
            if whole is None and quarters is not None:
                whole = max(1, int(round(quarters / (num * 4 / den))))
            return user_plan(form, whole, phrase_bars(self.bundle.time_signature))
        except FormError as e:
            raise ComposeError(str(e)) from e

    def _straight(
        self,
        settings: ComposeSettings,
        primers: list[np.ndarray],
        sp: SamplingSettings,
        masks: Masks,
        seed: int,
        progress: ProgressFn,
        cancel: CancelToken,
    ) -> tuple[list[np.ndarray], list[PlacedSection]]:
        """Events sampled straight on from the primers: `length` events, or `bars` bars."""
        b = len(primers)
        p_len = max(len(p) for p in primers)
        # Left-pad shorter primers with start tokens so one batch primes them all.
        batch_primer = np.zeros((b, p_len, N_STREAMS), np.int32)
        for i, p in enumerate(primers):
            batch_primer[i, p_len - len(p) :] = p
        onset = primed_onsets(batch_primer, self._primer_end)
        cursor = self.generator.start(batch_primer[:, 0], sp.repetition_window, seed, onset)
        # The first run takes the rest of the primer, then samples.
        taken = Plan.taking(batch_primer[:, 1:])
        num, den = self.time_signature
        target_steps = settings.bars * num * 4 / den * GRID if settings.bars else None
        max_events = (
            (settings.length or DEFAULT_EVENTS) if target_steps is None else int(target_steps)
        )  # ≤ one event per grid step
        generated = self.generator.sample_after(
            cursor,
            taken,
            max_events,
            target_steps,
            sp,
            masks,
            cancel,
            lambda done: progress(done / max_events, Composing(done, max_events)),
        )
        rows = [generated[i] for i in range(b)]
        if target_steps is not None:
            rows = [toks[: _events_for(toks, target_steps)] for toks in rows]
        return rows, []

    def section_keys(
        self, plan: FormPlan, masks: Masks, masks_in: Callable[[str], Masks], locked: str
    ) -> SectionKeys | None:
        """Sections in their own keys (None when none has one). `masks_in(key)`: the piece's
        masks with the key lock at `key`; `locked`: the key the piece is locked to ('' if none)."""
        vocab, ts = self.bundle.vocab, self.time_signature
        if not any(s.key for s in plan.sections):
            return None
        return SectionKeys(
            plan,
            vocab,
            masks,
            masks_in,
            parse_key(locked) if locked else None,
            lambda rows: found_key([vocab.detokenize(rows, time_signature=ts)]),
        )

    @property
    def keeps_scale(self) -> bool:
        """Whether the model's files keep to one scale (form_profile.py), so its pieces do
        under the Key 'like your files'."""
        return self.bundle.form is not None and self.bundle.form.keeps_scale

    @property
    def one_line(self) -> bool:
        """Whether the model learned one line (form_profile.py: every file one voice that never
        starts two notes at once, as folk songs are), so its pieces are one line too."""
        return self.bundle.form is not None and self.bundle.form.one_line

    def masks(
        self, constraints: Constraints, primers: list[np.ndarray], lineup: tuple[str, ...] = ()
    ) -> tuple[Masks, str, str]:
        """The logit masks, the constraints in words and the key locked to ('' if none)."""
        vocab, ts = self.bundle.vocab, self.time_signature

        def music(rows: list[np.ndarray], wanted: bool) -> list[Any]:
            return [vocab.detokenize(r, time_signature=ts) for r in rows] if wanted else []

        # 'files': the primer's scale where the files keep to one (the corpus's if no primer)
        by_scale = constraints.key == "files" and self.keeps_scale
        heard = music(primers, constraints.key == "primer" or by_scale)
        no_primer = not any(len(s) for s in heard)
        try:
            key = resolve_key(
                constraints,
                music(self.bundle.primers, constraints.key == "corpus" or (by_scale and no_primer)),
                heard,
                self.keeps_scale,
            )
            masks = masks_for(
                constraints, vocab, self.bundle.parts, key, self.bundle.voices, lineup
            )
        except ConstraintError as e:
            raise ComposeError(str(e)) from e
        if masks.max_chord is None and self.one_line:
            masks.max_chord = 1  # a model that learned one line composes one line
        words = constraints.describe(key) if constraints.active or key is not None else ""
        return masks, words, key_name(*key) if key is not None else ""

    def with_primer(
        self, notes: NoteArray, primer: np.ndarray, settings: ComposeSettings
    ) -> tuple[NoteArray, float]:
        """The primer, then the composed notes after it: one piece; and where the new part starts."""
        if settings.primer == "file" and self._file_primer is not None:
            before, end = self._file_primer
            before = before.select(np.arange(len(before)))
            object.__setattr__(before, "tempo_qpm", settings.tempo)
            if settings.single_instrument:
                before = single_instrument(before, settings.program)
        else:
            before = self.notes(primer, settings)
            stream = self.bundle.vocab.detokenize(primer)
            end = int(stream.step.sum()) / GRID
        return before.merged(notes.shifted(end)), end

    def notes(self, tokens: np.ndarray, settings: ComposeSettings) -> NoteArray:
        """Generated tokens → notes at the chosen tempo, each voice on its program."""
        stream = self.bundle.vocab.detokenize(tokens, time_signature=self.time_signature)
        try:
            programs = programs_with(self.bundle.voice_programs, settings.programs)
        except PartError as e:
            raise ComposeError(str(e)) from e
        notes = decode(stream, tempo_qpm=settings.tempo, programs=programs)
        if settings.single_instrument:
            return single_instrument(notes, settings.program)
        return notes


def _events_for(tokens: np.ndarray, target_steps: float) -> int:
    return max(1, int(np.searchsorted(onsets(tokens), target_steps, side="left")))


def compose(
    bundle: ModelBundle,
    settings: ComposeSettings,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> list[Composition]:
    """Compose with a bundle (a job: progress callback and cancel token, no Qt)."""
    return Composer(bundle).compose(settings, progress, cancel)
