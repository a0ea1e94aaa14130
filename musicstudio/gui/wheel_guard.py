"""Scrolling a settings column never changes a setting by accident.

Qt gives the wheel to whatever editor is under the pointer: scrolling down the Compose step's
form with the pointer passing over a spin box changed its value, and no longer scrolled. Here a
combo box or spin box inside a scroll area takes the wheel only while it has the keyboard focus
(click it, or Tab to it); otherwise the wheel scrolls the scroll area. One filter on the
application sees every widget, so it also guards editors made later (the instrument of each
part, made when a model is chosen).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

EDITORS = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    """The application's event filter: see the module's docstring."""

    @classmethod
    def install(cls, app: QApplication) -> WheelGuard:
        """The app's guard, installed once however many windows are made."""
        guard = app.findChild(WheelGuard)
        if guard is None:
            guard = cls(app)
            app.installEventFilter(guard)
        return guard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, EDITORS):
            # No focus from the wheel (WheelFocus): a click or Tab gives it.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            editor = _editor_of(watched)
            area = _scroll_area_of(editor) if editor is not None else None
            if editor is not None and area is not None and not editor.hasFocus():
                # Given to the scroll area here, not left to Qt's propagation to the parents:
                # Qt propagates only the events the system sends, not ones a program sends.
                _scroll(area, event)  # type: ignore[arg-type]
                event.accept()
                return True
        return False


def _editor_of(widget: QWidget) -> QWidget | None:
    """The combo box or spin box a wheel event is for (a spin box's line edit is its own)."""
    for w in (widget, widget.parentWidget()):
        if isinstance(w, EDITORS):
            return w
    return None


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    """The scroll area the widget lies in (the popup list of a combo box lies in none)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def _scroll(area: QAbstractScrollArea, wheel: QWheelEvent) -> None:
    """Turn the wheel over the scroll area's viewport instead."""
    viewport = area.viewport()
    moved = QWheelEvent(
        viewport.mapFromGlobal(wheel.globalPosition()),
        wheel.globalPosition(),
        wheel.pixelDelta(),
        wheel.angleDelta(),
        wheel.buttons(),
        wheel.modifiers(),
        wheel.phase(),
        wheel.inverted(),
    )
    QApplication.sendEvent(viewport, moved)
