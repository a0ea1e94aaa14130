"""Dragging a piece out of the piano roll as its .mid file (into a DAW, a folder, a mail)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QFontMetrics, QMouseEvent, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from musicstudio.gui.widgets.roll_paint import drag_chip


class DragOut(QObject):
    """Watches a widget's mouse: a press and a move past the drag distance starts a file drag."""

    def __init__(self, surface: QWidget) -> None:
        super().__init__(surface)
        self.surface = surface
        self.path: str | None = None
        self._press: QPoint | None = None
        surface.installEventFilter(self)

    def set_path(self, path: str | os.PathLike[str] | None) -> None:
        """The file a drag carries (None: no drag); the cursor shows whether there is one."""
        self.path = None if path is None else str(path)
        self._restore_cursor()

    def _restore_cursor(self) -> None:
        cursor = Qt.CursorShape.OpenHandCursor if self.path else Qt.CursorShape.ArrowCursor
        self.surface.setCursor(cursor)

    def mime_data(self) -> QMimeData | None:
        """What a drag carries: the MIDI file as a URL (None without a file)."""
        if not self.path or not Path(self.path).is_file():
            return None
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(Path(self.path).resolve()))])
        return mime

    def exec_drag(self, mime: QMimeData) -> None:
        """Run the drag (blocks until dropped); tests replace this."""
        drag = QDrag(self.surface)
        drag.setMimeData(mime)
        drag.setPixmap(self.pixmap(self.surface.fontMetrics()))
        drag.exec(Qt.DropAction.CopyAction)

    def pixmap(self, metrics: QFontMetrics) -> QPixmap:
        """The chip under the cursor while dragging: the file's name."""
        return drag_chip(f"♪  {Path(self.path or '').name}", metrics)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(event, QMouseEvent):
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            if self.path:
                self.surface.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif kind == QEvent.Type.MouseMove and self._press is not None:
            if not event.buttons() & Qt.MouseButton.LeftButton:
                return False
            moved = (event.position().toPoint() - self._press).manhattanLength()
            if moved < QApplication.startDragDistance():
                return True  # a twitch is not a drag
            self._press = None
            mime = self.mime_data()
            if mime is not None:
                self.exec_drag(mime)
            self._restore_cursor()
            return True
        elif kind == QEvent.Type.MouseButtonRelease:
            self._press = None
            self._restore_cursor()
        return False
