"""Compose panel: pick a model, settings and constraints, compose variations, see, hear and export
them; select bars and regenerate them (undoably); re-open earlier pieces from the History."""

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

from musicstudio.core.compose.composer import ComposeSettings, Composition, sections_from_markers
from musicstudio.core.compose.library import keep
from musicstudio.core.compose.regenerate import Regeneration
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.jobs.catalog import ComposeJob, PrepareJob
from musicstudio.core.jobs.errors import MusicStudioError
from musicstudio.core.music.corpus import CorpusSource
from musicstudio.core.music.midi import (
    MidiError,
    read_markers,
    read_midi,
    write_midi,
    write_musicxml,
)
from musicstudio.core.music.parts import PARTS
from musicstudio.gui.constraints_box import ConstraintsBox
from musicstudio.gui.history import History, about_kept, compositions_folder
from musicstudio.gui.jobs import JobHandle
from musicstudio.gui.regenerate_box import RegenerateBox, bars_words
from musicstudio.gui.session import Session
from musicstudio.gui.settings_form import SettingsForm
from musicstudio.gui.takes import Takes, no_tokens
from musicstudio.gui.transport import RollTransport
from musicstudio.gui.variation import Take, Variation
from musicstudio.gui.widgets.instruments import PartInstruments
from musicstudio.gui.widgets.piano_roll import PianoRoll

PRIMERS = [
    ("corpus", "A random passage the model learned from"),
    ("file", "Continue a MIDI file…"),
    ("none", "Nothing (start from silence)"),
]


class ComposePanel(QWidget):
    """Step 3: compose, listen, shape."""

    state_changed = Signal(str)

    def __init__(self, session: Session, player: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.job: JobHandle | None = None
        self.primer_file: str | None = None
        self.open_variations: list[Variation] = []
        self.composed = 0
        self._made_with: ComposeSettings | None = None  # the settings of the Compose running
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
        self.history.reopen.connect(self.open_kept)
        self.history.message.connect(self.session.message)

    def _build(self) -> None:
        root = QHBoxLayout(self)
        split = QSplitter()
        root.addWidget(split)
        left = QWidget()
        lv = QVBoxLayout(left)
        self.scroll = scroll = QScrollArea()  # many parts make the form taller than a window
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
        self.tempo_form = SettingsForm(ComposeSettings, ["include_primer", "tempo"], f, remembered)
        self.form = self.piece_form.widgets["form"]
        self.form.setPlaceholderText("corpus, none, or e.g. A A B A")
        self.length = self.piece_form.widgets["length"]
        self.length.setSpecialValueText("off (the form)")
        self.bars = self.piece_form.widgets["bars"]
        self.bars.setSpecialValueText("your files' length")
        self.bars.setSingleStep(1.0)
        self.minutes = self.piece_form.widgets["minutes"]
        self.minutes.setSpecialValueText("off")
        for w in (self.bars, self.minutes):
            w.valueChanged.connect(self._on_bars)
        self._on_bars()
        self.variations = self.piece_form.widgets["variations"]
        self.include_primer = self.tempo_form.widgets["include_primer"]
        self.tempo = self.tempo_form.widgets["tempo"]
        lv.addWidget(box)
        self.instruments = PartInstruments()
        lv.addWidget(self.instruments)
        self.constraints = ConstraintsBox(remembered)
        lv.addWidget(self.constraints)
        box = QGroupBox("Sampling")
        self.sampling_form = SettingsForm(
            SamplingSettings,
            ["temperature", "rhythm_temperature", "top_k", "top_p", "repetition_penalty", "seed"],
            QFormLayout(box),
            remembered,
        )
        w = self.sampling_form.widgets
        self.temperature, self.top_k, self.top_p = w["temperature"], w["top_k"], w["top_p"]
        self.penalty, self.seed = w["repetition_penalty"], w["seed"]
        self.rhythm = w["rhythm_temperature"]
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
        self.regenerate_box = RegenerateBox(remembered)
        lv.addWidget(self.regenerate_box)
        lv.addStretch(1)
        scroll.setMinimumWidth(
            left.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        )
        self.side = QTabWidget()
        self.side.addTab(scroll, "Settings")
        self.history = History(remembered)
        self.side.addTab(self.history, "History")
        split.addWidget(self.side)

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
        self.takes = Takes()
        self.addActions(self.takes.edit_actions())  # their keys work on this step without a menu
        rv.addWidget(self.takes)
        self.tabs = QTabWidget()
        placeholder = QLabel(
            "Compositions appear here as a piano roll.\nDrag one out of the window to save it"
            " as a .mid file; drag across its bar numbers to select bars to regenerate."
        )
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(placeholder, "—")
        rv.addWidget(self.tabs, 1)
        self.metrics = QLabel("")
        self.metrics.setWordWrap(True)
        self.metrics.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.metrics)
        split.addWidget(right)
        split.setSizes([340, 700])

        self.compose_button.clicked.connect(self.compose)
        self.cancel_button.clicked.connect(self.cancel)
        self.play_button.clicked.connect(self.play)
        self.stop_button.clicked.connect(self.stop)
        self.export_midi.clicked.connect(lambda: self.export("midi"))
        self.export_xml.clicked.connect(lambda: self.export("musicxml"))
        self.takes.regenerate_asked.connect(self.regenerate)
        self.tabs.currentChanged.connect(self._on_variation_shown)

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
        self._update_shaping()

    def _select_model(self, path: Path) -> None:
        i = self.model.findData(str(path))
        if i >= 0 and i != self.model.currentIndex():
            self.model.blockSignals(True)
            self.model.setCurrentIndex(i)
            self.model.blockSignals(False)
        self._update_shaping()

    def _on_model_combo(self, index: int) -> None:
        path = self.model.itemData(index)
        if path and Path(path) != self.session.current_model:
            self.session.select_model(Path(path))

    def show_parts(self, path: Path) -> None:
        """An instrument choice and a 'may play' check per part the model learned."""
        entry = self.session.model_entry(Path(path))
        if entry is None:
            self.instruments.set_parts([], [])
            self.constraints.set_parts([])
        else:
            self.instruments.set_parts(entry.parts, entry.programs)
            self.constraints.set_parts(entry.parts)
        self.show_tuning(entry.sampling if entry is not None else {})

    def show_tuning(self, tuned: dict[str, Any]) -> None:
        """Unset temperatures read "model's (0.65)": what the model was tuned to after training."""
        model = SamplingSettings().tuned(tuned)
        self.temperature.setSpecialValueText(f"model's ({model.temperature:g})")
        self.rhythm.setSpecialValueText(f"model's ({model.rhythm_temperature:g})")

    def prepare(self, path: Path) -> None:
        """Load and compile the model in the engine in the background (first Compose is then fast)."""
        if path.is_file() and not self.session.engine.busy_in(tensorflow=False):
            self.session.engine.submit(PrepareJob(str(path)), background=True)

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

    # -- composing -----------------------------------------------------------------------
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

    def _ready(self) -> str | None:
        """The model to use, or None after telling the user why nothing can start."""
        path = self.model.currentData()
        if not path:
            self.session.message.emit("Train a model (step 2) or open one first.")
            return None
        if self.session.engine.busy_in(tensorflow=False):  # training may run meanwhile
            self.session.message.emit("A composition is being made; wait or stop it first.")
            return None
        return str(path)

    def compose(self) -> None:
        path = self._ready()
        if path is None:
            return
        try:
            settings = self.settings()
        except (MusicStudioError, ValueError) as e:
            self.session.message.emit(str(e))
            return
        self._made_with = settings
        job = ComposeJob(path, settings, self._measure_against())
        self._start(job, self._on_result, "composing…")

    def _measure_against(self) -> CorpusSource | None:
        """The corpus pieces should sound like: the one open, else the primers in the model."""
        corpus = self.session.corpus
        return corpus.source if corpus is not None else None

    def _start(self, job: Any, on_result: Any, state: str) -> None:
        self.job = self.session.engine.submit(job).connect(
            self._on_progress, on_result, self._on_error, self._on_cancelled
        )
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.compose_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._update_shaping()
        self.state_changed.emit(state)

    def cancel(self) -> None:
        """Stop this Compose or Regenerate (a model preparation running before it goes on)."""
        if self.job is not None:
            self.job.cancel()

    def _done(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.compose_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self._update_shaping()

    def _on_progress(self, fraction: float, info: Any) -> None:
        self.progress.setRange(0, 1000)
        self.progress.setValue(int(fraction * 1000))

    def _on_error(self, message: str) -> None:
        self._done()
        self.state_changed.emit(self._composed_text())
        self.session.message.emit(message)

    def _on_cancelled(self) -> None:
        self._done()
        self.state_changed.emit(self._composed_text())

    def _keep(self, piece: Composition, settings: Any, model: str = "") -> Path | None:
        """Keep a piece in the user's data folder under a new name (nothing is overwritten)."""
        model = model or Path(str(self.model.currentData() or "model")).stem
        try:
            return keep(compositions_folder(), piece, settings, model)
        except OSError as e:
            self.session.message.emit(f"Could not keep the composition: {e.strerror or e}")
            return None

    def _on_result(self, pieces: Any) -> None:
        settings = self._made_with or self.settings()
        self._made_with = None
        self._done()
        self.stop()
        self._clear_variations()
        for i, piece in enumerate(pieces):
            self.composed += 1
            path = self._keep(piece, settings) or compositions_folder() / "unsaved.mid"
            self._add_variation(Take(piece, path), f"Variation {i + 1}")
        self.tabs.setCurrentIndex(0)
        self._on_variation_shown()
        self.history.refresh()
        self.session.set_compositions(self.pieces)
        self.state_changed.emit(self._composed_text())

    # -- variations ----------------------------------------------------------------------
    @property
    def pieces(self) -> list[Composition]:
        """The piece each variation shows now."""
        return [v.take.piece for v in self.open_variations]

    @property
    def files(self) -> list[Path]:
        """The file each variation's piece is kept in."""
        return [v.take.path for v in self.open_variations]

    def current_variation(self) -> Variation | None:
        roll = self.tabs.currentWidget()
        return next((v for v in self.open_variations if v.roll is roll), None)

    def _clear_variations(self) -> None:
        for v in self.open_variations:
            self.takes.remove(v)
            v.roll.deleteLater()
            v.deleteLater()
        self.open_variations = []
        self.tabs.clear()

    def _add_variation(self, take: Take, title: str) -> Variation:
        if not self.open_variations:
            self.tabs.clear()  # the placeholder
        roll = PianoRoll()
        variation = Variation(take, roll, self)
        self.takes.add(variation)
        roll.audible_changed.connect(self.transport.on_audible_changed)
        roll.selection_changed.connect(self._update_shaping)
        variation.changed.connect(lambda v=variation: self._on_take_changed(v))
        self.open_variations.append(variation)
        self.tabs.addTab(roll, title)
        for b in (self.play_button, self.stop_button, self.export_midi, self.export_xml):
            b.setEnabled(True)
        return variation

    def _on_variation_shown(self, _index: int = -1) -> None:
        v = self.current_variation()
        self.takes.show_variation(v)
        parts = v.roll.parts() if v is not None else []
        self.regenerate_box.set_parts([PARTS[p] for p in parts])
        self._update_shaping()
        self._show_metrics()

    def _on_take_changed(self, variation: Variation) -> None:
        if self.transport.active:
            self.stop()  # the music playing is not the piece shown any more
        if variation is self.current_variation():
            self._show_metrics()
            self._update_shaping()

    def _update_shaping(self) -> None:
        """Regenerate is possible with bars selected, a model, and no job running."""
        can_run = bool(self.model.currentData()) and self.job is None
        self.takes.show_selection(self.current_variation(), can_run)

    def _show_metrics(self) -> None:
        v = self.current_variation()
        if v is None:
            self.metrics.setText("")
            return
        take, piece = v.take, v.take.piece
        per_part = " · ".join(f"{n} {name}" for name, n in piece.notes.notes_per_part().items())
        if take.made:
            first = f"{len(piece.notes)} notes ({per_part}) · {take.made}"
        else:
            first = (
                f"{piece.events} events, {len(piece.notes)} notes ({per_part}),"
                f" composed in {piece.seconds:.2f} s, seed {piece.seed},"
                f" temperature {piece.temperatures[0]:g} / rhythm {piece.temperatures[1]:g}"
            )
        if piece.constraints:
            first += f" · obeys: {piece.constraints}"
        lines = [first]
        if piece.new_from > 0:
            bar = piece.notes.time_signature[0] * 4 / piece.notes.time_signature[1]
            lines.append(f"The primer, then new music from bar {int(piece.new_from // bar) + 1}")
        m = piece.metrics or {}
        if "longest_repeat" in m:
            lines.append(
                f"longest repeated note/chord run {m.get('longest_repeat')} (corpus: {m.get('corpus_longest_repeat')}) · "
                f"in key {m.get('key', '?')}: {m.get('in_key', 0):.0%} · copied 8-event phrases {m.get('copy_rate', 0):.0%} · "
                f"range {m.get('pitch_range')} semitones · polyphony {m.get('polyphony', 0):.1f}"
            )
        if m.get("closeness_words"):
            lines.append(f"Sounds {m['closeness_words']}")
        if piece.form or m.get("form_words"):
            form = f"Form {piece.form}" if piece.form else "Form"
            lines.append(form + (f" · {m['form_words']}" if m.get("form_words") else ""))
        if m.get("copies_words"):
            lines.append(f"{m['copies_words'][0].upper()}{m['copies_words'][1:]}")
        self.metrics.setText("<br>".join(lines))

    def _composed_text(self) -> str:
        n = self.composed
        return f"{n} composition" if n == 1 else f"{n} compositions"

    # -- regenerating --------------------------------------------------------------------
    def regenerate(self) -> None:
        """Compose the selected bars of the current variation again (in the engine)."""
        v = self.current_variation()
        bars = v.roll.selected_bars() if v is not None else None
        if v is None or bars is None:
            self.session.message.emit(
                "Select bars first: drag across the bar numbers above the piano roll."
            )
            return
        path = self._ready()
        if path is None:
            return
        try:
            settings = self.regenerate_box.settings(
                bars, self.sampling(), self.constraints.constraints()
            )
        except (MusicStudioError, ValueError) as e:
            self.session.message.emit(str(e))
            return
        linked = self.regenerate_box.linked.isChecked()
        job = self.takes.job(v, path, settings, self._measure_against(), linked)
        self._start(job, self._on_regenerated, f"regenerating {bars_words(*bars)}…")

    def _on_regenerated(self, result: Regeneration) -> None:
        self._done()
        if self.takes.apply(result, self._keep):
            self.history.refresh()
            self.state_changed.emit(self._composed_text())

    # -- history -------------------------------------------------------------------------
    def open_kept(self, path: Path) -> None:
        """Show a kept piece as a new variation (to play it, regenerate bars, export it)."""
        try:
            notes = read_midi(path)
            markers = read_markers(path)
        except MidiError as e:
            self.session.message.emit(f"Cannot open {path.name}: {e}")
            return
        about = about_kept(path)
        seed = about.get("seed")
        piece = Composition(
            no_tokens(),
            notes,
            no_tokens(),
            0.0,
            seed=int(seed) if isinstance(seed, int) else 0,
            constraints=str(about.get("constraints") or ""),
            sections=sections_from_markers(
                markers, float((notes.onset + notes.duration).max(initial=0.0))
            ),
            form=str(about.get("form") or ""),
        )
        made = f"opened from the History: {path.name}" + (
            f", seed {seed}" if seed is not None else ""
        )
        self._add_variation(Take(piece, path, made), path.stem)
        self.tabs.setCurrentIndex(self.tabs.count() - 1)
        self._on_variation_shown()

    # -- playback and export -------------------------------------------------------------
    def current_piece(self) -> tuple[Composition, Path] | None:
        v = self.current_variation()
        return (v.take.piece, v.take.path) if v is not None else None

    def play(self) -> None:
        """Play the current variation from the start (the parts its legend lets sound)."""
        v = self.current_variation()
        if v is not None:
            self.transport.play(v.roll, v.take.piece.notes, v.take.path)

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
                write_midi(dest, cur[0].notes, markers=cur[0].markers())
                if kind == "midi"
                else write_musicxml(dest, cur[0].notes)
            )
        except OSError as e:
            self.session.message.emit(f"Could not export to {dest}: {e.strerror or e}")
            return None
        self.session.settings.setValue("export_dir", str(Path(dest).parent))
        return out
