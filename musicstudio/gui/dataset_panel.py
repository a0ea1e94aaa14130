"""Dataset panel: drop a folder, watch the scan, read the summary, set the rare-token threshold."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.base.resources import sample_corpus_dir
from musicstudio.core.music.constants import DEFAULT_THRESHOLD
from musicstudio.core.music.corpus import Corpus, ScanOptions
from musicstudio.core.music.form_profile import CorpusForm
from musicstudio.core.music.parts import DRUMS, PART_LABELS, PARTS
from musicstudio.core.music.recall import Recall
from musicstudio.gui.corpus_view import summary_html
from musicstudio.gui.file_list import FileList
from musicstudio.gui.jobs import ScanThread
from musicstudio.gui.player import QtMidiPlayer
from musicstudio.gui.session import Session
from musicstudio.gui.settings_form import label_of, widget_for
from musicstudio.gui.step_column import ActionBar

#: The parts filter: label and ScanOptions.parts (None: every part, drums too).
PART_CHOICES: list[tuple[str, tuple[int, ...] | None]] = [
    ("All parts (with drums)", None),
    ("All but drums", tuple(p for p in range(len(PARTS)) if p != DRUMS)),
    *((f"{label} only", (i,)) for i, label in enumerate(PART_LABELS)),
]


class DatasetPanel(QWidget):
    """Step 1: the MIDI files to learn from: a folder's scan, its summary and its vocabulary."""

    state_changed = Signal(str)
    scan_ended = Signal()  # no scan runs any more (done, forms found, failed or cancelled)

    def __init__(
        self, session: Session, player: QtMidiPlayer | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.scan_thread: ScanThread | None = None
        self.paths: list[str] = []
        self._build()
        from musicstudio.gui.persist import remember

        remember(
            session.settings,
            "dataset",
            {
                "parts": self.parts,
                "transpose": self.transpose,
                "normalize": self.normalize,
            },
        )

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        from musicstudio.gui.widgets.histogram import TokenHistogram

        root = QVBoxLayout(self)
        self.drop_hint = QLabel(
            "Drop a folder of MIDI files anywhere on this window\n"
            "or open one — or start with the Bach chorales that come with MusicStudio."
        )
        self.drop_hint.setObjectName("dropTarget")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setMinimumHeight(90)
        self.drop_hint.setStyleSheet(
            "#dropTarget { border: 2px dashed #8a94a6; border-radius: 10px;"
            " color: #4a5568; font-size: 15px; padding: 12px; }"
        )
        root.addWidget(self.drop_hint)

        self.open_button = QPushButton("Open folder…")
        self.open_button.setToolTip("Scan a folder of MIDI files")
        self.open_button.clicked.connect(self.choose_folder)
        self.sample_button = QPushButton("Use sample corpus")
        self.sample_button.setToolTip(
            "Bach chorales from music21's corpus, shipped with MusicStudio"
        )
        self.sample_button.clicked.connect(self.use_sample)
        self.sample_button.setEnabled(sample_corpus_dir() is not None)
        self.folder_label = QLabel("")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.action_bar = ActionBar(self.open_button, (self.sample_button, self.folder_label))
        root.addWidget(self.action_bar)

        options = QGroupBox("What to learn")
        form = QHBoxLayout(options)
        self.parts = QComboBox()
        for label, parts in PART_CHOICES:
            self.parts.addItem(label, parts)
        self.parts.setToolTip(
            "Which parts of the band to learn. A track's part comes from its General MIDI"
            " instrument (channel 10 is drums)"
        )
        # Ranges, units, labels and help as ScanOptions declares them (one source with the CLI).
        self.transpose = widget_for(ScanOptions, "transpose", QSpinBox)
        self.normalize = widget_for(ScanOptions, "normalize_key", QCheckBox)
        self.threshold = widget_for(ScanOptions, "threshold", QSpinBox)
        stored = self.session.settings.value("threshold", DEFAULT_THRESHOLD)
        self.threshold.setValue(int(str(stored)))  # an int, or its text from an ini file
        form.addWidget(QLabel("Parts"))
        form.addWidget(self.parts)
        form.addWidget(QLabel(label_of(ScanOptions, "transpose")))
        form.addWidget(self.transpose)
        form.addWidget(self.normalize)
        form.addStretch(1)
        form.addWidget(QLabel(label_of(ScanOptions, "threshold")))
        form.addWidget(self.threshold)
        root.addWidget(options)
        for w in (self.parts, self.transpose):
            w.currentIndexChanged.connect(self.rescan) if isinstance(
                w, QComboBox
            ) else w.valueChanged.connect(self.rescan)
        self.normalize.toggled.connect(self.rescan)
        self.threshold.valueChanged.connect(self.apply_threshold)

        bar = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m files")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.cancel_button)
        root.addLayout(bar)

        split = QSplitter()
        self.files = FileList(self.session, self.player, self.options)
        # The list's parts, reached through the panel (by tests and the screenshot script).
        self.table, self.table_model, self.proxy = (
            self.files.table,
            self.files.table_model,
            self.files.proxy,
        )
        self.problems_only = self.files.problems_only
        self.play_button, self.play_status = self.files.play_button, self.files.play_status
        split.addWidget(self.files)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("No files yet.")
        self.summary.setWordWrap(True)
        self.summary.setToolTip(
            "Note recall: the share of notes that come back from the events the model learns"
            " with the same onset, pitch, part and duration (velocity within one step).\n"
            "Onset and pitch only: the looser measure used before parts."
        )
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        rv.addWidget(self.summary)
        self.histogram = TokenHistogram()
        rv.addWidget(self.histogram, 1)
        split.addWidget(right)
        split.setSizes([520, 480])
        root.addWidget(split, 1)

    # -- actions -------------------------------------------------------------------------
    def options(self) -> ScanOptions:
        return ScanOptions(
            parts=self.parts.currentData(),
            threshold=self.threshold.value(),
            transpose=self.transpose.value(),
            normalize_key=self.normalize.isChecked(),
        )

    def choose_folder(self) -> None:
        start = (self.session.recent("recent_folders") or [str(Path.home())])[0]
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of MIDI files", start)
        if folder:
            self.load([folder])

    def use_sample(self) -> None:
        d = sample_corpus_dir()
        if d is not None:
            self.load([str(d)])

    def load(self, paths: list[str]) -> None:
        """Scan folders or files (from a drop, the dialog or the recent list)."""
        self.paths = list(paths)
        if len(paths) == 1 and Path(paths[0]).is_dir():
            self.session.remember("recent_folders", str(Path(paths[0]).resolve()))
            self.session.settings.setValue("last_folder", str(Path(paths[0]).resolve()))
        self.folder_label.setText(", ".join(str(p) for p in paths)[:200])
        self.rescan()

    def rescan(self) -> None:
        if not self.paths:
            return
        if self.scan_thread is not None:
            self.scan_thread.cancel()
            self.scan_thread.wait(5000)
        self.table_model.clear()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.summary.setText("Scanning…")
        self.state_changed.emit("scanning…")
        t = ScanThread(self.paths, self.options(), self)
        t.files.connect(self.table_model.append)
        t.progress.connect(self._on_progress)
        t.done.connect(self._on_done)
        t.formed.connect(self._on_formed)
        t.failed_form.connect(self._on_form_failed)
        t.failed.connect(self._on_failed)
        t.cancelled.connect(self._on_cancelled)
        self.scan_thread = t
        t.start()

    def cancel(self) -> None:
        if self.scan_thread is not None:
            self.scan_thread.cancel()

    def _finish(self, forms_to_come: bool = False) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        if not forms_to_come:  # else the thread still finds the forms (and may be cancelled)
            self._ended()

    def _ended(self) -> None:
        self.scan_thread = None
        self.scan_ended.emit()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.session.set_corpus(None)  # the files listed are gone: nothing to train on
        self.summary.setText(f"<b>Could not scan:</b> {message}")
        self.state_changed.emit("no files")
        self.session.message.emit(message)

    def _on_cancelled(self) -> None:
        self._finish()
        self.session.set_corpus(None)
        self.summary.setText("Scan cancelled.")
        self.state_changed.emit("cancelled")

    def _on_done(self, corpus: Corpus) -> None:
        self._finish(forms_to_come=bool(corpus.streams))
        self.files.sort_as_shown()
        self.drop_hint.setVisible(False)
        self.session.set_corpus(corpus)
        self._show(corpus)
        if corpus.streams:
            self.state_changed.emit(f"{corpus.stats['ok']:,} files · finding their forms…")

    def _on_formed(self, form: CorpusForm) -> None:
        """Each file's form, found after the scan: the Form column and the summary's words."""
        if self.sender() is not self.scan_thread:
            return  # a scan since replaced
        self._ended()
        if self.session.corpus is None:
            return
        # quietly: the corpus's files and vocabulary are the same (Train need not hear of it)
        self.session.corpus = replace(self.session.corpus, form=form)
        self._show(self.session.corpus)

    def _on_form_failed(self, message: str) -> None:
        if self.sender() is self.scan_thread:
            self._ended()
            self.state_changed.emit(f"forms not found: {message}")

    def apply_threshold(self, value: int) -> None:
        self.session.settings.setValue("threshold", value)
        if self.session.corpus is None:
            return
        corpus = self.session.corpus.with_threshold(value)
        self.session.set_corpus(corpus)
        self._show(corpus)

    def _show(self, corpus: Corpus) -> None:
        s = corpus.stats
        self.summary.setText(summary_html(s, corpus.form.profile if corpus.form else None))
        if corpus.form is not None:
            self.table_model.set_forms(corpus.form.forms)
        self.histogram.set_counts(corpus.vocab.histogram())
        self.histogram.set_threshold(corpus.vocab.threshold)
        self.state_changed.emit(f"{s['ok']:,} files")

    # -- the file list's actions, through the panel ---------------------------------------------
    def selected_path(self) -> str | None:
        """The file selected in the table."""
        return self.files.selected_path()

    def context_menu(self) -> QMenu:
        """The table's right-click menu for the selected file."""
        return self.files.context_menu()

    def play_as_learned(self, path: str | None = None) -> Recall | None:
        """Play a file (default: the selected one) as the model learns it."""
        return self.files.play_as_learned(path)

    def stop_playing(self) -> None:
        """Stop the file the list plays."""
        self.files.stop_playing()
