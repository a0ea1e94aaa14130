"""The Compose step's settings column: the model, the piece, its instruments, locks and sampling,
and the parts a Regenerate composes again. It says what to compose; the panel composes it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.compose.composer import ComposeSettings
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle_info import Tuning
from musicstudio.gui.constraints_box import ConstraintsBox
from musicstudio.gui.persist import remember
from musicstudio.gui.regenerate_box import RegenerateBox
from musicstudio.gui.session import Session
from musicstudio.gui.settings_form import SettingsForm
from musicstudio.gui.widgets.instruments import PartInstruments

PRIMERS = [
    ("corpus", "A random passage the model learned from"),
    ("file", "Continue a MIDI file…"),
    ("none", "Nothing (start from silence)"),
]
SAMPLING = ["temperature", "rhythm_temperature", "top_k", "top_p", "repetition_penalty", "seed"]


class ComposeColumn(QWidget):
    """Every setting of a Compose, remembered between sessions; `settings()` reads them."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.primer_file: str | None = None
        remembered = session.settings
        column = QVBoxLayout(self)
        box = QGroupBox("Model")
        self.model = QComboBox()
        self.model.setMinimumContentsLength(18)
        self.model.currentIndexChanged.connect(self._on_model_combo)
        QFormLayout(box).addRow(self.model)
        column.addWidget(box)
        box = QGroupBox("Composition")
        f = QFormLayout(box)
        if remembered.value("ComposeSettings/form") is None:
            # Saved before pieces had form: a remembered number of events would turn it off.
            remembered.remove("ComposeSettings/length")
        self.piece_form = SettingsForm(
            ComposeSettings, ["form", "bars", "minutes", "length", "variations"], f, remembered
        )
        self.primer = QComboBox()
        for key, label in PRIMERS:
            self.primer.addItem(label, key)
        self.primer.activated.connect(self._on_primer)
        f.addRow("Primer", self.primer)
        self.tempo_form = SettingsForm(
            ComposeSettings, ["include_primer", "tempo", "feel", "lineup"], f, remembered
        )
        piece = self.piece_form
        self.form = piece.widget("form", QLineEdit)
        self.length = piece.widget("length", QSpinBox)
        self.bars = piece.widget("bars", QDoubleSpinBox)
        self.minutes = piece.widget("minutes", QDoubleSpinBox)
        self.variations = piece.widget("variations", QSpinBox)
        self.form.setPlaceholderText("corpus, none, or e.g. A A B(E minor) A")
        self.length.setSpecialValueText("off (the form)")
        self.bars.setSpecialValueText("your files' length")
        self.bars.setSingleStep(1.0)
        self.minutes.setSpecialValueText("off")
        for box_ in (self.bars, self.minutes):
            box_.valueChanged.connect(self._on_bars)
        self._on_bars()
        self.include_primer = self.tempo_form.widget("include_primer", QCheckBox)
        self.tempo = self.tempo_form.widget("tempo", QDoubleSpinBox)
        self.feel = self.tempo_form.widget("feel", QComboBox)
        column.addWidget(box)
        self.instruments = PartInstruments()
        column.addWidget(self.instruments)
        self.constraints = ConstraintsBox(remembered)
        column.addWidget(self.constraints)
        box = QGroupBox("Sampling")
        self.sampling_form = SettingsForm(SamplingSettings, SAMPLING, QFormLayout(box), remembered)
        sampling = self.sampling_form
        self.temperature = sampling.widget("temperature", QDoubleSpinBox)
        self.rhythm = sampling.widget("rhythm_temperature", QDoubleSpinBox)
        self.top_k = sampling.widget("top_k", QSpinBox)
        self.top_p = sampling.widget("top_p", QDoubleSpinBox)
        self.penalty = sampling.widget("repetition_penalty", QDoubleSpinBox)
        self.seed = sampling.widget("seed", QSpinBox)
        column.addWidget(box)
        self.regenerate_box = RegenerateBox(remembered)
        column.addWidget(self.regenerate_box)
        column.addStretch(1)
        remember(
            remembered,
            "compose",
            {
                "single_instrument": self.instruments.single,
                "single_program": self.instruments.single_program,
            },
        )
        session.models_changed.connect(self.fill_models)
        session.model_selected.connect(self._select_model)
        session.model_selected.connect(self.show_parts)

    # -- the model -----------------------------------------------------------------------
    def fill_models(self) -> None:
        current = self.session.current_model
        self.model.blockSignals(True)
        self.model.clear()
        for m in self.session.models:
            label = f"{m.name} · {m.family}{' (sample)' if m.sample else ''} · {m.epochs} epochs"
            self.model.addItem(label, str(m.path))
        self.model.blockSignals(False)
        if current is not None:
            self._select_model(current)
        elif self.model.count():
            self._on_model_combo(self.model.currentIndex())

    def _select_model(self, path: Path) -> None:
        i = self.model.findData(str(path))
        if i >= 0 and i != self.model.currentIndex():
            self.model.blockSignals(True)
            self.model.setCurrentIndex(i)
            self.model.blockSignals(False)

    def _on_model_combo(self, index: int) -> None:
        path = self.model.itemData(index)
        if path and Path(path) != self.session.current_model:
            self.session.select_model(Path(path))

    def show_parts(self, path: Path) -> None:
        """An instrument choice and a 'may play' check per part the model learned."""
        entry = self.session.model_entry(Path(path))
        if entry is None:
            self.instruments.set_voices([], [])
            self.constraints.set_parts([])
        else:
            self.instruments.set_voices(entry.voices, entry.programs)
            self.constraints.set_parts(entry.parts)
        self.show_tuning(entry.sampling if entry is not None else None)

    def show_tuning(self, tuned: Tuning | None) -> None:
        """Unset temperatures read "model's (0.65)": what the model was tuned to after training;
        an unset top-p "model's (0.9, pitches 0.98)" where its pitches' nucleus was widened."""
        model = SamplingSettings().tuned(tuned)
        self.temperature.setSpecialValueText(f"model's ({model.temperature:g})")
        self.rhythm.setSpecialValueText(f"model's ({model.rhythm_temperature:g})")
        pitches = f", pitches {model.pitch_top_p:g}" if model.pitch_top_p != model.top_p else ""
        self.top_p.setSpecialValueText(f"model's ({model.top_p:g}{pitches})")

    # -- the piece -----------------------------------------------------------------------
    def _on_bars(self) -> None:
        """Bars or minutes, when set, end the piece (not a number of events)."""
        unset = all(w.value() == w.minimum() for w in (self.bars, self.minutes))
        self.length.setEnabled(unset)

    def _on_primer(self) -> None:
        if self.primer.currentData() == "file":
            path, _ = QFileDialog.getOpenFileName(
                self, "A MIDI file to continue", str(Path.home()), "MIDI (*.mid *.midi *.kar)"
            )
            if path:
                self.set_primer_file(path)
            else:
                self.primer.setCurrentIndex(0)

    def set_primer_file(self, path: str) -> None:
        """Continue this file (from the dialog or a drop on the Compose panel)."""
        self.primer_file = path
        i = self.primer.findData("file")
        self.primer.setItemText(i, f"Continue {Path(path).name}")
        self.primer.setCurrentIndex(i)

    def sampling(self) -> SamplingSettings:
        return SamplingSettings(**self.sampling_form.values())

    def settings(self) -> ComposeSettings:
        """The Compose settings as set (raises a MusicStudioError for a value that is not one)."""
        return ComposeSettings(
            **self.piece_form.values(),
            **self.tempo_form.values(),
            primer=self.primer.currentData(),
            primer_file=self.primer_file,
            programs=self.instruments.programs() or None,
            single_instrument=self.instruments.single.isChecked(),
            program=self.instruments.single_program.program(),
            sampling=self.sampling(),
            constraints=self.constraints.constraints(),
        )
