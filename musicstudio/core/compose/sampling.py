"""Sampling the next event per head: temperature, top-k, top-p (nucleus), repetition penalty.

In NumPy, on the logits of one step (see compose/steppers.py for why not TensorFlow).
Greedy argmax (the original method) is temperature 0: available, never the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from musicstudio.core.base.settings import setting, validate
from musicstudio.core.learn.bundle_info import TOP_P, Tuning

#: The temperatures of a model trained before sampling was tuned per model (chosen by
#: benchmarks/quality.py on the chorales and quartets: benchmarks/README.md).
TEMPERATURE = 0.75
RHYTHM_TEMPERATURE = 0.9

#: Logit of a choice a constraint forbids: exp() of it is exactly 0 in float32 and float64.
MASKED = -1e9


@dataclass(frozen=True)
class SamplingSettings:
    """Per-head sampling controls (the Compose panel shows these names)."""

    # Defaults chosen by benchmarks/quality.py (benchmarks/README.md, "Training and sampling");
    # the temperatures are the model's own (compose/tuning.py) unless set.
    temperature: float | None = setting(
        None,
        "Temperature",
        "Of pitches and parts. Higher: bolder choices; 0: always the most likely (the original"
        " method, which repeats itself). Unset: the model's, tuned to its corpus after training",
        low=0.0,
        high=5.0,
        step=0.05,
        optional=True,
        off="model's",
    )
    rhythm_temperature: float | None = setting(
        None,
        "Rhythm temperature",
        "Of note lengths, onsets and loudness. Lower: steadier, more uniform rhythm and"
        " fewer chords; higher: freer. Unset: the model's, tuned to its corpus",
        low=0.0,
        high=5.0,
        step=0.05,
        optional=True,
        off="model's",
    )
    top_k: int = setting(
        0, "Top-k", "Sample only among the k most likely choices", low=0, high=1000, off="off"
    )
    top_p: float | None = setting(
        None,
        "Top-p",
        "Sample only among the most likely choices that make up this share (1 = off)."
        " Unset: 0.9, and for pitches the model's own, tuned to how often your files leave"
        " their scale",
        low=0.01,
        high=1.0,
        step=0.01,
        optional=True,
        off="model's",
    )
    repetition_penalty: float = setting(
        1.0,
        "Repetition penalty",
        "Makes the chords of the last events less likely (1 = off)",
        low=1.0,
        high=5.0,
        step=0.05,
    )
    repetition_window: int = setting(
        8, "Repetition window", "Events the repetition penalty looks back", low=1, high=256
    )
    seed: int | None = setting(
        None,
        "Seed",
        "Random by default: a new piece every time. Fix it to make a piece again (the seed of"
        " every composition is shown with it)",
        low=0,
        high=2**31 - 1,
        optional=True,
        off="random",
    )
    #: The pitch head's nucleus (not a setting: `tuned` sets it from top_p or the model's).
    pitch_top_p: float | None = None

    def __post_init__(self) -> None:
        validate(self)

    def tuned(self, model: Tuning | None) -> SamplingSettings:
        """These settings with the temperatures and nucleus left unset taken from the model's
        tuning (ModelBundle.sampling), else the defaults. A top-p the user sets is every
        head's; unset, the pitch head's is the model's and the other heads' TOP_P."""
        return replace(
            self,
            top_p=_first(self.top_p, TOP_P),
            pitch_top_p=_first(
                self.pitch_top_p, self.top_p, model.pitch_top_p if model else None, TOP_P
            ),
            temperature=_first(self.temperature, model.temperature if model else None, TEMPERATURE),
            rhythm_temperature=_first(
                self.rhythm_temperature,
                model.rhythm_temperature if model else None,
                RHYTHM_TEMPERATURE,
            ),
        )


def _first(*values: Any) -> float:
    return float(next(v for v in values if v is not None))


def nucleus(probs: np.ndarray, top_k: int, top_p: float | np.ndarray) -> np.ndarray:
    """Probabilities (B, V) with everything outside the top-k and the top-p nucleus set to 0.

    The nucleus is the smallest set of most likely choices whose mass reaches top_p (one for
    all rows, or one per row: (B,)); the most likely choice always stays.
    """
    vocab = probs.shape[-1]
    if 0 < top_k < vocab:
        kth = -np.partition(-probs, top_k - 1, axis=-1)[:, top_k - 1 : top_k]
        probs = np.where(probs >= kth, probs, 0.0)
    share = np.broadcast_to(np.asarray(top_p, np.float64), (len(probs),))
    if (share < 1.0).any():
        ranked = -np.sort(-probs, axis=-1)
        mass = np.cumsum(ranked, axis=-1)
        before = mass - ranked  # mass of the likelier choices
        kept = np.maximum((before < share[:, None] * mass[:, -1:]).sum(axis=-1), 1)
        least = ranked[
            np.arange(len(ranked)), kept - 1
        ]  # (plain indexing: once per head and event)
        probs = np.where(probs >= least[:, None], probs, 0.0)
    return probs


def sample(
    logits: np.ndarray,
    temperature: float,
    top_k: int,
    top_p: float | np.ndarray,
    uniform: np.ndarray,
) -> np.ndarray:
    """One choice per row (B, V) → (B,); `uniform` (B,) in (0, 1]. Temperature <= 0 is argmax.

    A choice whose logit is MASKED (a constraint) has probability exactly 0 and is never drawn.
    """
    if temperature <= 0:
        return np.argmax(logits, axis=-1)
    probs = nucleus(_softmax(logits / max(temperature, 1e-4)), top_k, top_p)
    cdf = np.cumsum(probs, axis=-1)
    picked = (cdf < uniform[:, None] * cdf[:, -1:]).sum(axis=-1)
    last = probs.shape[-1] - 1 - np.argmax(probs[:, ::-1] > 0, axis=-1)  # last possible choice
    return np.minimum(picked, last)


def sample_heads(
    logits: list[np.ndarray],
    temperatures: list[float],
    top_k: int,
    top_p: float | Sequence[float],
    uniform: np.ndarray,
) -> list[np.ndarray]:
    """`sample` for several heads at once (each (B, V_h), with its temperature, its top-p
    (one for all heads, or one each) and its column of `uniform` (B, H)): the same choices, in
    one pass over the heads' logits padded to one width with MASKED (probability exactly 0),
    so composing pays the per-call cost once."""
    b = len(logits[0])
    width = max(lg.shape[1] for lg in logits)
    rows = np.full((len(logits), b, width), MASKED)
    for h, lg in enumerate(logits):
        rows[h, :, : lg.shape[1]] = lg
    heat = np.asarray(temperatures, np.float64)
    hot = heat > 0
    out = np.argmax(rows, axis=-1)  # temperature <= 0: the greedy choice
    if hot.any():
        scaled = rows[hot] / np.maximum(heat[hot], 1e-4)[:, None, None]
        shares = np.broadcast_to(np.asarray(top_p, np.float64), (len(logits),))[hot]
        drawn = sample(
            scaled.reshape(-1, width), 1.0, top_k, np.repeat(shares, b), uniform.T[hot].ravel()
        )
        out[hot] = drawn.reshape(-1, b)
    return list(out)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
