"""Exports that take seconds, off the UI thread: File → Export audio… and Export MusicXML….

The piece on the Compose step is rendered to a WAV file (core/app/catalog.RenderJob: the
SoundFont synthesizer) or written as MusicXML (MusicXmlJob: music21 takes seconds on a long
piece) by a job in the process that composes, so the window never waits, and a native fault
there is a message, not a dead app. Progress shows in the status bar; a failure says what went
wrong and where. (MIDI is written at once: it takes milliseconds.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from musicstudio.core.app.catalog import MusicXmlJob, RenderJob
from musicstudio.core.base.progress import Rendering
from musicstudio.core.compose.composer import Composition
from musicstudio.core.music.midi import NoteArray
from musicstudio.gui.jobs import JobHandle
from musicstudio.gui.session import Session


@dataclass(frozen=True)
class ExportKind:
    """What an export writes: its name in messages, file suffix and dialog filter, the job."""

    name: str
    suffix: str
    filter: str
    job: Callable[[NoteArray, str], Any]
    doing: str  # the status line while it runs


AUDIO = ExportKind("audio", ".wav", "WAV audio (*.wav)", RenderJob, "Rendering")
MUSICXML = ExportKind(
    "MusicXML", ".musicxml", "MusicXML (*.musicxml *.xml)", MusicXmlJob, "Writing"
)


class FileExport(QObject):
    """Asks where, writes in the background, reports in the status bar or as an error."""

    message = Signal(str, int)  # a status-bar line and how long it stays (ms; 0: until replaced)
    failed = Signal(str)  # why the export failed, for the error banner
    written = Signal(object)  # the Path of the WAV file

    def __init__(
        self,
        session: Session,
        current_piece: Callable[[], tuple[Composition, Path] | None],
        kind: ExportKind = AUDIO,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.current_piece, self.kind = session, current_piece, kind
        self.handle: JobHandle | None = None
        self._dest: Path | None = None

    def ask(self, parent: QWidget | None = None) -> None:
        """The action: choose a file for the current piece, then write it."""
        if self.current_piece() is None:
            self.message.emit("Compose a piece first: there is nothing to export yet", 5000)
            return
        folder = Path(str(self.session.settings.value("export_dir", str(Path.home()))))
        dest, _ = QFileDialog.getSaveFileName(
            parent,
            f"Export {self.kind.name}",
            str(folder / f"composition{self.kind.suffix}"),
            self.kind.filter,
        )
        if dest:
            self.export_to(dest)

    def export_to(self, dest: str | Path) -> JobHandle | None:
        """Write the current piece (every part) to `dest` (the suffix added if missing)."""
        piece = self.current_piece()
        if piece is None:
            return None
        if self.handle is not None:
            self.message.emit(
                f"An {self.kind.name} export is still running; wait for it to finish", 5000
            )
            return None
        path = Path(dest)
        if path.suffix.lower() not in (self.kind.suffix, ".xml"):
            path = path.with_name(path.name + self.kind.suffix)
        self._dest = path
        # Background: a Compose clicked meanwhile queues behind it instead of being refused.
        self.handle = self.session.engine.submit(self.kind.job(piece[0].notes, str(path)), True)
        self.handle.on(self._on_progress, self._on_result, self._on_error, self._on_cancelled)
        self.handle.finished.connect(self._on_finished)
        self.message.emit(f"{self.kind.doing} {path.name}…", 0)
        return self.handle

    def _on_progress(self, fraction: float, event: Any) -> None:
        if isinstance(event, Rendering) and self._dest is not None:
            self.message.emit(
                f"Rendering {self._dest.name}: {event.seconds:.0f} of {event.total:.0f} s"
                f" ({fraction:.0%})",
                0,
            )

    def _on_result(self, out: str) -> None:
        path = Path(out)
        self.session.settings.setValue("export_dir", str(path.parent))
        self.message.emit(f"Exported {path}", 8000)
        self.written.emit(path)

    def _on_error(self, why: str) -> None:
        self.failed.emit(f"Could not export {self.kind.name} to {self._dest}: {why}")

    def _on_cancelled(self) -> None:
        self.message.emit(f"{self.kind.name[0].upper()}{self.kind.name[1:]} export stopped", 5000)

    def _on_finished(self) -> None:
        self.handle = None
