"""Training: sequence-to-sequence next-event prediction, cancellable, resumable, distributable.

One custom loop serves all three strategies. Keras 3.15's `fit()` fails under
MultiWorkerMirroredStrategy (keras-team/keras#20585) while `strategy.run` in a
custom loop works; the same loop also gives per-step progress and a cancel check
between steps (and inside validation), which `fit` callbacks do not honour promptly.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.bundle import ModelBundle
from musicstudio.core.corpus import Corpus
from musicstudio.core.dataset import WindowSource
from musicstudio.core.errors import MusicStudioError
from musicstudio.core.jobs import CancelToken, ProgressFn, no_progress
from musicstudio.core.midi import atomic_write_bytes
from musicstudio.core.models.config import ModelConfig
from musicstudio.core.vocab import STREAMS, TokenStream, Vocabulary

STRATEGIES = ("default", "mirrored", "multiworker")


@dataclass(frozen=True)
class TrainSettings:
    """How long and how to train (the UI shows these names)."""

    epochs: int = 10
    minutes: float | None = None  # wall-clock budget; stops after validating the cut-short epoch
    batch_size: int = 32
    learning_rate: float = 2e-3
    seed: int = 0
    patience: int = 0  # early stopping on validation loss; 0 = off
    strategy: str = "default"
    validation_share: float = 0.1
    augment: bool = True  # use the corpus's transposition augmentation for training


@dataclass
class TrainingData:
    """What a training job needs from a corpus: the vocabulary and the two token splits."""

    vocab: Vocabulary
    train: list[TokenStream]
    validation: list[TokenStream]
    corpus_summary: dict[str, Any] = field(default_factory=dict)
    scan_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_corpus(
        cls, corpus: Corpus, share: float = 0.1, seed: int = 0, augment: bool = True
    ) -> TrainingData:
        train_idx, val_idx = corpus.split(share, seed)
        summary = {
            k: corpus.stats.get(k)
            for k in (
                "files",
                "ok",
                "notes",
                "events",
                "vocab_size",
                "note_recall",
                "onset_pitch_recall",
                "parts",
                "programs",
                "time_signature",
            )
        }
        summary["folder"] = os.path.commonpath(corpus.ok_paths) if corpus.ok_paths else ""
        summary["train_files"], summary["validation_files"] = len(train_idx), len(val_idx)
        return cls(
            corpus.vocab,
            corpus.token_streams(train_idx, augment=augment),
            corpus.token_streams(val_idx),
            summary,
            asdict(corpus.options),
        )


@dataclass
class TrainResult:
    """Where the model went and how training went."""

    bundle: Path | None
    history: list[dict[str, Any]]
    epochs: int
    cancelled: bool
    resumed_from: int
    seconds: float
    targets_per_second: float
    stopped_early: bool = False


class TrainingError(MusicStudioError):
    """A training job that cannot run (no data, bad settings), with the reason."""


def make_strategy(name: str) -> Any:
    """The tf.distribute strategy by name; mirrored uses all local GPUs (or logical CPUs)."""
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        cpus = tf.config.list_logical_devices("CPU")
        devices = [d.name for d in gpus] or [d.name for d in cpus]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise TrainingError(f"unknown strategy {name!r} (one of {', '.join(STRATEGIES)})")


class _Checkpoints:
    """last.npz / best.npz (weights + optimizer state) and state.json in a run folder."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir

    def save(self, kind: str, model: Any, optimizer: Any, state: dict[str, Any]) -> None:
        import io

        self.dir.mkdir(parents=True, exist_ok=True)
        arrays = {f"w{i:04d}": np.asarray(w) for i, w in enumerate(model.get_weights())}
        arrays.update(
            {f"o{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}
        )
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]
        atomic_write_bytes(self.dir / f"{kind}.npz", buf.getvalue())
        if kind == "last":
            atomic_write_bytes(self.dir / "state.json", json.dumps(state).encode())

    def state(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads((self.dir / "state.json").read_text()))
        except (OSError, ValueError):
            return None

    def restore(self, kind: str, model: Any, optimizer: Any | None) -> bool:
        path = self.dir / f"{kind}.npz"
        if not path.exists():
            return False
        with np.load(path, allow_pickle=False) as z:
            weights = [z[k] for k in sorted(z.files) if k.startswith("w")]
            opt = [z[k] for k in sorted(z.files) if k.startswith("o")]
        model.set_weights(weights)
        if optimizer is not None and opt:
            for var, value in zip(optimizer.variables, opt, strict=True):
                var.assign(value)
        return True

    def weights(self, kind: str) -> list[np.ndarray] | None:
        path = self.dir / f"{kind}.npz"
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as z:
            return [z[k] for k in sorted(z.files) if k.startswith("w")]


def run_dir_for(bundle_path: Path) -> Path:
    """The checkpoint folder beside a bundle."""
    return bundle_path.with_name(bundle_path.name + ".run")


def train(
    data: TrainingData,
    config: ModelConfig,
    settings: TrainSettings,
    bundle_path: str | Path,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    resume: bool = False,
    name: str = "",
) -> TrainResult:
    """Train a model on `data`, checkpoint every epoch, and write the best weights as a bundle."""
    import keras
    import tensorflow as tf

    cancel = cancel or CancelToken()
    config.validate()
    bundle_path = Path(bundle_path)
    ckpt = _Checkpoints(run_dir_for(bundle_path))
    train_src = WindowSource.from_streams(data.train, config.window)
    val_src = WindowSource.from_streams(data.validation, config.window)
    batch = settings.batch_size
    if train_src.steps(batch) < 1:
        need = (config.window // 2) * batch + config.window
        raise TrainingError(
            f"not enough training events for one batch: {len(train_src.tokens)} events,"
            f" need about {need} (lower the window or batch size, or add files)"
        )
    keras.utils.set_random_seed(settings.seed)
    strategy = make_strategy(settings.strategy)
    replicas = strategy.num_replicas_in_sync
    if batch % replicas:
        raise TrainingError(f"batch size {batch} must be a multiple of the {replicas} replicas")
    with strategy.scope():
        from musicstudio.core.models import build_model

        model = build_model(config, data.vocab.sizes)
        optimizer = keras.optimizers.Adam(settings.learning_rate, clipnorm=1.0)
        optimizer.build(model.trainable_variables)

    state = ckpt.state() if resume else None
    start_epoch, history, best = 0, [], math.inf
    if state is not None and ckpt.restore("last", model, optimizer):
        start_epoch, history = int(state["epoch"]), list(state["history"])
        best = float(state.get("best", math.inf))
        progress(
            0.0,
            {
                "phase": "resumed",
                "epoch": start_epoch,
                "message": f"resuming after epoch {start_epoch}",
            },
        )
    elif resume:
        progress(
            0.0,
            {
                "phase": "resumed",
                "epoch": 0,
                "message": "no checkpoint to resume from: starting fresh",
            },
        )

    n_heads = len(STREAMS)

    def train_fn(x: Any, y: Any) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            per_token, ce_sum, hits = head_losses(model, x, y, True)
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

    t_start = time.perf_counter()
    budget = settings.minutes * 60 if settings.minutes else None
    targets_done, train_seconds = 0, 0.0
    cancelled = stopped_early = False
    since_best = 0  # epochs since the validation loss last improved
    epoch = start_epoch
    chief = _is_chief(strategy)
    for epoch in range(start_epoch, settings.epochs):
        starts = train_src.starts(epoch, settings.seed)
        steps = len(starts) // batch
        ds = strategy.experimental_distribute_dataset(train_src.dataset(starts, batch))
        ce_tot, hit_tot, n_tok = np.zeros(n_heads), np.zeros(n_heads), 0
        t_epoch = time.perf_counter()
        out_of_time = False
        for step, (x, y) in enumerate(ds):
            if cancel.cancelled:
                cancelled = True
                break
            t0 = time.perf_counter()
            ce, hits = train_step(x, y)
            ce_np, hits_np = ce.numpy(), hits.numpy()
            dt = time.perf_counter() - t0
            tokens = batch * train_src.usable_window
            ce_tot += ce_np
            hit_tot += hits_np
            n_tok += tokens
            if step > 0 or epoch > start_epoch:  # the first step includes tracing
                targets_done += tokens
                train_seconds += dt
            elapsed = time.perf_counter() - t_epoch
            rate = targets_done / train_seconds if train_seconds else tokens / max(dt, 1e-9)
            remaining = (steps - step - 1) * elapsed / (step + 1) + (
                settings.epochs - epoch - 1
            ) * steps * elapsed / (step + 1)
            progress(
                (epoch + (step + 1) / steps) / settings.epochs,
                {
                    "phase": "train",
                    "epoch": epoch + 1,
                    "epochs": settings.epochs,
                    "step": step + 1,
                    "steps": steps,
                    "loss": float(ce_np.sum() / tokens),
                    "targets_per_second": rate,
                    "eta": remaining,
                },
            )
            if budget is not None and time.perf_counter() - t_start > budget:
                out_of_time = True
                break
        if cancelled:
            break
        record: dict[str, Any] = {
            "epoch": epoch + 1,
            "seconds": round(time.perf_counter() - t_epoch, 2),
        }
        record["loss"] = float(ce_tot.sum() / max(1, n_tok))
        for k, c, h in zip(STREAMS, ce_tot, hit_tot, strict=True):
            record[f"loss_{k}"] = float(c / max(1, n_tok))
            record[f"accuracy_{k}"] = float(h / max(1, n_tok))
        val = _evaluate(val_src, batch, eval_step, strategy, cancel)
        if val is None and cancel.cancelled:
            cancelled = True
            break
        if val is not None:
            record.update(val)
        history.append(record)
        score = record.get("val_loss", record["loss"])
        improved = score < best
        best = min(best, score)
        if chief:
            ckpt.save(
                "last", model, optimizer, {"epoch": epoch + 1, "history": history, "best": best}
            )
            if improved:
                ckpt.save("best", model, optimizer, {})
                _bundle(model.get_weights(), config, data, history, name).save(bundle_path)
        progress(
            (epoch + 1) / settings.epochs,
            {
                "phase": "epoch",
                "epoch": epoch + 1,
                "epochs": settings.epochs,
                "metrics": record,
                "improved": improved,
            },
        )
        if out_of_time:
            break
        since_best = 0 if improved else since_best + 1
        if settings.patience and since_best >= settings.patience:
            stopped_early = True
            break
    if chief and history:
        # The bundle holds the best weights, with the full history (including later, worse epochs).
        weights = ckpt.weights("best") or model.get_weights()
        _bundle(weights, config, data, history, name).save(bundle_path)
    return TrainResult(
        bundle=bundle_path if history and bundle_path.exists() else None,
        history=history,
        epochs=len(history),
        cancelled=cancelled,
        resumed_from=start_epoch,
        seconds=time.perf_counter() - t_start,
        targets_per_second=targets_done / train_seconds if train_seconds else 0.0,
        stopped_early=stopped_early,
    )


def head_losses(model: Any, x: Any, y: Any, training: bool) -> tuple[Any, Any, Any]:
    """Per-token loss (summed over heads), and per-head summed cross-entropy and correct counts."""
    import tensorflow as tf

    out = model(x, training=training)
    ce = [
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y[..., i], logits=out[k])
        for i, k in enumerate(STREAMS)
    ]
    hit = [
        tf.cast(tf.equal(tf.argmax(out[k], -1, output_type=tf.int32), y[..., i]), tf.float32)
        for i, k in enumerate(STREAMS)
    ]
    return (
        tf.add_n(ce),
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
    src = WindowSource.from_streams(streams, bundle.config.window)

    @tf.function
    def eval_step(x: Any, y: Any) -> tuple[Any, Any]:
        _, ce, hits = head_losses(model, x, y, False)
        return ce, hits

    out = _evaluate(
        src, batch_size, eval_step, tf.distribute.get_strategy(), cancel or CancelToken()
    )
    if out is None:
        raise TrainingError("not enough events to evaluate (need more than one window)")
    result = {k.removeprefix("val_"): v for k, v in out.items()}
    for k in STREAMS:
        result[f"perplexity_{k}"] = float(math.exp(min(50.0, result[f"loss_{k}"])))
    result["events"] = float(len(src.tokens))
    return result


def _is_chief(strategy: Any) -> bool:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type in ("chief", None) or (
        resolver.task_type == "worker" and resolver.task_id == 0
    )


def _evaluate(
    src: WindowSource, batch: int, eval_step: Any, strategy: Any, cancel: CancelToken
) -> dict[str, float] | None:
    """Validation loss and accuracy per head over non-overlapping windows; None if cancelled or empty."""
    if src.usable_window < 1:
        return None
    starts = src.starts(0, 0, stride=src.usable_window, shuffle=False)
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


def _bundle(
    weights: Sequence[np.ndarray],
    config: ModelConfig,
    data: TrainingData,
    history: list[dict[str, Any]],
    name: str,
) -> ModelBundle:
    return ModelBundle(
        config,
        data.vocab,
        [np.asarray(w) for w in weights],
        list(history),
        data.corpus_summary,
        data.scan_options,
        name,
        primers=primer_windows(data.train),
    )


def primer_windows(
    streams: Sequence[TokenStream], count: int = 32, length: int = 64, seed: int = 0
) -> list[np.ndarray]:
    """Windows of the training corpus stored in the bundle, for "random primer from the corpus"."""
    rng = np.random.default_rng(seed)
    usable = [s.tokens for s in streams if len(s) > 8]
    if not usable:
        return []
    out = []
    for i in rng.integers(0, len(usable), count):
        toks = usable[int(i)]
        n = min(length, len(toks))
        start = int(rng.integers(0, len(toks) - n + 1))
        out.append(toks[start : start + n].astype(np.int32))
    return out
