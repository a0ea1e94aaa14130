"""Longest gap of the Qt event loop (a 10 ms QTimer probe) while the app scans, trains and composes.

    QT_QPA_PLATFORM=offscreen python benchmarks/ui_latency.py [DIR]

Phases: window start (TensorFlow loading in the engine process), scanning DIR (default: the
sample corpus), training a small WaveNet for 2 epochs (first tracing included), composing 4
variations of 500 events. Goal: every phase's longest gap ≤ 100 ms.
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


class Probe:
    """Records the longest interval between 10 ms timer ticks."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0


def wait_until(app, cond, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.002)
    return False


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "sample_corpus"
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("MUSICSTUDIO_DATA_DIR", str(tmp / "data"))
    app = QApplication([])
    probe = Probe()
    t0 = time.perf_counter()
    from musicstudio.gui.main_window import MainWindow

    window = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    shown = time.perf_counter() - t0
    results = {}
    probe.reset()
    loaded = []
    window.session.engine.loaded.connect(lambda: loaded.append(1))
    wait_until(app, lambda: bool(loaded), 120)
    results["TensorFlow import (engine)"] = probe.worst

    probe.reset()
    window.dataset.load([str(folder)])
    wait_until(
        app, lambda: window.session.corpus is not None and window.dataset.scan_thread is None, 120
    )
    results["scan"] = probe.worst

    probe.reset()
    tp = window.training
    tp.epochs.setValue(2)
    tp.start()
    wait_until(app, lambda: tp.train_button.isEnabled(), 600)
    results["train 2 epochs (WaveNet)"] = probe.worst

    probe.reset()
    cp = window.compose
    cp.variations.setValue(4)
    cp.length.setValue(500)
    cp.compose()
    wait_until(app, lambda: bool(cp.pieces), 300)
    results["compose 4 × 500 events"] = probe.worst

    print(f"window shown after {shown * 1000:.0f} ms")
    for phase, gap in results.items():
        print(f"{phase:<30} longest event-loop gap {gap * 1000:6.1f} ms")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
