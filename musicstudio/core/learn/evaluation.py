"""Loss and accuracy per head: the training loss, validation, and `musicstudio evaluate`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.learn.bundle import ModelBundle
from musicstudio.core.learn.dataset import WindowSource
from musicstudio.core.music.form_profile import meters_of
from musicstudio.core.music.vocab import STREAMS, TokenStream


class EvaluationError(MusicStudioError):
    """Nothing to evaluate (too few events for one window), with the reason."""


def head_losses(
    model: Any, x: Any, y: Any, training: bool, label_smoothing: float = 0.0
) -> tuple[Any, Any, Any]:
    """Per-token loss (summed over heads; with label smoothing when training), and per-head
    summed cross-entropy (never smoothed: the reported figure) and correct counts."""
    import tensorflow as tf

    out = model(x, training=training)
    ce = [
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y[..., i], logits=out[k])
        for i, k in enumerate(STREAMS)
    ]
    loss = tf.add_n(ce)
    if label_smoothing > 0:
        # (1 - e) * cross-entropy + e * cross-entropy against the uniform distribution.
        uniform = [-tf.reduce_mean(tf.nn.log_softmax(out[k]), axis=-1) for k in STREAMS]
        loss = (1.0 - label_smoothing) * loss + label_smoothing * tf.add_n(uniform)
    hit = [
        tf.cast(tf.equal(tf.argmax(out[k], -1, output_type=tf.int32), y[..., i]), tf.float32)
        for i, k in enumerate(STREAMS)
    ]
    return (
        loss,
        tf.stack([tf.reduce_sum(c) for c in ce]),
        tf.stack([tf.reduce_sum(h) for h in hit]),
    )


def evaluate(
    bundle: ModelBundle,
    streams: Sequence[TokenStream],
    batch_size: int = 32,
    cancel: CancelToken | None = None,
) -> dict[str, float]:
    """Held-out loss, accuracy and perplexity per head of a bundle on token streams."""
    import tensorflow as tf

    model = bundle.model()
    src = WindowSource.from_streams(
        streams,
        bundle.config.window,
        metric=bundle.config.metric_position,
        meter=bundle.config.meter,
        meters=meters_of(bundle.form),
    )

    @tf.function
    def eval_step(x: Any, y: Any) -> tuple[Any, Any]:
        _, ce, hits = head_losses(model, x, y, False)
        return ce, hits

    out = evaluate_windows(
        src, batch_size, eval_step, tf.distribute.get_strategy(), cancel or CancelToken()
    )
    if out is None:
        raise EvaluationError("not enough events to evaluate (need more than one window)")
    result = {k.removeprefix("val_"): v for k, v in out.items()}
    for k in STREAMS:
        result[f"perplexity_{k}"] = float(math.exp(min(50.0, result[f"loss_{k}"])))
    result["events"] = float(len(src.tokens))
    return result


def evaluate_windows(
    src: WindowSource, batch: int, eval_step: Any, strategy: Any, cancel: CancelToken
) -> dict[str, float] | None:
    """Validation loss and accuracy per head over non-overlapping windows (inside each held-out
    stretch for a small folder); None if cancelled or empty."""
    if src.usable_window < 1:
        return None
    starts = src.validation_starts()
    b = min(batch, len(starts))
    b -= b % strategy.num_replicas_in_sync
    if b < 1:
        return None
    ds = strategy.experimental_distribute_dataset(src.dataset(starts, b))
    ce_tot = np.zeros(len(STREAMS))
    hit_tot = np.zeros(len(STREAMS))
    n = 0
    for x, y in ds:
        if cancel.cancelled:
            return None
        ce, hits = eval_step(x, y)
        ce_tot += ce.numpy()
        hit_tot += hits.numpy()
        n += b * src.usable_window
    out = {"val_loss": float(ce_tot.sum() / n)}
    for k, c, h in zip(STREAMS, ce_tot, hit_tot, strict=True):
        out[f"val_loss_{k}"] = float(c / n)
        out[f"val_accuracy_{k}"] = float(h / n)
    return out


def compiled_steps(
    model: Any, optimizer: Any, strategy: Any, replicas: int, smoothing: float
) -> tuple[Any, Any]:
    """One training step (gradients, label smoothing in the loss only) and one evaluation step,
    each a tf.function run on every replica of the strategy, summing the heads' losses and hits."""
    import tensorflow as tf

    def train_fn(x: Any, y: Any) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            per_token, ce_sum, hits = head_losses(model, x, y, True, smoothing)
            loss = tf.reduce_sum(per_token) / tf.cast(tf.size(per_token) * replicas, tf.float32)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return ce_sum, hits

    def eval_fn(x: Any, y: Any) -> tuple[Any, Any]:
        _, ce_sum, hits = head_losses(model, x, y, False)
        return ce_sum, hits

    @tf.function
    def train_step(x: Any, y: Any) -> tuple[Any, Any]:
        ce, hits = strategy.run(train_fn, args=(x, y))
        return strategy.reduce("SUM", ce, axis=None), strategy.reduce("SUM", hits, axis=None)

    @tf.function
    def eval_step(x: Any, y: Any) -> tuple[Any, Any]:
        ce, hits = strategy.run(eval_fn, args=(x, y))
        return strategy.reduce("SUM", ce, axis=None), strategy.reduce("SUM", hits, axis=None)

    return train_step, eval_step
