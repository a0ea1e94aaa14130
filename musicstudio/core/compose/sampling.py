"""Sampling the next event per head: temperature, top-k, top-p (nucleus), repetition penalty.

Written in TensorFlow ops so the whole generation loop stays inside one compiled function.
Greedy argmax (the original method) is temperature 0: available, never the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from musicstudio.core.settings import setting, validate


@dataclass(frozen=True)
class SamplingSettings:
    """Per-head sampling controls (the Compose panel shows these names)."""

    temperature: float = setting(
        1.0,
        "Temperature",
        "Higher: bolder choices; 0: always the most likely (the original"
        " method, which repeats itself)",
        low=0.0,
        high=5.0,
        step=0.05,
    )
    top_k: int = setting(
        0, "Top-k", "Sample only among the k most likely choices", low=0, high=1000, off="off"
    )
    top_p: float = setting(
        0.95,
        "Top-p",
        "Sample only among the most likely choices that make up this share (1 = off)",
        low=0.01,
        high=1.0,
        step=0.01,
    )
    repetition_penalty: float = setting(
        1.3,
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

    def __post_init__(self) -> None:
        validate(self)


def filter_logits(logits: Any, top_k: Any, top_p: Any) -> Any:
    """Mask everything outside the top-k and the top-p nucleus with -inf."""
    import tensorflow as tf

    vocab = tf.shape(logits)[-1]
    k = tf.where(top_k > 0, tf.minimum(top_k, vocab), vocab)
    sorted_logits = tf.sort(logits, direction="DESCENDING", axis=-1)
    kth = tf.gather(sorted_logits, k - 1, axis=-1)[:, None]
    logits = tf.where(logits < kth, tf.fill(tf.shape(logits), -1e9), logits)
    # Nucleus: keep the smallest set whose probability reaches top_p (always at least one).
    sorted_logits = tf.sort(logits, direction="DESCENDING", axis=-1)
    probs = tf.nn.softmax(sorted_logits, axis=-1)
    before = tf.cumsum(probs, axis=-1, exclusive=True)
    keep = before < top_p
    cutoff = tf.reduce_min(
        tf.where(keep, sorted_logits, tf.fill(tf.shape(sorted_logits), 1e9)), axis=-1, keepdims=True
    )
    return tf.where(logits < cutoff, tf.fill(tf.shape(logits), -1e9), logits)


def sample(logits: Any, temperature: Any, top_k: Any, top_p: Any, seed: Any) -> Any:
    """One token per row; temperature <= 0 is greedy argmax."""
    import tensorflow as tf

    greedy = tf.argmax(logits, axis=-1, output_type=tf.int32)
    scaled = filter_logits(logits / tf.maximum(temperature, 1e-4), top_k, top_p)
    drawn = tf.cast(tf.random.stateless_categorical(scaled, 1, seed)[:, 0], tf.int32)
    return tf.where(temperature > 0, drawn, greedy)
