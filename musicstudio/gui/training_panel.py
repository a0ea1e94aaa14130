"""Training panel: choose a model, train it in the engine, watch the loss, manage the model list."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.app.catalog import TrainJob
from musicstudio.core.base.progress import (
    EpochDone,
    Progress,
    Resumed,
    TrainingPlan,
    TrainingStep,
    TuningStep,
)
from musicstudio.core.base.resources import models_dir
from musicstudio.core.learn.checkpoints import run_dir_for
from musicstudio.core.learn.models.config import LSTMConfig, ModelConfig, WaveNetConfig
from musicstudio.core.learn.training import UNLIMITED_EPOCHS, TrainResult, TrainSettings
from musicstudio.core.music.corpus import Corpus
from musicstudio.core.music.vocab import STREAM_SIZES
from musicstudio.gui.jobs import JobHandle
from musicstudio.gui.model_list import ModelList
from musicstudio.gui.session import Session
from musicstudio.gui.settings_form import SettingsForm, label_of, widget_for
from musicstudio.gui.step_column import ActionBar, StepColumn, scrolled

NO_CORPUS = "Scan a dataset, then click Train."


class TrainingPanel(QWidget):
    """Step 2: learn from the dataset."""

    state_changed = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.job: JobHandle | None = None
        self.out_path: Path | None = None
        self.step_index = 0
        self._build()
        session.corpus_changed.connect(self._on_corpus)
        from musicstudio.gui.persist import remember

        remember(
            session.settings,
            "training",
            {
                "family": self.family,
                "channels": self.channels,
                "layers": self.wn_layers,
                "stacks": self.stacks,
                "units": self.units,
                "lstm_layers": self.ls_layers,
                "window": self.window_events,
                "dropout": self.dropout,
            },
        )
        self.update_estimate()

    def _build(self) -> None:
        from musicstudio.gui.widgets.loss_chart import LossChart

        root = QHBoxLayout(self)
        split = QSplitter()
        root.addWidget(split)
        left = QWidget()
        lv = QVBoxLayout(left)
        model_box = QGroupBox("Model")
        mf = QFormLayout(model_box)
        self.family = QComboBox()
        self.family.addItem("WaveNet — dilated causal convolutions", "wavenet")
        self.family.addItem("LSTM — recurrent", "lstm")
        self.family.setToolTip(
            "Both predict every next event of a window (pitch set, duration, step, velocity, part)"
        )
        mf.addRow("Family", self.family)
        self.stack = QStackedWidget()
        wavenet = QWidget()
        wf = QFormLayout(wavenet)
        wf.setContentsMargins(0, 0, 0, 0)
        # Ranges, steps, defaults and help as the configs declare them (validate reads them too).
        self.channels = widget_for(WaveNetConfig, "channels", QSpinBox)
        self.wn_layers = widget_for(WaveNetConfig, "layers", QSpinBox)
        self.stacks = widget_for(WaveNetConfig, "stacks", QSpinBox)
        for name, w in (
            ("channels", self.channels),
            ("layers", self.wn_layers),
            ("stacks", self.stacks),
        ):
            wf.addRow(label_of(WaveNetConfig, name), w)
        lstm = QWidget()
        lf = QFormLayout(lstm)
        lf.setContentsMargins(0, 0, 0, 0)
        self.units = widget_for(LSTMConfig, "units", QSpinBox)
        self.ls_layers = widget_for(LSTMConfig, "layers", QSpinBox)
        lf.addRow(label_of(LSTMConfig, "units"), self.units)
        lf.addRow(label_of(LSTMConfig, "layers"), self.ls_layers)
        self.stack.addWidget(wavenet)
        self.stack.addWidget(lstm)
        mf.addRow(self.stack)
        self.window_events = widget_for(WaveNetConfig, "window", QSpinBox)
        self.dropout = widget_for(WaveNetConfig, "dropout", QDoubleSpinBox)
        mf.addRow(label_of(WaveNetConfig, "window"), self.window_events)
        mf.addRow(label_of(WaveNetConfig, "dropout"), self.dropout)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        mf.addRow(self.estimate)
        lv.addWidget(model_box)

        run_box = QGroupBox("Training")
        self.train_form = SettingsForm(
            TrainSettings,
            [
                "minutes",
                "epochs",
                "patience",
                "batch_size",
                "learning_rate",
                "weight_decay",
                "label_smoothing",
                "lr_patience",
                "seed",
            ],
            QFormLayout(run_box),
            self.session.settings,
        )
        run = self.train_form
        self.epochs = run.widget("epochs", QSpinBox)
        self.minutes = run.widget("minutes", QDoubleSpinBox)
        self.batch = run.widget("batch_size", QSpinBox)
        self.seed = run.widget("seed", QSpinBox)
        # A time budget is what the user asked for: the epochs no longer limit training.
        self.minutes.valueChanged.connect(
            lambda v: self.epochs.setEnabled(v == self.minutes.minimum())
        )
        self.epochs.setEnabled(self.minutes.value() == self.minutes.minimum())
        lv.addWidget(run_box)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Train a model on the scanned dataset")
        self.stop_button = QPushButton("Stop")
        self.resume_button = QPushButton("Resume")
        self.stop_button.setEnabled(False)
        self.resume_button.setEnabled(False)
        lv.addStretch(1)
        self.scroll_area = scrolled(left)  # the form is taller than a small window
        self.action_bar = ActionBar(self.train_button, (self.stop_button, self.resume_button))
        split.addWidget(StepColumn(self.scroll_area, self.action_bar))

        right = QWidget()
        rv = QVBoxLayout(right)
        self.epoch_bar = QProgressBar()
        self.epoch_bar.setFormat("epoch %v / %m")
        self.step_bar = QProgressBar()
        self.step_bar.setFormat("step %v / %m")
        self.status = QLabel(NO_CORPUS)
        self.status.setWordWrap(True)
        self.plan = QLabel()  # the window, batch and validation of the run (TrainingPlan)
        self.plan.setWordWrap(True)
        rv.addWidget(self.epoch_bar)
        rv.addWidget(self.step_bar)
        rv.addWidget(self.status)
        rv.addWidget(self.plan)
        self.chart = LossChart()
        rv.addWidget(self.chart, 2)
        self.model_list = ModelList(self.session)
        rv.addWidget(self.model_list, 1)
        split.addWidget(right)
        split.setSizes([340, 660])

        self.family.currentIndexChanged.connect(self._on_family)
        for w in (
            self.channels,
            self.wn_layers,
            self.stacks,
            self.units,
            self.ls_layers,
            self.window_events,
        ):
            w.valueChanged.connect(self.update_estimate)
        self.train_button.clicked.connect(lambda: self.start(resume=False))
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        self.stop_button.clicked.connect(self.stop)

    # -- settings ----------------------------------------------------------------------
    def _on_family(self) -> None:
        fam = self.family.currentData()
        self.stack.setCurrentIndex(0 if fam == "wavenet" else 1)
        self.window_events.setValue(WaveNetConfig.window if fam == "wavenet" else LSTMConfig.window)
        self.update_estimate()

    def config(self) -> ModelConfig:
        if self.family.currentData() == "wavenet":
            return WaveNetConfig(
                window=self.window_events.value(),
                dropout=self.dropout.value(),
                channels=self.channels.value(),
                layers=self.wn_layers.value(),
                stacks=self.stacks.value(),
            )
        return LSTMConfig(
            window=self.window_events.value(),
            dropout=self.dropout.value(),
            units=self.units.value(),
            layers=self.ls_layers.value(),
        )

    def settings(self) -> TrainSettings:
        values = self.train_form.values()
        if values["minutes"] is not None:
            values["epochs"] = UNLIMITED_EPOCHS  # until the budget or early stopping
        return TrainSettings(**values)

    def update_estimate(self) -> None:
        config = self.config()
        corpus = self.session.corpus
        sizes = corpus.vocab.sizes if corpus is not None else {"pitch": 300, **STREAM_SIZES}
        params = config.parameter_count(sizes)  # type: ignore[attr-defined]
        note = "" if corpus is not None else " (for a 300-token vocabulary)"
        self.estimate.setText(
            f"{params:,} parameters{note}<br>receptive field: {config.receptive_field():,} events"
        )

    def _on_corpus(self, corpus: Corpus | None) -> None:
        self.update_estimate()
        if self.job is None:  # a run's own progress and outcome stay until it ends
            self.status.setText(ready_text(corpus))

    # -- running -----------------------------------------------------------------------
    def start(self, resume: bool = False) -> None:
        corpus = self.session.corpus
        if corpus is None:
            self.session.message.emit("Scan a dataset first (step 1).")
            return
        if self.session.engine.busy_in(tensorflow=True):
            self.session.message.emit("Another job is running; stop it first.")
            return
        settings = self.settings()
        config = self.config()
        if not resume or self.out_path is None:
            name = f"{config.family}-{_dt.datetime.now():%Y%m%d-%H%M%S}"
            self.out_path = models_dir() / f"{name}.msb"
            self.chart.clear()
            self.step_index = 0
        if corpus.source is None:
            self.session.message.emit("Scan the dataset again before training.")
            return
        # The engine reads the corpus from the scan cache: nothing large crosses to it.
        job = TrainJob(corpus.source, config, settings, str(self.out_path), resume)
        self.job = self.session.engine.submit(job).on(
            self._on_progress, self._on_result, self._on_error, self._on_cancelled
        )
        self.epoch_bar.setRange(0, settings.epochs if settings.minutes is None else 0)
        self.epoch_bar.setValue(0)
        self.step_bar.setValue(0)
        self.status.setText("Starting (TensorFlow loads in the background)…")
        self.plan.clear()
        self._running(True)
        self.state_changed.emit("training…")

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.status.setText("Stopping after this step…")

    def _running(self, on: bool) -> None:
        self.train_button.setEnabled(not on)
        self.stop_button.setEnabled(on)
        self.resume_button.setEnabled(
            not on and self.out_path is not None and run_dir_for(self.out_path).exists()
        )

    def _on_progress(self, fraction: float, event: Progress) -> None:
        if isinstance(event, TrainingStep):
            if self.epoch_bar.maximum() > 0:
                self.epoch_bar.setValue(event.epoch - 1)
            self.step_bar.setRange(0, event.steps)
            self.step_bar.setValue(event.step)
            eta = int(event.eta)
            of = f"/{event.epochs}" if event.epochs < UNLIMITED_EPOCHS else ""
            self.status.setText(
                f"epoch {event.epoch}{of} · loss {event.loss:.3f} · "
                f"{event.targets_per_second:,.0f} targets/s · ETA {eta // 60}:{eta % 60:02d}"
            )
            self.step_index += 1
            self.chart.add_step(self.step_index, event.loss)
        elif isinstance(event, EpochDone):
            if self.epoch_bar.maximum() > 0:
                self.epoch_bar.setValue(event.epoch)
            self.chart.add_epoch(event.epoch, event.metrics)
            self.state_changed.emit(f"trained {event.epoch} epochs")
        elif isinstance(event, Resumed):
            self.status.setText(event.message)
        elif isinstance(event, TrainingPlan):
            self.plan.setText(f"{event.message[0].upper()}{event.message[1:]}.")
        elif isinstance(event, TuningStep):
            self.status.setText(
                f"Trained. Tuning sampling to your corpus ({event.done}/{event.total})…"
            )

    def _on_result(self, result: TrainResult) -> None:
        self._running(False)
        self.job = None
        loss = result.best_val_loss
        self.status.setText(
            f"{result.why_stopped[0].upper()}{result.why_stopped[1:]}"
            f" (val loss {loss if loss is not None else float('nan'):.3f},"
            f" {result.targets_per_second:,.0f} targets/s)"
            + (f". {result.tuned[0].upper()}{result.tuned[1:]}." if result.tuned else "")
        )
        self.state_changed.emit(f"trained {result.epochs} epochs")
        self.session.refresh_models()
        if result.bundle is not None:
            self.session.select_model(Path(result.bundle))

    def _on_error(self, message: str) -> None:
        self._running(False)
        self.job = None
        self.status.setText("Training failed.")
        self.session.message.emit(message)

    def _on_cancelled(self) -> None:
        self._running(False)
        self.job = None
        self.status.setText("Stopped before the first epoch finished: nothing to keep.")
        self.state_changed.emit("stopped")


def ready_text(corpus: Corpus | None) -> str:
    """What the Training step will learn from: 'Ready to train on 12 files (8,204 events) of band.'"""
    if corpus is None or corpus.source is None:
        return NO_CORPUS
    paths = corpus.source.paths
    one = len(paths) == 1
    where = (Path(paths[0]).name or paths[0]) if one else f"{len(paths)} folders and files"
    files, events = corpus.stats["ok"], corpus.stats["events"]
    if not files:
        return f"Nothing in {where} can be learned: see the Dataset step."
    noun = "file" if files == 1 else "files"
    return f"Ready to train on {files:,} {noun} ({events:,} events) of {where}."
