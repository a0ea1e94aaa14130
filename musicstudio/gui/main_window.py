"""The main window: three steps as tabs (Dataset → Training → Compose), menus, drops, errors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from musicstudio import __version__
from musicstudio.core.music.corpus import MIDI_SUFFIXES
from musicstudio.gui import window_geometry
from musicstudio.gui.compose_panel import ComposePanel
from musicstudio.gui.dataset_panel import DatasetPanel
from musicstudio.gui.file_export import AUDIO, FileExport
from musicstudio.gui.output_menu import OutputMenu
from musicstudio.gui.player import QtMidiPlayer
from musicstudio.gui.session import Session
from musicstudio.gui.step_column import RUN_KEYS
from musicstudio.gui.training_panel import TrainingPanel
from musicstudio.gui.wheel_guard import WheelGuard

log = logging.getLogger("musicstudio")
STEPS = ("Dataset", "Training", "Compose")


class ErrorBanner(QWidget):
    """A readable, dismissable message at the top of the window (never a silent failure)."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("Dismiss")
        close.clicked.connect(self.hide)
        row.addWidget(self.text, 1)
        row.addWidget(close)
        self.setStyleSheet(
            "ErrorBanner { background: #fde2e1; border: 1px solid #e5a09c; border-radius: 6px; }"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.hide()

    def show_message(self, message: str) -> None:
        first = message.strip().splitlines()[0] if message.strip() else "Something went wrong."
        self.text.setText(first)
        self.text.setToolTip(message)
        self.show()


#: TensorFlow starts loading this long after the window shows, unless a scan runs then (it
#: starts when the scan ends): a folder dropped at launch is scanned first.
TENSORFLOW_AFTER_MS = 3000


class MainWindow(QMainWindow):
    """Dataset → Training → Compose."""

    def __init__(
        self, settings: QSettings | None = None, player: QtMidiPlayer | None = None
    ) -> None:
        super().__init__()
        from musicstudio.gui.player import QtMidiPlayer

        self.settings = settings or QSettings()
        WheelGuard.install(QApplication.instance())  # type: ignore[arg-type]
        self.session = Session(self.settings, self)
        self.player = player or QtMidiPlayer(self)
        self.setWindowTitle("MusicStudio")
        self.setAcceptDrops(True)
        central = QWidget()
        layout = QVBoxLayout(central)
        self.banner = ErrorBanner()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.dataset = DatasetPanel(self.session, self.player)
        self.training = TrainingPanel(self.session)
        self.compose = ComposePanel(self.session, self.player)
        steps: tuple[DatasetPanel | TrainingPanel | ComposePanel, ...] = (
            self.dataset,
            self.training,
            self.compose,
        )
        for i, (panel, step) in enumerate(zip(steps, STEPS, strict=True)):
            self.tabs.addTab(panel, f"{i + 1}  {step}")
            panel.state_changed.connect(lambda text, i=i: self.set_step_state(i, text))
        layout.addWidget(self.tabs, 1)
        self.tabs.currentChanged.connect(self._on_step_shown)
        self.setCentralWidget(central)
        self.session.message.connect(self.show_error)
        self.session.model_selected.connect(
            lambda p: self.statusBar().showMessage(f"Model: {Path(p).name}", 5000)
        )
        self.statusBar().showMessage("TensorFlow is loading in the background…")
        self.session.engine.loaded.connect(lambda: self.statusBar().showMessage("Ready", 3000))
        self.session.engine.unavailable.connect(self.show_error)  # never a silent "Ready"
        self._menus()
        self._on_step_shown()
        window_geometry.restore(self, self.settings)
        self.session.refresh_models()
        self.set_step_state(0, "no files")
        self.set_step_state(
            2, f"{len(self.session.models)} models ready" if self.session.models else "no model"
        )
        self._closed = False
        QTimer.singleShot(0, self._start_engines)
        self.dataset.scan_ended.connect(self._load_tensorflow)

    def _start_engines(self) -> None:
        if not self._closed:  # a window closed before its event loop ran starts nothing
            self.session.engine.start(tensorflow=False)
            QTimer.singleShot(TENSORFLOW_AFTER_MS, self._load_tensorflow)

    def _load_tensorflow(self) -> None:
        """TensorFlow's import (seconds of a core) waits for a scan: on two cores, a folder
        dropped at launch scanned half as fast beside it (benchmarks/scan_window.py). Train
        starts it at once all the same (submit starts its process)."""
        if not self._closed and self.dataset.scan_thread is None:
            self.session.engine.start_tensorflow()

    # -- menus -------------------------------------------------------------------------------
    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.act_open = self._action(
            file, "&Open folder…", self.dataset.choose_folder, QKeySequence.StandardKey.Open
        )
        self._action(file, "Use &sample corpus", self.dataset.use_sample)
        self.recent_folders = file.addMenu("Recent folders")
        self.recent_folders.aboutToShow.connect(
            lambda: self._fill_recent(self.recent_folders, "recent_folders")
        )
        file.addSeparator()
        self._action(file, "Open &model…", self.training.model_list.choose_model, "Ctrl+Shift+O")
        self._action(file, "Save model &as…", self.training.model_list.save_model_as)
        self.recent_models = file.addMenu("Recent models")
        self.recent_models.aboutToShow.connect(
            lambda: self._fill_recent(self.recent_models, "recent_models")
        )
        file.addSeparator()
        self._action(file, "Export &MIDI…", lambda: self.compose.export("midi"), "Ctrl+E")
        self._action(
            file, "Export Music&XML…", lambda: self.compose.export("musicxml"), "Ctrl+Shift+E"
        )
        self.audio_export = FileExport(self.session, self.compose.current_piece, AUDIO, self)
        for export in (self.audio_export, self.compose.xml_export):
            export.message.connect(self.statusBar().showMessage)
            export.failed.connect(self.show_error)
        self.act_export_audio = self._action(
            file, "Export &audio (WAV)…", lambda: self.audio_export.ask(self), "Ctrl+Alt+E"
        )
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")  # undo / redo per variation, regenerate the selected bars
        edit.addActions(self.compose.takes.edit_actions())
        # Ctrl+Enter: the step's main button (Open folder…, Train, Compose); its tooltip says so.
        self.act_run = QAction("Run this step", self)
        self.act_run.setShortcuts([QKeySequence(k) for k in RUN_KEYS])
        self.act_run.triggered.connect(self.run_step)
        self.addAction(self.act_run)
        play = bar.addMenu("&Playback")
        self.act_play = self._action(play, "Play / Stop", self.compose.toggle_play, "Space")
        self.act_play.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.output_menu = OutputMenu(self.player, self.settings, play)  # built-in or MIDI out
        self.output_menu.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        play.addMenu(self.output_menu)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About MusicStudio", self.about)

    def _action(self, menu: Any, text: str, slot: Any, shortcut: Any = None) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _fill_recent(self, menu: Any, key: str) -> None:
        menu.clear()
        items = self.session.recent(key)
        if not items:
            menu.addAction("(none)").setEnabled(False)
        for item in items:
            act = menu.addAction(item)
            if key == "recent_folders":
                act.triggered.connect(lambda _=False, p=item: self.dataset.load([p]))
            else:
                act.triggered.connect(lambda _=False, p=item: self.session.select_model(Path(p)))

    def run_step(self) -> bool:
        """Ctrl+Enter: the current step's action (its action bar's first button), if it can run."""
        bar = getattr(self.tabs.currentWidget(), "action_bar", None)
        return bar is not None and bar.run()

    def _on_step_shown(self, _index: int = -1) -> None:
        """Undo, redo and regenerate act on the Compose step only, where their piece is seen."""
        self.compose.takes.set_in_view(self.tabs.currentWidget() is self.compose)

    def set_step_state(self, index: int, text: str) -> None:
        self.tabs.setTabText(index, f"{index + 1}  {STEPS[index]} · {text}")

    def show_error(self, message: str) -> None:
        log.error(message)
        self.banner.show_message(message)
        self.statusBar().showMessage(message.splitlines()[0] if message else "", 8000)

    def about(self) -> None:
        QMessageBox.about(self, "About MusicStudio", about_text())

    # -- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        """Take MIDI files, folders and a model; refuse the rest here, so the cursor says so."""
        from musicstudio.gui.drops import sort_drop

        drop = sort_drop(event.mimeData())
        if drop.refused:
            self.statusBar().showMessage(drop.message(), 8000)
        if drop.accepted:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt API)
        from musicstudio.gui.drops import sort_drop

        if sort_drop(event.mimeData()).accepted:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        from musicstudio.gui.drops import sort_drop

        drop = sort_drop(event.mimeData())
        if not drop.accepted:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_paths(drop.accepted)
        if drop.refused:
            self.statusBar().showMessage(drop.message(), 8000)

    def open_paths(self, paths: list[str]) -> None:
        """What a drop does: a model opens, a MIDI on the Compose step is a primer, the rest is a dataset."""
        if len(paths) == 1 and paths[0].lower().endswith(".msb"):
            self.session.select_model(Path(paths[0]))
            self.session.refresh_models()
            self.tabs.setCurrentWidget(self.compose)
            return
        if (
            len(paths) == 1
            and self.tabs.currentWidget() is self.compose
            and Path(paths[0]).suffix.lower() in MIDI_SUFFIXES
        ):
            self.compose.column.set_primer_file(paths[0])
            return
        self.tabs.setCurrentWidget(self.dataset)
        self.dataset.load(paths)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._closed = True
        window_geometry.save(self, self.settings)
        if self.dataset.scan_thread is not None:
            self.dataset.scan_thread.cancel()
            self.dataset.scan_thread.wait(3000)
        self.player.close()
        self.session.engine.shutdown()
        super().closeEvent(event)


def about_text() -> str:
    import platform

    import numpy
    import PySide6

    lines = [
        f"<b>MusicStudio {__version__}</b>",
        "Learn music from your own MIDI files and compose new music.",
        "",
        f"Python {platform.python_version()} · Qt/PySide6 {PySide6.__version__} · NumPy {numpy.__version__}",
    ]
    try:
        import music21
        import pygame
        import symusic

        lines.append(
            f"music21 {music21.__version__} · pygame {pygame.version.ver} · symusic {symusic.__version__}"
        )
    except ImportError:
        pass
    lines += [
        "",
        "MusicStudio: MIT licence. Sample corpus: Bach chorales from music21's corpus (public domain).",
        "SoundFont: see resources/soundfonts for its licence. TensorFlow/Keras: Apache 2.0. "
        "Qt/PySide6: LGPLv3. music21: BSD. pygame: LGPL.",
    ]
    return "<br>".join(lines)
