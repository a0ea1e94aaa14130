"""Save a PNG of each panel (offscreen) for the README: docs/screenshots/{dataset,training,compose}.png.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py

Uses the sample corpus, trains a small WaveNet for a few epochs, and composes with a sample model.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
ROOT = Path(__file__).resolve().parents[1]


def wait_until(app, cond, timeout: float) -> None:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while time.perf_counter() < end and not cond():
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("MUSICSTUDIO_DATA_DIR", str(tmp / "data"))
    app = QApplication([])
    from musicstudio.gui.main_window import MainWindow

    w = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    w.resize(1280, 800)
    w.show()
    w.dataset.use_sample()
    wait_until(app, lambda: w.session.corpus is not None and w.dataset.scan_thread is None, 120)
    w.dataset.threshold.setValue(20)
    app.processEvents()
    w.grab().save(str(out / "dataset.png"))

    w.tabs.setCurrentWidget(w.training)
    w.training.epochs.setValue(8)
    w.training.start()
    wait_until(app, lambda: w.training.train_button.isEnabled(), 600)
    w.grab().save(str(out / "training.png"))

    w.tabs.setCurrentWidget(w.compose)
    samples = [m for m in w.session.models if m.sample]
    if samples:
        w.session.select_model(samples[0].path)
    w.compose.variations.setValue(3)
    w.compose.length.setValue(300)
    w.compose.compose()
    wait_until(app, lambda: bool(w.compose.pieces), 300)
    app.processEvents()
    roll = w.compose.tabs.currentWidget()
    roll.set_playhead(6.0)
    app.processEvents()
    w.grab().save(str(out / "compose.png"))
    w.close()
    print(f"saved {', '.join(p.name for p in sorted(out.glob('*.png')))} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
