"""History: every composition kept in the user's data folder, newest first — re-open, export, delete.

The folder outlives the app (core/compose/library.py writes a MIDI file and its settings for each
piece, never overwriting), so the list shows the pieces of earlier sessions too.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.base.files import atomic_copy
from musicstudio.core.base.resources import user_data_dir
from musicstudio.core.compose.composer import Composition
from musicstudio.core.compose.composition import sections_from_markers
from musicstudio.core.compose.library import kept
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.midi import read_markers, read_midi
from musicstudio.gui.regenerate_box import bars_words
from musicstudio.gui.takes import no_tokens
from musicstudio.gui.variation import Take

PATH_ROLE = Qt.ItemDataRole.UserRole


def compositions_folder() -> Path:
    """Where every composition is kept (in the user's data folder)."""
    return user_data_dir() / "compositions"


def about_kept(path: Path) -> dict[str, object]:
    """The settings file beside a kept piece ({} when it is missing or damaged)."""
    try:
        about = json.loads(path.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return {}
    return about if isinstance(about, dict) else {}


def kept_take(path: Path) -> Take:
    """A kept piece as a take to show again, with its seed, locks and figures (MidiError when
    its file cannot be read)."""
    notes = read_midi(path)
    markers = read_markers(path)
    about = about_kept(path)
    seed, metrics = about.get("seed"), about.get("metrics")
    end = float((notes.onset + notes.duration).max(initial=0.0))
    piece = Composition(
        no_tokens(),
        notes,
        no_tokens(),
        0.0,
        seed=int(seed) if isinstance(seed, int) else 0,
        constraints=str(about.get("constraints") or ""),
        metrics=Measures.from_json(metrics),
        sections=sections_from_markers(markers, end),
        form=str(about.get("form") or ""),
    )
    made = f"opened from the History: {path.name}" + (f", seed {seed}" if seed is not None else "")
    return Take(piece, path, made)


def describe_kept(path: Path) -> str:
    """Two lines for the list: when, which model, which seed; what made it (constraints, bars)."""
    about = about_kept(path)
    try:
        when = _dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %b %Y %H:%M")
    except OSError:
        when = "?"
    first = [when]
    if about.get("model"):
        first.append(str(about["model"]))
    if about.get("seed") is not None:
        first.append(f"seed {about['seed']}")
    settings = about.get("settings")
    made = ""
    if isinstance(settings, dict) and "first_bar" in settings:
        made = f"{bars_words(settings['first_bar'], settings['last_bar'])} regenerated"
    constraints = str(about.get("constraints") or "")
    second = " · ".join(s for s in (made, constraints) if s) or "composed"
    return f"{' · '.join(first)}\n{second}"


class History(QWidget):
    """The kept compositions; `reopen` asks the panel to show one (a Path)."""

    reopen = Signal(object)
    message = Signal(str)

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        v = QVBoxLayout(self)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.list.setToolTip("Every piece you composed, newest first (double-click to open)")
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        v.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show the piece as a new variation: play it, regenerate bars")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save a copy of the MIDI file elsewhere")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the MIDI file and its settings (asks first)")
        for b, slot in (
            (self.open_button, self.open_selected),
            (self.export_button, self.export_selected),
            (self.delete_button, self.delete_selected),
        ):
            b.clicked.connect(slot)
            row.addWidget(b)
        v.addLayout(row)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.folder_label)
        self.refresh()

    # -- the list --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the folder again (the selected piece stays selected)."""
        chosen = self.selected()
        folder = compositions_folder()
        self.list.clear()
        for path in kept(folder) if folder.is_dir() else []:
            item = QListWidgetItem(describe_kept(path))
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            self.list.addItem(item)
        count = self.list.count()
        kept_in = (
            f"{count} piece{'s' * (count != 1)} kept in" if count else "Every piece is kept in"
        )
        self.folder_label.setText(f"{kept_in} {folder}")
        if chosen is not None:
            self.select(chosen)
        self._update_buttons()

    def paths(self) -> list[Path]:
        """The kept pieces as listed, newest first."""
        return [Path(self.list.item(i).data(PATH_ROLE)) for i in range(self.list.count())]

    def select(self, path: Path) -> bool:
        """Select a piece's row; False when it is not listed."""
        for i, listed in enumerate(self.paths()):
            if listed == Path(path):
                self.list.setCurrentRow(i)
                return True
        return False

    def selected(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item is not None else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        for b in (self.open_button, self.export_button, self.delete_button):
            b.setEnabled(chosen)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        self.refresh()  # another window may have kept or deleted pieces meanwhile
        super().showEvent(event)

    # -- actions ---------------------------------------------------------------------------
    def open_selected(self) -> None:
        path = self.selected()
        if path is None:
            return
        if not path.is_file():
            self.message.emit(f"{path.name} is no longer in {path.parent}")
            self.refresh()
            return
        self.reopen.emit(path)

    def export_selected(self) -> None:
        path = self.selected()
        if path is None:
            return
        start = Path.home()
        if self.settings is not None:
            start = Path(str(self.settings.value("export_dir", str(start))))
        dest, _ = QFileDialog.getSaveFileName(
            self, "Export a kept piece", str(start / path.name), "MIDI (*.mid)"
        )
        if dest:
            self.export_to(path, Path(dest))

    def export_to(self, path: Path, dest: Path) -> Path | None:
        """Copy a kept piece's MIDI file to `dest` (the kept file stays)."""
        try:
            atomic_copy(path, dest)
        except OSError as e:
            self.message.emit(f"Could not export to {dest}: {e.strerror or e}")
            return None
        if self.settings is not None:
            self.settings.setValue("export_dir", str(Path(dest).parent))
        return Path(dest)

    def delete_selected(self) -> None:
        """Delete the selected piece after asking."""
        path = self.selected()
        if path is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete a kept piece",
            f"Delete {path.name} and its settings from {path.parent}?\nThis cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete(path)

    def delete(self, path: Path) -> None:
        """Remove a kept piece: its .mid and its .json."""
        try:
            for f in (path, path.with_suffix(".json")):
                f.unlink(missing_ok=True)
        except OSError as e:
            self.message.emit(f"Could not delete {path.name}: {e.strerror or e}")
        self.refresh()
