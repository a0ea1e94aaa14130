"""The generation loop shared by composing, continuing and regenerating.

At every step each row either *takes* the next event from a plan (a primer, the fixed bars
around a regenerated passage) or *samples* it. Constraints are additive masks on the logits
(a pitch-token mask per voice, a mask over voices), so a forbidden choice has probability 0 and
is never drawn. The log-likelihood of the taken events marked `scored` is summed: that is how
regenerate judges how well a new passage joins what follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.compose.sampling import (
    MASKED,
    TOP_P,
    SamplingSettings,
    log_softmax,
    sample,
    sample_heads,
)
from musicstudio.core.compose.steppers import Stepper
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.vocab import N_STREAMS, START, STREAMS
from musicstudio.core.music.voices import N_VOICES, VOICE_PART

#: Events per run of the loop between checks for cancel and progress reports.
CHUNK = 128
VOICE = STREAMS.index("voice")
STEP = STREAMS.index("step")
#: Events one row may draw at one onset (all voices' chords) before its step must move on.
MAX_AT_ONSET = 16


@dataclass
class Masks:
    """Additive logit masks: one pitch-token row per voice, and one over voices (0 = allowed).

    With `max_chord`, a pitched voice's events at one onset add up to at most that many notes
    (`chord_size`: notes per pitch token), counted as the events are placed.
    """

    pitch: np.ndarray  # (N_VOICES, pitch vocabulary) float32
    voice: np.ndarray  # (N_VOICES,) float32
    max_chord: int | None = None
    chord_size: np.ndarray | None = None  # (pitch vocabulary,) int

    @classmethod
    def open(cls, pitch_size: int) -> Masks:
        """Nothing constrained (only the start token, which is never composed)."""
        pitch = np.zeros((N_VOICES, pitch_size), np.float32)
        pitch[:, START] = MASKED
        return cls(pitch, np.zeros(N_VOICES, np.float32))


@dataclass
class Plan:
    """What a run does per row and step: take `tokens` where `free` is false, else sample."""

    tokens: np.ndarray  # (B, T, N_STREAMS) int32
    free: np.ndarray  # (B, T) bool
    scored: np.ndarray  # (B, T) bool: taken tokens whose log-likelihood is summed

    @classmethod
    def sampling(cls, batch: int, steps: int) -> Plan:
        return cls(
            np.zeros((batch, steps, N_STREAMS), np.int32),
            np.ones((batch, steps), bool),
            np.zeros((batch, steps), bool),
        )

    @classmethod
    def taking(cls, tokens: np.ndarray, scored: np.ndarray | None = None) -> Plan:
        b, t = tokens.shape[:2]
        return cls(
            tokens.astype(np.int32),
            np.zeros((b, t), bool),
            np.zeros((b, t), bool) if scored is None else scored.astype(bool),
        )

    @staticmethod
    def concatenate(first: Plan, then: Plan) -> Plan:
        return Plan(
            np.concatenate([first.tokens, then.tokens], axis=1),
            np.concatenate([first.free, then.free], axis=1),
            np.concatenate([first.scored, then.scored], axis=1),
        )


@dataclass
class Cursor:
    """Where generation stands between runs: the last event, the model state, the recent
    pitch tokens (for the repetition penalty), the random stream, the summed log-likelihood."""

    prev: np.ndarray  # (B, N_STREAMS)
    state: list[np.ndarray]
    recent: np.ndarray  # (B, window) pitch tokens, -1 for none yet
    rng: np.random.Generator
    log_likelihood: np.ndarray  # (B,) over the scored steps so far
    placed: np.ndarray  # (B, N_VOICES) notes each voice has started at the current onset


class Generator:
    """A model's stepper driven one event at a time, sampling or taking per row."""

    def __init__(self, stepper: Stepper, sizes: dict[str, int]) -> None:
        self.stepper = stepper
        self.sizes = sizes

    def start(
        self, first: np.ndarray, window: int, seed: int, onset: int | np.ndarray = 0
    ) -> Cursor:
        """A cursor before feeding the first event of each row (B, N_STREAMS): fresh state.
        `onset`: the grid step (from time 0) of that event, where a model that reads the
        metric position places it in the bar (`primed_onsets`)."""
        b = len(first)
        recent = np.full((b, max(1, window)), -1, np.int64)
        recent[:, -1] = first[:, 0]
        return Cursor(
            first.astype(np.int64),
            self.stepper.initial_state(b, onset),
            recent,
            np.random.default_rng(seed),
            np.zeros(b, np.float64),
            np.zeros((b, N_VOICES), np.int64),
        )

    def run(
        self, cursor: Cursor, plan: Plan, sampling: SamplingSettings, masks: Masks
    ) -> np.ndarray:
        """Run the plan's steps from the cursor (advanced in place): the event of every step."""
        sampling = sampling.tuned(None)  # temperatures left unset: the defaults
        b, steps = plan.free.shape
        out = np.zeros((b, steps, N_STREAMS), np.int64)
        prev, state, recent = cursor.prev, cursor.state, cursor.recent
        for i in range(steps):
            logits, state = self.stepper.step(prev, state)
            taken = plan.tokens[:, i].astype(np.int64)
            nxt = taken
            free = plan.free[:, i]
            if free.any():
                drawn = self._sampled(logits, cursor, recent, sampling, masks)
                nxt = np.where(free[:, None], drawn, taken)
            scored = plan.scored[:, i]
            if scored.any():
                cursor.log_likelihood += np.where(scored, _log_likelihood(logits, taken), 0.0)
            recent = np.concatenate([recent[:, 1:], nxt[:, :1]], axis=1)
            cursor.placed = _placed_after(cursor.placed, nxt, masks)
            out[:, i] = prev = nxt
        cursor.prev, cursor.state, cursor.recent = prev, state, recent
        return out

    def fill(
        self,
        cursor: Cursor,
        sampling: SamplingSettings,
        masks: Masks,
        span: int | np.ndarray = 0,
        taken: list[np.ndarray] | None = None,
        cancel: CancelToken | None = None,
    ) -> list[np.ndarray]:
        """Advance every row by its own events: `taken[row]` when given, else sampled ones that
        span exactly `span` grid steps, one for all rows or (B,) each (the step is masked so
        that no event crosses the line).
        A row that is done waits for the others: its state, last event and counters are kept.
        The events each row took or drew (the cursor is advanced in place)."""
        sampling = sampling.tuned(None)
        b = len(cursor.prev)
        todo = np.array([len(t) for t in taken]) if taken is not None else None
        left = np.broadcast_to(np.asarray(span, np.int64), (b,)).copy()  # steps still to sample
        at_onset = np.zeros(b, np.int64)  # events drawn since the last step forward
        out: list[list[np.ndarray]] = [[] for _ in range(b)]
        i = 0
        while True:
            active = (i < todo) if todo is not None else (left > 0)
            if not active.any():
                break
            if cancel is not None and i % CHUNK == 0:
                cancel.raise_if_cancelled()
            logits, state = self.stepper.step(cursor.prev, cursor.state)
            if taken is not None:
                nxt = np.stack(
                    [t[i] if i < len(t) else p for t, p in zip(taken, cursor.prev, strict=True)]
                )
                nxt = nxt.astype(np.int64)
            else:
                most = np.clip(left, 0, self.sizes["step"] - 1)
                # Near the line a model may keep adding events at one onset (step 0) rather
                # than step past it: after MAX_AT_ONSET of them, the next step moves on.
                least = np.where(at_onset >= MAX_AT_ONSET, np.minimum(1, most), 0)
                nxt = self._sampled(logits, cursor, cursor.recent, sampling, masks, (least, most))
                left -= np.where(active, nxt[:, STEP], 0)
                at_onset = np.where(active, np.where(nxt[:, STEP] > 0, 0, at_onset + 1), at_onset)
            keep = active[:, None]
            cursor.state = (
                state
                if active.all()
                else [
                    np.where(active.reshape(-1, *([1] * (new.ndim - 1))), new, old)
                    for new, old in zip(state, cursor.state, strict=True)
                ]
            )
            cursor.recent = np.where(
                keep, np.concatenate([cursor.recent[:, 1:], nxt[:, :1]], axis=1), cursor.recent
            )
            cursor.placed = np.where(keep, _placed_after(cursor.placed, nxt, masks), cursor.placed)
            cursor.prev = np.where(keep, nxt, cursor.prev)
            for r in np.flatnonzero(active):
                out[r].append(nxt[r])
            i += 1
        return [np.asarray(o, np.int32).reshape(-1, N_STREAMS) for o in out]

    def sample_after(
        self,
        cursor: Cursor,
        taken: Plan,
        most: int,
        span: float | None,
        sampling: SamplingSettings,
        masks: Masks,
        cancel: CancelToken,
        report: Callable[[int], None],
    ) -> np.ndarray:
        """Take `taken`, then sample up to `most` events per row, in chunks (cancel is checked
        and `report(events so far)` called after each); with `span`, stop once every row's
        events span that many grid steps. The sampled events (B, ≤ most, N_STREAMS)."""
        batch = len(taken.free)
        chunks: list[np.ndarray] = []
        done = 0
        while done < most:
            cancel.raise_if_cancelled()
            n = min(CHUNK, most - done)
            plan = Plan.sampling(batch, n)
            if done == 0:
                plan = Plan.concatenate(taken, plan)
            chunks.append(self.run(cursor, plan, sampling, masks)[:, -n:])
            done += n
            report(done)
            if (
                span is not None
                and (np.concatenate(chunks, axis=1)[:, :, STEP].sum(1) >= span).all()
            ):
                break
        return np.concatenate(chunks, axis=1)

    def _sampled(
        self,
        logits: dict[str, np.ndarray],
        cursor: Cursor,
        recent: np.ndarray,
        sampling: SamplingSettings,
        masks: Masks,
        step_range: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """One drawn event per row, the pitch tokens in `recent` penalised (run and fill)."""
        b = len(recent)
        uniform = 1.0 - cursor.rng.random((b, N_STREAMS))  # (0, 1]
        seen = np.zeros((b, self.sizes["pitch"]))
        seen[np.arange(b)[:, None], np.where(recent >= 0, recent, 0)] = recent >= 0
        penalty = seen * np.log(max(1.0, float(sampling.repetition_penalty)))
        return self._draw(logits, penalty, uniform, sampling, masks, cursor.placed, step_range)

    @staticmethod
    def _draw(
        logits: dict[str, np.ndarray],
        penalty: np.ndarray,
        uniform: np.ndarray,
        sp: SamplingSettings,
        masks: Masks,
        placed: np.ndarray,
        step_range: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """One event per row; with `step_range` (least, most: (B,) each), every row's step is in it."""

        def heat(h: int) -> float:
            harmony = h in (0, VOICE)  # pitch and voice; the rest is rhythm and loudness
            return (sp.temperature if harmony else sp.rhythm_temperature) or 0.0

        # The voice first: the pitch mask depends on it (a key lock leaves the drums alone).
        voice = sample(
            logits["voice"] + masks.voice,
            heat(VOICE),
            sp.top_k,
            sp.top_p or TOP_P,
            uniform[:, VOICE],
        )
        pitch_mask = masks.pitch[voice]
        if masks.max_chord is not None and masks.chord_size is not None:
            room = masks.max_chord - placed[np.arange(len(voice)), voice]
            pitched = VOICE_PART[voice] != DRUMS
            too_big = (masks.chord_size[None, :] > room[:, None]) & pitched[:, None]
            pitch_mask = np.where(too_big, MASKED, pitch_mask)
        heads = [logits["pitch"] + pitch_mask - penalty]
        heads += [logits[name] for h, name in enumerate(STREAMS) if 0 < h < VOICE]
        if step_range is not None:
            steps = np.arange(heads[STEP].shape[1])[None, :]
            outside = (steps < step_range[0][:, None]) | (steps > step_range[1][:, None])
            heads[STEP] = np.where(outside, MASKED, heads[STEP])
        # Then every other head in one pass (sample_heads draws what `sample` would, head by head).
        shares = [sp.pitch_top_p or sp.top_p or TOP_P] + [sp.top_p or TOP_P] * (VOICE - 1)
        picked = sample_heads(
            heads, [heat(h) for h in range(VOICE)], sp.top_k, shares, uniform[:, :VOICE]
        )
        return np.stack([*picked, voice], axis=1)


def primed_onsets(primers: np.ndarray, end: int | np.ndarray = 0) -> np.ndarray:
    """(B,) grid onset of each primer's first row when the event after the primer (B, T,
    N_STREAMS, left-padded with start tokens of step 0) falls at `end`: a primer composed
    after starts the new music on a downbeat (end 0), a continuation where the file ends."""
    return np.asarray(end, np.int64) - primers[:, :, STEP].astype(np.int64).sum(axis=1)


def _placed_after(placed: np.ndarray, nxt: np.ndarray, masks: Masks) -> np.ndarray:
    """Notes each voice has started at the current onset, after the events `nxt` (with a
    max_chord lock; else unchanged): a step forward starts a new onset."""
    if masks.max_chord is None or masks.chord_size is None:
        return placed
    placed = placed.copy()
    placed[np.arange(len(nxt)), nxt[:, VOICE]] += masks.chord_size[nxt[:, 0]]
    placed[nxt[:, STEP] > 0] = 0
    return placed


def _log_likelihood(logits: dict[str, np.ndarray], taken: np.ndarray) -> np.ndarray:
    total = np.zeros(len(taken))
    for h, name in enumerate(STREAMS):
        logp = log_softmax(logits[name].astype(np.float64))
        total += logp[np.arange(len(taken)), taken[:, h]]
    return total
