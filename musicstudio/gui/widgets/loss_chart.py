"""Live training curves: train/validation loss per epoch for a chosen head, and loss per step."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from musicstudio.gui.widgets.plot import LinePlot, Series

HEADS = [
    ("Total", ""),
    ("Pitch", "_pitch"),
    ("Duration", "_duration"),
    ("Step", "_step"),
    ("Velocity", "_velocity"),
]


class LossChart(QWidget):
    """Two plots: per-epoch train vs validation loss, and the loss of every step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Loss of"))
        self.head = QComboBox()
        for label, suffix in HEADS:
            self.head.addItem(label, suffix)
        self.head.currentIndexChanged.connect(self._redraw_epochs)
        row.addWidget(self.head)
        row.addStretch(1)
        layout.addLayout(row)
        self.epoch_plot = LinePlot("loss per epoch", "epoch")
        self.train_series = self.epoch_plot.add_series(Series("train", "#2b6cb0", markers=True))
        self.val_series = self.epoch_plot.add_series(Series("validation", "#dd6b20", markers=True))
        self.step_plot = LinePlot("loss per step", "step")
        self.step_series = self.step_plot.add_series(Series("", "#718096", width=1.0))
        layout.addWidget(self.epoch_plot, 3)
        layout.addWidget(self.step_plot, 2)
        self.clear()

    def clear(self) -> None:
        self.steps: list[int] = []
        self.step_losses: list[float] = []
        self.epochs: list[int] = []
        self.metrics: list[dict[str, Any]] = []
        self.step_plot.set_data(self.step_series, [], [])
        self._redraw_epochs()

    def add_step(self, step_index: int, loss: float) -> None:
        """A training step's loss (repaints are coalesced by Qt)."""
        self.steps.append(step_index)
        self.step_losses.append(loss)
        self.step_plot.set_data(self.step_series, self.steps, self.step_losses)

    def add_epoch(self, epoch: int, metrics: dict[str, Any]) -> None:
        self.epochs.append(epoch)
        self.metrics.append(dict(metrics))
        self._redraw_epochs()

    def series(self, suffix: str | None = None) -> tuple[list[float], list[float]]:
        """Train and validation losses per epoch for one head ('' = total)."""
        suffix = self.head.currentData() if suffix is None else suffix
        train = [float(m.get(f"loss{suffix}", float("nan"))) for m in self.metrics]
        val = [float(m.get(f"val_loss{suffix}", float("nan"))) for m in self.metrics]
        return train, val

    def _redraw_epochs(self) -> None:
        train, val = self.series()
        self.epoch_plot.set_data(self.train_series, self.epochs, train)
        self.epoch_plot.set_data(self.val_series, self.epochs, val)
