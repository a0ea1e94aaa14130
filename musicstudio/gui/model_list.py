"""The Training step's model list: the user's models and the samples; open one, save one as."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from musicstudio.core.base.files import atomic_copy
from musicstudio.gui.session import Session

COLUMNS = ["Name", "Type", "Dataset", "Epochs", "Val loss", "Date"]


class ModelList(QWidget):
    """A row per model of the session; clicking one selects it for the Compose step."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Models"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for c in range(1, len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_clicked)
        column.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open model…")
        self.save_button = QPushButton("Save model as…")
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.open_button.clicked.connect(self.choose_model)
        self.save_button.clicked.connect(self.save_model_as)
        session.models_changed.connect(self.fill)

    def fill(self) -> None:
        """A row per model the session lists."""
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.session.models))
        for row, m in enumerate(self.session.models):
            name = f"{m.name} (sample)" if m.sample else m.name
            val = f"{m.val_loss:.3f}" if m.val_loss is not None else "—"
            for col, text in enumerate((name, m.family, m.dataset, str(m.epochs), val, m.date)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(m.path))
                item.setToolTip(str(m.path))
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def _on_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            item = self.table.item(rows[0].row(), 0)
            if item is not None:
                self.session.select_model(Path(item.data(Qt.ItemDataRole.UserRole)))

    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a MusicStudio model", str(Path.home()), "Models (*.msb)"
        )
        if path:
            self.session.select_model(Path(path))
            self.session.refresh_models()

    def save_model_as(self) -> None:
        src = self.session.current_model
        if src is None:
            self.session.message.emit("Select a model first.")
            return
        dest, _ = QFileDialog.getSaveFileName(
            self, "Save model as", str(Path.home() / src.name), "Models (*.msb)"
        )
        if dest:
            try:
                atomic_copy(src, dest)
            except OSError as e:
                self.session.message.emit(f"Could not save the model: {e.strerror or e}")
