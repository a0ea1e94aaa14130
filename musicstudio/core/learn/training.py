"""How long and how to train (settings), how it went (results), and the devices it runs on.

The loop itself is in trainer.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.settings import setting, validate

STRATEGIES = ("default", "mirrored", "multiworker")


@dataclass(frozen=True)
class TrainSettings:
    """How long and how to train (the UI shows these names)."""

    epochs: int = setting(
        20,
        "Epochs",
        "The most passes over the training windows (with a time budget, training"
        " stops at the budget or by early stopping first)",
        low=1,
        high=1_000_000,
    )
    minutes: float | None = setting(
        None,
        "Time budget",
        "Train this long, unless early stopping ends it sooner (never before two thirds of"
        " it); the cut-short epoch is validated",
        low=0.01,
        high=10_080,
        unit="min",
        optional=True,
    )
    batch_size: int = setting(
        32,
        "Batch size",
        "Windows per step (a folder too small for it trains with a smaller one, and says so)",
        low=1,
        high=4096,
        step=4,
    )
    learning_rate: float = setting(
        2e-3,
        "Learning rate",
        "Step size of the optimizer (Adam)",
        low=0.0,
        high=1.0,
        decimals=5,
        step=0.0005,
    )
    seed: int = setting(0, "Seed", "Same seed, same data: the same model", low=0, high=2**31 - 1)
    patience: int = setting(
        5,
        "Early stopping",
        "Stop after this many epochs without a better validation loss; the best epoch is kept."
        " With a time budget, not before two thirds of it",
        low=0,
        high=100_000,
        off="off",
        unit="epochs",
    )
    strategy: str = setting(
        "default",
        "Devices",
        "default: one device; mirrored: every local GPU; multiworker: several machines (TF_CONFIG)",
        choices=STRATEGIES,
    )
    validation_share: float = setting(
        0.1,
        "Validation share",
        "Share held out to measure how well the model generalises: whole files, or in a small"
        " folder the end of every file",
        low=0.0,
        high=0.5,
    )
    augment: bool = setting(True, "Augment", "Use the corpus's transposed copies for training")
    # Regularisation chosen by benchmarks/quality.py (benchmarks/README.md).
    weight_decay: float = setting(
        1e-4,
        "Weight decay",
        "Pulls weights toward zero each step (AdamW; 0 = plain Adam): less memorising",
        low=0.0,
        high=0.5,
        decimals=5,
        step=0.0001,
    )
    label_smoothing: float = setting(
        0.1,
        "Label smoothing",
        "Share of each target spread over every choice: a less certain, less memorising model",
        low=0.0,
        high=0.5,
        step=0.05,
    )
    lr_patience: int = setting(
        2,
        "Halve learning rate after",
        "Halve the learning rate after this many epochs without a better validation loss",
        low=0,
        high=1000,
        off="off",
        unit="epochs",
    )

    def __post_init__(self) -> None:
        validate(self)


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
    stop_reason: str = "epochs"  # one of STOP_REASONS
    best_epoch: int = 0  # the epoch whose weights the bundle holds (1-based; 0: none)
    tuned: str = ""  # the sampling tuned to the corpus, in words ("" when not tuned)
    plan: str = ""  # the window, batch and validation the run used, in words
    window: int = 0  # events per training window (fitted to a small folder)
    batch_size: int = 0  # windows per step (fitted to a small folder)

    @property
    def best_val_loss(self) -> float | None:
        """The validation loss of the epoch the model keeps (None: not validated)."""
        best = next((h for h in self.history if h.get("epoch") == self.best_epoch), {})
        value = best.get("val_loss")
        return float(value) if isinstance(value, int | float) else None

    @property
    def why_stopped(self) -> str:
        """Why training ended, in words for the user (panel and CLI)."""
        best = f"; the model keeps epoch {self.best_epoch}" if self.best_epoch else ""
        if self.stop_reason == "budget":
            return f"stopped at the time budget after {self.epochs} epochs{best}"
        if self.stop_reason == "early":
            return (
                f"stopped early after {self.epochs} epochs: the validation loss stopped"
                f" improving{best}"
            )
        if self.stop_reason == "cancelled":
            return f"stopped by you after {self.epochs} epochs{best}"
        return f"finished all {self.epochs} epochs{best}"


#: Epochs with a time budget and no epoch limit: the budget or early stopping ends training.
UNLIMITED_EPOCHS = 100_000

#: Share of a time budget that must pass before early stopping may end the run (trainer.py,
#: _Trainer._may_stop_early says why).
EARLY_STOP_FLOOR = 2 / 3

#: Patience (early stopping, halving the rate) counts epochs of at least this many steps: a
#: small folder's epochs are shorter, so it waits more of them (trainer.py says why). At 10,
#: the corpora the benchmarks tuned on (the sample corpus: 15-30 steps an epoch) are unchanged.
PATIENCE_STEPS = 10

#: Why a training run ended: every epoch done, the time budget, early stopping, or the user.
STOP_REASONS = ("epochs", "budget", "early", "cancelled")


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


def is_chief(strategy: Any) -> bool:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type in ("chief", None) or (
        resolver.task_type == "worker" and resolver.task_id == 0
    )
