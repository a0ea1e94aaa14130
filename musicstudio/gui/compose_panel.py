"""Compose panel: pick a model and sampling settings, compose variations, see, hear and export them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.compose.composer import ComposeSettings
from musicstudio.core.compose.library import keep
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.jobs.catalog import ComposeJob, PrepareJob
from musicstudio.core.music.midi import write_midi, write_musicxml
from musicstudio.core.resources import user_data_dir
from musicstudio.gui.jobs import JobHandle
from musicstudio.gui.session import Session
from musicstudio.gui.settings_form import SettingsForm
from musicstudio.gui.transport import RollTransport
from musicstudio.gui.widgets.instruments import PartInstruments
from musicstudio.gui.widgets.piano_roll import PianoRoll

PRIMERS = [
    ("corpus", "A random passage the model learned from"),
    ("file", "Continue a MIDI file…"),
    ("none", "Nothing (start from silence)"),
]


class ComposePanel(QWidget):
    """Step 3: compose and listen."""

    state_changed = Signal(str)

    def __init__(self, session: Session, player: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.job: JobHandle | None = None
        self.primer_file: str | None = None
        self.pieces: list[Any] = []
        self.files: list[Path] = []
        self.composed = 0
        self.transport = RollTransport(player, self)
        self._build()
        session.models_changed.connect(self.fill_models)
        session.model_selected.connect(self._select_model)
        session.model_selected.connect(self.show_parts)
        session.model_selected.connect(self.prepare)
        from musicstudio.gui.persist import remember

        remember(
            session.settings,
            "compose",
            {
                "single_instrument": self.instruments.single,
                "single_program": self.instruments.single_program,
            },
        )
        self.transport.status.connect(self.play_status.setText)
        self.transport.failed.connect(self.session.message)

    def _build(self) -> None:
        root = QHBoxLayout(self)
        split = QSplitter()
        root.addWidget(split)
        left = QWidget()
        lv = QVBoxLayout(left)
        scroll = QScrollArea()  # many parts make the form taller than a small window
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        box = QGroupBox("Model")
        bf = QFormLayout(box)
        self.model = QComboBox()
        self.model.setMinimumContentsLength(18)
        self.model.currentIndexChanged.connect(self._on_model_combo)
        bf.addRow(self.model)
        lv.addWidget(box)
        box = QGroupBox("Composition")
        f = QFormLayout(box)
        remembered = self.session.settings
        self.piece_form = SettingsForm(ComposeSettings, ["length", "variations"], f, remembered)
        self.primer = QComboBox()
        for key, label in PRIMERS:
            self.primer.addItem(label, key)
        self.primer.activated.connect(self._on_primer)
        f.addRow("Primer", self.primer)
        self.tempo_form = SettingsForm(ComposeSettings, ["tempo"], f, remembered)
        self.length = self.piece_form.widgets["length"]
        self.variations = self.piece_form.widgets["variations"]
        self.tempo = self.tempo_form.widgets["tempo"]
        lv.addWidget(box)
        self.instruments = PartInstruments()
        lv.addWidget(self.instruments)
        box = QGroupBox("Sampling")
        self.sampling_form = SettingsForm(
            SamplingSettings,
            ["temperature", "top_k", "top_p", "repetition_penalty", "seed"],
            QFormLayout(box),
            remembered,
        )
        w = self.sampling_form.widgets
        self.temperature, self.top_k, self.top_p = w["temperature"], w["top_k"], w["top_p"]
        self.penalty, self.seed = w["repetition_penalty"], w["seed"]
        lv.addWidget(box)
        row = QHBoxLayout()
        self.compose_button = QPushButton("Compose")
        self.compose_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        row.addWidget(self.compose_button)
        row.addWidget(self.cancel_button)
        lv.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        lv.addWidget(self.progress)
        lv.addStretch(1)
        scroll.setMinimumWidth(
            left.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        )
        split.addWidget(scroll)

        right = QWidget()
        rv = QVBoxLayout(right)
        transport = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.stop_button = QPushButton("■ Stop")
        self.export_midi = QPushButton("Export MIDI…")
        self.export_xml = QPushButton("Export MusicXML…")
        for b in (self.play_button, self.stop_button, self.export_midi, self.export_xml):
            b.setEnabled(False)
            transport.addWidget(b)
        transport.addStretch(1)
        self.play_status = QLabel("")
        transport.addWidget(self.play_status)
        rv.addLayout(transport)
        self.tabs = QTabWidget()
        placeholder = QLabel(
            "Compositions appear here as a piano roll.\nDrag one out of the window to save it as a .mid file."
        )
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(placeholder, "—")
        rv.addWidget(self.tabs, 1)
        self.metrics = QLabel("")
        self.metrics.setWordWrap(True)
        self.metrics.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.metrics)
        split.addWidget(right)
        split.setSizes([320, 700])

        self.compose_button.clicked.connect(self.compose)
        self.cancel_button.clicked.connect(self.cancel)
        self.play_button.clicked.connect(self.play)
        self.stop_button.clicked.connect(self.stop)
        self.export_midi.clicked.connect(lambda: self.export("midi"))
        self.export_xml.clicked.connect(lambda: self.export("musicxml"))
        self.tabs.currentChanged.connect(self._show_metrics)

    # -- models --------------------------------------------------------------------------
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
        """An instrument choice per part the model learned, preset to the corpus's programs."""
        entry = self.session.model_entry(Path(path))
        if entry is None:
            self.instruments.set_parts([], [])
        else:
            self.instruments.set_parts(entry.parts, entry.programs)

    def prepare(self, path: Path) -> None:
        """Load and compile the model in the engine in the background (first Compose is then fast)."""
        if path.is_file() and not self.session.engine.busy_in(tensorflow=False):
            self.session.engine.submit(PrepareJob(str(path)), background=True)

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

    # -- composing -----------------------------------------------------------------------
    def settings(self) -> ComposeSettings:
        return ComposeSettings(
            **self.piece_form.values(),
            **self.tempo_form.values(),
            primer=self.primer.currentData(),
            primer_file=self.primer_file,
            programs=self.instruments.programs() or None,
            single_instrument=self.instruments.single.isChecked(),
            program=self.instruments.single_program.program(),
            sampling=SamplingSettings(**self.sampling_form.values()),
        )

    def compose(self) -> None:
        path = self.model.currentData()
        if not path:
            self.session.message.emit("Train a model (step 2) or open one first.")
            return
        if self.session.engine.busy_in(tensorflow=False):  # training may run meanwhile
            self.session.message.emit("A composition is being made; wait or stop it first.")
            return
        corpus = self.session.corpus
        job = ComposeJob(path, self.settings(), corpus.source if corpus is not None else None)
        self.job = self.session.engine.submit(job).connect(
            self._on_progress, self._on_result, self._on_error, self._on_cancelled
        )
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.compose_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.state_changed.emit("composing…")

    def cancel(self) -> None:
        """Stop this Compose (a model preparation running before it goes on)."""
        if self.job is not None:
            self.job.cancel()

    def _done(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.compose_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_progress(self, fraction: float, info: Any) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(fraction * 1000))

    def _on_error(self, message: str) -> None:
        self._done()
        self.state_changed.emit(f"{self.composed} compositions")
        self.session.message.emit(message)

    def _on_cancelled(self) -> None:
        self._done()
        self.state_changed.emit(f"{self.composed} compositions")

    def _on_result(self, pieces: Any) -> None:
        self._done()
        self.stop()
        self.pieces = list(pieces)
        out = user_data_dir() / "compositions"
        out.mkdir(parents=True, exist_ok=True)
        self.files = []
        self.tabs.clear()
        model = Path(str(self.model.currentData() or "model")).stem
        for i, piece in enumerate(self.pieces):
            self.composed += 1
            try:  # kept in the user's data folder under a new name: nothing is overwritten
                path = keep(out, piece, self.settings(), model)
            except OSError as e:
                self.session.message.emit(f"Could not keep the composition: {e.strerror or e}")
                path = out / "unsaved.mid"
            self.files.append(path)
            roll = PianoRoll()
            roll.set_notes(piece.notes)
            roll.set_midi_path(str(path))
            roll.audible_changed.connect(self.transport.on_audible_changed)
            self.tabs.addTab(roll, f"Variation {i + 1}")
        for b in (self.play_button, self.stop_button, self.export_midi, self.export_xml):
            b.setEnabled(bool(self.pieces))
        self._show_metrics()
        self.session.set_compositions(self.pieces)
        self.state_changed.emit(f"{self.composed} compositions")

    def _show_metrics(self) -> None:
        i = self.tabs.currentIndex()
        if not (0 <= i < len(self.pieces)):
            self.metrics.setText("")
            return
        piece = self.pieces[i]
        m = piece.metrics or {}
        per_part = " · ".join(f"{n} {name}" for name, n in piece.notes.notes_per_part().items())
        parts = [
            f"{piece.events} events, {len(piece.notes)} notes ({per_part}),"
            f" composed in {piece.seconds:.2f} s, seed {piece.seed}"
        ]
        if m:
            parts.append(
                f"longest repeated note/chord run {m.get('longest_repeat')} (corpus: {m.get('corpus_longest_repeat')}) · "
                f"in key {m.get('key', '?')}: {m.get('in_key', 0):.0%} · copied 8-event phrases {m.get('copy_rate', 0):.0%} · "
                f"range {m.get('pitch_range')} semitones · polyphony {m.get('polyphony', 0):.1f}"
            )
        self.metrics.setText("<br>".join(parts))

    # -- playback and export -------------------------------------------------------------
    def current_piece(self) -> tuple[Any, Path] | None:
        i = self.tabs.currentIndex()
        if 0 <= i < len(self.pieces):
            return self.pieces[i], self.files[i]
        return None

    def play(self) -> None:
        """Play the current variation from the start (the parts its legend lets sound)."""
        cur, roll = self.current_piece(), self.tabs.currentWidget()
        if cur is not None and isinstance(roll, PianoRoll):
            self.transport.play(roll, cur[0].notes, cur[1])

    def toggle_play(self) -> None:
        if self.transport.active:
            self.stop()
        else:
            self.play()

    def stop(self) -> None:
        self.transport.stop()

    def export(self, kind: str) -> None:
        cur = self.current_piece()
        if cur is None:
            return
        piece, _ = cur
        suffix, filt = (
            (".mid", "MIDI (*.mid)")
            if kind == "midi"
            else (".musicxml", "MusicXML (*.musicxml *.xml)")
        )
        start = str(
            Path(str(self.session.settings.value("export_dir", str(Path.home()))))
            / f"composition{suffix}"
        )
        dest, _ = QFileDialog.getSaveFileName(self, "Export", start, filt)
        if not dest:
            return
        self.export_to(dest, kind)

    def export_to(self, dest: str, kind: str) -> Path | None:
        cur = self.current_piece()
        if cur is None:
            return None
        try:
            out = (
                write_midi(dest, cur[0].notes)
                if kind == "midi"
                else write_musicxml(dest, cur[0].notes)
            )
        except OSError as e:
            self.session.message.emit(f"Could not export to {dest}: {e.strerror or e}")
            return None
        self.session.settings.setValue("export_dir", str(Path(dest).parent))
        return out
