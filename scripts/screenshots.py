"""Save a PNG of each panel for the README: docs/screenshots/{dataset,training,compose}.png.

    Xvfb :99 -screen 0 1600x1000x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python scripts/screenshots.py
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python scripts/screenshots.py shaping   # shaping.png only
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python scripts/screenshots.py form      # form.png only
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python scripts/screenshots.py keys      # form_keys.png only
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python scripts/screenshots.py voices    # voices.png only

The window has its default size (85 % of the screen, from a fresh settings file): 1360 x 850 on
that screen. Without a display, QT_QPA_PLATFORM=offscreen works too (an 800 x 800 screen).

Scans 30 synthetic pop files (drums, bass, keys, lead, pad: benchmarks/popmidi.py), plays one
"as learned", trains a small LSTM on them for a few minutes and composes with it, so every panel
shows the whole band.
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


def benchmark_module(name: str):  # type: ignore[no-untyped-def]
    """A module of benchmarks/ (loaded by path: benchmarks is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pop_folder(folder: Path, count: int) -> Path:
    """benchmarks/popmidi.py's band files."""
    benchmark_module("popmidi").write_pop_folder(folder, count)
    return folder


def point_at_best_epoch(app, chart) -> None:  # type: ignore[no-untyped-def]
    """Show the hover read-out as if the mouse rested on the epoch with the best validation."""
    import numpy as np
    from PySide6.QtCore import QPointF

    app.processEvents()  # the chart fits its data when it paints
    epochs, _, val = chart.epoch_series()
    if not epochs.size:
        return
    best = float(epochs[int(np.nanargmin(val))] if np.isfinite(val).any() else epochs[-1])
    box = chart.epoch_plot.getPlotItem().getViewBox()
    (_, _), (y0, y1) = box.viewRange()
    chart.epoch_hover.show_at(box.mapViewToScene(QPointF(best, (y0 + y1) / 2)))
    app.processEvents()


def composing_window(settings: Path):  # type: ignore[no-untyped-def]
    """A main window on its own settings, on the Compose step with the sample LSTM chosen."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from musicstudio.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    w = MainWindow(QSettings(str(settings), QSettings.Format.IniFormat))
    w.show()
    sample = next(m for m in w.session.models if m.sample and m.family == "lstm")
    w.session.select_model(sample.path)
    w.tabs.setCurrentWidget(w.compose)
    return app, w


def compose_and_wait(app, cp) -> None:  # type: ignore[no-untyped-def]
    """Click Compose and wait for the piece and its figures."""
    cp.compose()
    wait_until(app, lambda: bool(cp.pieces) and cp.job is None and not cp.metrics.measuring, 120)


def save_window(app, w, path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The window as it is drawn now, saved to `path`; the window closes."""
    app.processEvents()
    w.grab().save(str(path))
    w.close()
    return path


def shaping(out: Path, tmp: Path) -> Path:
    """A composition under a key lock with bars 5–8 just regenerated (the sample LSTM)."""
    app, w = composing_window(tmp / "shaping.ini")
    cp = w.compose
    cp.length.setValue(400)
    cp.seed.setValue(7)
    box = cp.constraints
    box.key.setCurrentIndex(box.key.findText("D minor"))
    box.lowest.setText("C3")
    box.highest.setText("C6")
    box.max_chord.setValue(3)
    compose_and_wait(app, cp)
    roll = cp.tabs.currentWidget()
    roll.select_bars(5, 8)
    cp.seed.setValue(cp.seed.minimum())  # a random seed for the new passage
    cp.regenerate()
    wait_until(app, lambda: cp.current_variation().stack.count() == 1 and cp.job is None, 120)
    bars_shown = 10 * roll.quarters_per_bar() * roll.pixels_per_quarter()
    roll.zoom_by((roll.viewport().width() - 60) / bars_shown)
    roll.horizontalScrollBar().setValue(0)
    cp.scroll_area.verticalScrollBar().setValue(box.y() - 6)  # the constraints at the top
    return save_window(app, w, out / "shaping.png")


def form(out: Path, tmp: Path) -> Path:
    """A piece in the form A A B A (the sample LSTM), bars 2–3 regenerated in every return."""
    app, w = composing_window(tmp / "form.ini")
    cp = w.compose
    cp.form.setText("A A B A")
    cp.bars.setValue(16)
    cp.seed.setValue(11)
    compose_and_wait(app, cp)
    roll = cp.tabs.currentWidget()
    roll.select_bars(2, 3)
    cp.regenerate()  # every return of the first A follows (the box's default)
    wait_until(app, lambda: cp.current_variation().stack.count() == 1 and cp.job is None, 120)
    wait_until(app, lambda: not cp.metrics.measuring, 120)
    roll.zoom_to_fit()
    box = cp.regenerate_box
    cp.scroll_area.verticalScrollBar().setValue(box.y() - 6)  # the linked choice in view
    return save_window(app, w, out / "form.png")


def keys(out: Path, tmp: Path) -> Path:
    """A piece whose sections carry their own keys, A A B(E minor) A(D) (the sample WaveNet):
    the bands name each section's key; the Piece settings with the form and the line-up."""
    app, w = composing_window(tmp / "keys.ini")
    cp = w.compose
    wavenet = next(m for m in w.session.models if m.sample and m.family == "wavenet")
    w.session.select_model(wavenet.path)
    cp.form.setText("A A B(E minor) A(D)")
    cp.bars.setValue(16)
    cp.seed.setValue(5)
    compose_and_wait(app, cp)
    cp.tabs.currentWidget().zoom_to_fit()
    cp.scroll_area.verticalScrollBar().setValue(cp.form.parentWidget().y() - 6)
    return save_window(app, w, out / "form_keys.png")


def voices(out: Path, tmp: Path) -> Path:
    """The Dataset panel on band files with two guitars, piano + organ, pad + strings, a unison
    doubling and "cont." tracks (benchmarks/bandmidi.py): the Voices column, one file's voices."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QToolTip

    band = Path(tempfile.gettempdir()) / "musicstudio-screenshots" / "Band songs"
    benchmark_module("bandmidi").write_band_folder(band, 12)
    app = QApplication([])
    from musicstudio.gui.main_window import MainWindow

    w = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    w.show()
    w.dataset.load([str(band)])
    wait_until(app, lambda: w.session.corpus is not None and w.dataset.scan_thread is None, 120)
    table = w.dataset.table
    table.selectRow(1)
    index = table.model().index(1, 3)
    rect = table.visualRect(index)
    tip = table.model().data(index, 3)  # Qt.ToolTipRole
    QToolTip.showText(table.viewport().mapToGlobal(rect.center()), tip, table)
    wait_until(app, lambda: False, 1.0)
    path = out / "voices.png"
    app.primaryScreen().grabWindow(0).save(str(path))
    return path


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    os.environ.setdefault("MUSICSTUDIO_DATA_DIR", str(tmp / "data"))
    os.environ.setdefault("MUSICSTUDIO_CACHE_DIR", str(tmp / "cache"))
    if sys.argv[1:] == ["shaping"]:
        print(f"saved {shaping(out, tmp)}")
        return 0
    if sys.argv[1:] == ["form"]:
        print(f"saved {form(out, tmp)}")
        return 0
    if sys.argv[1:] == ["keys"]:
        print(f"saved {keys(out, tmp)}")
        return 0
    if sys.argv[1:] == ["voices"]:
        print(f"saved {voices(out, tmp)}")
        return 0
    band = pop_folder(Path(tempfile.gettempdir()) / "musicstudio-screenshots" / "Pop songs", 30)
    app = QApplication([])
    from musicstudio.gui.main_window import MainWindow

    w = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    w.show()
    w.dataset.load([str(band)])
    wait_until(app, lambda: w.session.corpus is not None and w.dataset.scan_thread is None, 120)
    w.dataset.table.selectRow(2)
    w.dataset.play_as_learned()  # the status line shows its note recall
    app.processEvents()
    w.grab().save(str(out / "dataset.png"))
    w.dataset.stop_playing()

    w.tabs.setCurrentWidget(w.training)
    w.training.family.setCurrentIndex(w.training.family.findData("lstm"))
    w.training.minutes.setValue(w.training.minutes.minimum())  # no time budget: 12 epochs
    w.training.epochs.setValue(12)
    w.training.start()
    wait_until(app, lambda: w.training.train_button.isEnabled(), 600)
    point_at_best_epoch(app, w.training.chart)
    w.grab().save(str(out / "training.png"))

    w.tabs.setCurrentWidget(w.compose)
    w.compose.variations.setValue(3)
    w.compose.length.setValue(400)
    w.compose.compose()
    wait_until(app, lambda: bool(w.compose.pieces), 300)
    wait_until(app, lambda: not w.compose.metrics.measuring, 120)  # the figures follow the piece
    app.processEvents()
    roll = w.compose.tabs.currentWidget()
    roll.zoom_by(0.6)
    roll.set_playhead(6.0)
    app.processEvents()
    w.grab().save(str(out / "compose.png"))
    w.close()
    print(f"saved {', '.join(p.name for p in sorted(out.glob('*.png')))} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
