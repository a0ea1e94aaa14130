"""Live training curves: train/validation loss per epoch for a chosen head, and loss per step."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from musicstudio.gui.widgets.charts import ChartWidget, HoverReadout, nearest

#: Combo label -> metric-name suffix (Keras names them loss, loss_pitch, val_loss_pitch, ...).
HEADS = {
    "Total": "",
    "Pitch": "_pitch",
    "Duration": "_duration",
    "Step": "_step",
    "Velocity": "_velocity",
    "Voice": "_voice",
}
TRAIN_COLOR, VAL_COLOR, STEP_COLOR, SMOOTH_COLOR = "#2b6cb0", "#dd6b20", "#b4bccb", "#2c5282"
REDRAW_MS = 100  # step curve repaints at most ten times a second
SMOOTHING = 0.95  # exponential moving average over steps
SMOOTH_FROM = 20  # the average needs a few steps to mean anything
MARKERS_UP_TO = 40  # epochs: beyond this, circles on the curves only clutter them


def _curve(chart: ChartWidget, name: str, color: str, width: float) -> pg.PlotDataItem:
    return chart.plot(
        [], [], name=name, pen=pg.mkPen(color, width=width), antialias=True, connect="finite"
    )


class LossChart(QWidget):
    """Two plots: per-epoch train vs validation loss of one head, and the loss of every step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.head_combo = QComboBox()
        self.head_combo.addItems(list(HEADS))
        self.head_combo.setToolTip("Which output's loss to plot per epoch (Total is their sum)")
        self.head_combo.currentIndexChanged.connect(self._redraw_epochs)
        self.readout = QLabel()
        self.readout.setStyleSheet("color: #4a5568;")
        row = QHBoxLayout()
        row.addWidget(QLabel("Loss of"))
        row.addWidget(self.head_combo)
        row.addSpacing(12)
        row.addWidget(self.readout, 1)
        self.epoch_plot = ChartWidget("Loss per epoch", "epoch", integer_x=True)
        self.train_line = _curve(self.epoch_plot, "train", TRAIN_COLOR, 2.0)
        self.val_line = _curve(self.epoch_plot, "validation", VAL_COLOR, 2.0)
        self.epoch_hover = HoverReadout(self.epoch_plot, self._describe_epoch)
        self.step_plot = ChartWidget("Loss per step (total)", "step")
        self.step_plot.getPlotItem().setClipToView(True)
        self.step_plot.getPlotItem().setDownsampling(auto=True, mode="peak")
        self.step_line = _curve(self.step_plot, "each step", STEP_COLOR, 1.0)
        self.smooth_line = _curve(self.step_plot, "smoothed", SMOOTH_COLOR, 2.0)
        self.step_hover = HoverReadout(self.step_plot, self._describe_step)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.epoch_plot, 3)
        layout.addWidget(self.step_plot, 2)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.flush)
        self.clear()

    # -- feeding ------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every point (a new training run)."""
        self._steps = np.zeros(1024)
        self._losses = np.zeros(1024)
        self._smooth = np.zeros(1024)
        self._n = 0
        self._epochs: list[int] = []
        self._metrics: list[dict[str, float]] = []
        self._timer.stop()
        self.flush()
        self._redraw_epochs()
        self.epoch_plot.fit()
        self.step_plot.fit()

    def add_step(self, step_index: int, loss: float) -> None:
        """One training step's loss; repaints are batched so thousands of steps stay cheap."""
        if self._n == self._steps.size:
            self._steps, self._losses, self._smooth = (
                np.resize(a, 2 * a.size) for a in (self._steps, self._losses, self._smooth)
            )
        loss = float(loss)
        prev = self._smooth[self._n - 1] if self._n else loss
        smooth = prev if not math.isfinite(loss) else SMOOTHING * prev + (1 - SMOOTHING) * loss
        self._steps[self._n], self._losses[self._n], self._smooth[self._n] = (
            step_index,
            loss,
            smooth,
        )
        self._n += 1
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Push pending steps to the plot now (the timer does this on its own)."""
        n = self._n
        self.step_line.setData(self._steps[:n], self._losses[:n])
        self.smooth_line.setData(self._steps[SMOOTH_FROM:n], self._smooth[SMOOTH_FROM:n])
        self.step_plot.set_empty("" if n else "and here after every training step")

    def add_epoch(self, epoch: int, metrics: Mapping[str, float]) -> None:
        """An epoch's Keras-style metrics: loss, val_loss, loss_pitch, val_loss_pitch, ..."""
        self._epochs.append(int(epoch))
        self._metrics.append({k: float(v) for k, v in metrics.items() if _is_number(v)})
        self._redraw_epochs()

    # -- reading ------------------------------------------------------------------------------
    def set_head(self, head: str) -> None:
        """Show one head's loss per epoch: Total, Pitch, Duration, Step, Velocity or Part."""
        index = self.head_combo.findText(head.capitalize())
        if index < 0:
            raise ValueError(f"unknown head {head!r}; one of {', '.join(HEADS)}")
        self.head_combo.setCurrentIndex(index)

    def head(self) -> str:
        """The head shown per epoch."""
        return self.head_combo.currentText()

    def epoch_series(self, head: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Epochs, train losses and validation losses (NaN where missing) of one head."""
        suffix = HEADS[(head or self.head()).capitalize()]
        train = [m.get(f"loss{suffix}", math.nan) for m in self._metrics]
        val = [m.get(f"val_loss{suffix}", math.nan) for m in self._metrics]
        return np.array(self._epochs, float), np.array(train, float), np.array(val, float)

    def step_series(self) -> tuple[np.ndarray, np.ndarray]:
        """Every step index and loss received since the last clear()."""
        return self._steps[: self._n].copy(), self._losses[: self._n].copy()

    # -- drawing ------------------------------------------------------------------------------
    def _redraw_epochs(self) -> None:
        epochs, train, val = self.epoch_series()
        markers = epochs.size <= MARKERS_UP_TO
        for line, values, color in (
            (self.train_line, train, TRAIN_COLOR),
            (self.val_line, val, VAL_COLOR),
        ):
            ok = np.isfinite(values)  # a run without validation draws no validation curve
            line.setData(epochs[ok], values[ok])
            line.setSymbol("o" if markers else None)
            line.setSymbolSize(7)
            line.setSymbolPen(pg.mkPen(color, width=1.8))
            line.setSymbolBrush(pg.mkBrush("#ffffff"))
        if not self._metrics:
            self.epoch_plot.set_empty("The loss appears here after each epoch of training")
        elif not (np.isfinite(train).any() or np.isfinite(val).any()):
            self.epoch_plot.set_empty(f"No {self.head().lower()} loss in this run")
        else:
            self.epoch_plot.set_empty("")
        self.readout.setText(_summary(epochs, train, val))

    def _describe_epoch(self, x: float) -> tuple[float, str] | None:
        epochs, train, val = self.epoch_series()
        i = nearest(epochs, x)
        if i is None:
            return None
        parts = [f"epoch {int(epochs[i])}"]
        parts += [
            f"{name} {v[i]:.3f}"
            for name, v in (("train", train), ("validation", val))
            if math.isfinite(v[i])
        ]
        return float(epochs[i]), " · ".join(parts)

    def _describe_step(self, x: float) -> tuple[float, str] | None:
        steps = self._steps[: self._n]
        i = nearest(steps, x)
        if i is None:
            return None
        text = f"step {int(steps[i])} · loss {self._losses[i]:.3f}"
        if i >= SMOOTH_FROM:
            text += f" · smoothed {self._smooth[i]:.3f}"
        return float(steps[i]), text


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.floating | np.integer) and not isinstance(v, bool)


def _summary(epochs: np.ndarray, train: np.ndarray, val: np.ndarray) -> str:
    """'epoch 5: train 2.310 · validation 2.450 · best validation 2.400 (epoch 4)'."""
    if not epochs.size:
        return ""
    parts = [f"epoch {int(epochs[-1])}:"]
    if math.isfinite(train[-1]):
        parts.append(f"train {train[-1]:.3f}")
    if math.isfinite(val[-1]):
        parts.append(f"· validation {val[-1]:.3f}")
    if np.isfinite(val).sum() > 1:
        best = int(np.nanargmin(val))
        parts.append(f"· best validation {val[best]:.3f} (epoch {int(epochs[best])})")
    return " ".join(parts)
