"""Where the main window opens: where the user left it, else at 85 % of the screen, centred.

The geometry is saved on close (QSettings key "geometry", Qt's saveGeometry); a saved one is
used only when it fits a screen there is now: a window left on a large monitor opens on a
laptop's screen at the default size, not squeezed into it by Qt or half out of sight.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QDataStream, QIODevice, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

KEY = "geometry"
SHARE = 0.85  # of the screen's available width and height
_MAGIC = 0x1D9D0CB  # what QWidget::saveGeometry writes first (Qt 5 and 6)


def default_rect(available: QRect, share: float = SHARE) -> QRect:
    """`share` of the available area's width and height, centred in it."""
    rect = QRect(
        QPoint(0, 0), QSize(round(available.width() * share), round(available.height() * share))
    )
    rect.moveCenter(available.center())
    return rect


def saved_frame(blob: QByteArray | bytes) -> QRect | None:
    """The window's outer rectangle in a saveGeometry blob (None: not one)."""
    data = QByteArray(blob)  # held here: the stream reads it, and does not keep it alive
    stream = QDataStream(data, QIODevice.OpenModeFlag.ReadOnly)
    if stream.readUInt32() != _MAGIC:
        return None
    stream.readUInt16()  # the format's major and minor version: the frame comes first in all
    stream.readUInt16()
    frame = QRect()
    stream >> frame
    return frame if stream.status() == QDataStream.Status.Ok and frame.isValid() else None


def fits(frame: QRect) -> bool:
    """Whether the rectangle lies wholly on one screen's available area."""
    return any(s.availableGeometry().contains(frame) for s in QGuiApplication.screens())


def restore(window: QWidget, settings: QSettings) -> bool:
    """Open the window as it was left, if that fits a screen now; else at the default (False)."""
    blob = settings.value(KEY)
    if isinstance(blob, QByteArray | bytes):
        frame = saved_frame(blob)
        if frame is not None and fits(frame) and window.restoreGeometry(QByteArray(blob)):
            return True
    screen = window.screen() or QGuiApplication.primaryScreen()
    window.setGeometry(default_rect(screen.availableGeometry()))
    return False


def save(window: QWidget, settings: QSettings) -> None:
    settings.setValue(KEY, window.saveGeometry())
