"""`musicstudio --self-test`: open the window, compose with a sample model, write a MIDI, see
TensorFlow load in the engine (training needs it; composing does not), exit 0."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


class SelfTest:
    """Drives the real window the way a user would, then quits with an exit code."""

    def __init__(self, window, timeout_s: float = 240) -> None:  # type: ignore[no-untyped-def]
        self.window = window
        self.exit_code = 1
        self.timeout_s = timeout_s
        self.tensorflow = ""  # "loaded", or why it could not be
        self.wrote = ""
        engine = window.session.engine
        engine.loaded.connect(lambda: self._tensorflow("loaded"))
        engine.unavailable.connect(self._tensorflow)

    def start(self) -> None:
        QTimer.singleShot(int(self.timeout_s * 1000), lambda: self.finish(1, "timed out"))
        QTimer.singleShot(100, self.compose)

    def _tensorflow(self, state: str) -> None:
        self.tensorflow = state
        if state != "loaded":
            self.finish(1, state)
        elif self.wrote:
            self.finish(0, f"{self.wrote}; TensorFlow loaded")

    def compose(self) -> None:
        panel = self.window.compose
        samples = [m for m in self.window.session.models if m.sample] or self.window.session.models
        if not samples:
            self.finish(1, "no sample model found")
            return
        self.window.session.select_model(samples[0].path)
        panel.length.setValue(panel.length.minimum())  # the default: a piece with form …
        panel.bars.setValue(8)  # … of 8 bars
        self.window.session.compositions_changed.connect(self.written)
        self.window.session.message.connect(lambda m: self.finish(1, m))
        panel.compose()

    def written(self, pieces: list) -> None:  # type: ignore[type-arg]
        out = Path(tempfile.gettempdir()) / "musicstudio-selftest.mid"
        path = self.window.compose.export_to(str(out), "midi")
        ok = (
            path is not None
            and path.stat().st_size > 0
            and bool(pieces)
            and len(pieces[0].notes) > 0
        )
        if not ok:
            self.finish(1, "nothing written")
            return
        self.wrote = f"wrote {out}"
        if self.tensorflow == "loaded":
            self.finish(0, f"{self.wrote}; TensorFlow loaded")

    def finish(self, code: int, message: str) -> None:
        if self.exit_code == 0 or getattr(self, "_done", False):
            return
        self._done = True
        self.exit_code = code
        print(
            f"self-test {'passed' if code == 0 else 'FAILED'}: {message}",
            file=sys.stderr if code else sys.stdout,
        )
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()
