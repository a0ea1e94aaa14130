"""Typed progress events: what a running job reports, read by the CLI, the engine and the window.

A job calls `progress(fraction, event)` with the fraction of its work done (0..1) and one of
these events; nobody parses dicts keyed by strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from musicstudio.core.base.file_report import FileReport


@dataclass(frozen=True)
class FileScanned:
    """One more file of a scan is read (or reported)."""

    done: int
    total: int
    report: FileReport


@dataclass(frozen=True)
class TrainingStep:
    """One training step: the running loss, speed and time left."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float
    targets_per_second: float
    eta: float  # seconds


@dataclass(frozen=True)
class TrainingPlan:
    """How a run trains, said before it starts: the window and batch (fitted to a small
    folder when `fitted`) and where the validation loss comes from."""

    window: int
    batch_size: int
    fitted: bool
    message: str


@dataclass(frozen=True)
class EpochDone:
    """An epoch is trained and validated; its figures are in `metrics` (loss_pitch, val_loss, …)."""

    epoch: int
    epochs: int
    metrics: dict[str, float] = field(default_factory=dict)
    improved: bool = False
    best_epoch: int = 0


@dataclass(frozen=True)
class Resumed:
    """Training continues from a checkpoint (or says there was none)."""

    epoch: int
    message: str


@dataclass(frozen=True)
class Composing:
    """Events composed so far."""

    events: int
    total: int


@dataclass(frozen=True)
class TuningStep:
    """After training: pairs of sampling temperatures tried so far (compose/tuning.py)."""

    done: int
    total: int


@dataclass(frozen=True)
class Rendering:
    """Seconds of a piece synthesized to audio so far (sound/render.py)."""

    seconds: float
    total: float


Progress: TypeAlias = (
    FileScanned
    | TrainingStep
    | TrainingPlan
    | EpochDone
    | Resumed
    | Composing
    | TuningStep
    | Rendering
)
#: A progress callback: the fraction done (0..1) and what happened.
ProgressFn = Callable[[float, Progress], None]


def no_progress(fraction: float, event: Progress) -> None:
    """The default progress callback: ignore."""


def milestone(event: Progress) -> bool:
    """Events a throttle must never drop (the plan, the end of an epoch, a resume)."""
    return isinstance(event, TrainingPlan | EpochDone | Resumed)
