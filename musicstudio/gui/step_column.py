"""What the step panels share: a column of settings that scrolls, over an action bar that does not.

A step's main buttons (Train, Compose) sit in its ActionBar, outside the scroll area, so they are
in view whatever the scroll position and however many parts the model's form lists. The bar's
first button is the step's action: Ctrl+Enter (the main window's "Run this step") clicks it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

RUN_KEYS = ("Ctrl+Return", "Ctrl+Enter")  # Return on the main keyboard, Enter on the keypad


class ActionBar(QWidget):
    """A row of a step's main buttons (its action first, then the others), and below it what
    reports on that action (a progress bar)."""

    def __init__(
        self,
        action: QPushButton,
        others: tuple[QWidget, ...] = (),
        below: tuple[QWidget, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("actionBar")
        self.action = action
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 6, 0, 0)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for w in (action, *others):
            row.addWidget(w)
        column.addLayout(row)
        for w in below:
            column.addWidget(w)
        tip = action.toolTip()
        action.setToolTip(f"{tip}\n(Ctrl+Enter)" if tip else "Ctrl+Enter")

    def run(self) -> bool:
        """Click the step's action if it can be clicked now (Ctrl+Enter); whether it was."""
        if not self.action.isEnabled():
            return False
        self.action.click()
        return True


def scrolled(content: QWidget) -> QScrollArea:
    """`content` in a vertical scroll area as wide as the content needs (no horizontal bar)."""
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setMinimumWidth(
        content.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
    )
    return scroll


class StepColumn(QWidget):
    """`body` (a scrolled column of settings, or tabs holding one) over the step's action bar."""

    def __init__(self, body: QWidget, bar: ActionBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.body, self.bar = body, bar
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(body, 1)
        column.addWidget(bar)
