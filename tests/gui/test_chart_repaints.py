"""The pyqtgraph charts survive 1,500 updates and repaints under the pinned PySide6, and draw
exactly the data they are given.

PySide6 6.12.0 aborts painting widgets ("none_dealloc") after a few hundred repaints, pyqtgraph's
and hand-painted ones alike; pyproject.toml pins PySide6 below it. The loop runs in a child
process, so an abort fails this test with the child's exit status instead of ending pytest.
Data: the loss history of the shipped sample LSTM and the token counts of the shipped chorales.

    QT_QPA_PLATFORM=offscreen python tests/gui/test_chart_repaints.py   (the loop on its own)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
UPDATES, GRAB_EVERY = 1500, 100
HEADS = ("Total", "Pitch", "Duration", "Step", "Velocity", "Voice")


def colour_pixels(image, rgb: tuple[int, int, int], tolerance: int = 24) -> int:  # type: ignore[no-untyped-def]
    """How many pixels of a grabbed image are (close to) one colour."""
    from PySide6.QtGui import QImage

    img = image.toImage().convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(img.constBits(), np.uint8)
    bgr = raw.reshape(img.height(), img.bytesPerLine() // 4, 4)[:, : img.width(), :3]
    target = np.array(rgb[::-1], np.int16)
    return int((np.abs(bgr.astype(np.int16) - target).max(axis=2) <= tolerance).sum())


def real_data() -> tuple[list[dict[str, float]], np.ndarray]:
    """The sample LSTM's per-epoch metrics and the sample chorales' token counts."""
    from musicstudio.core.learn.bundle import read_manifest
    from musicstudio.core.music.corpus import ScanOptions, scan

    history = read_manifest(ROOT / "resources" / "models" / "sample-lstm.msb")["history"]
    cache = Path(tempfile.mkdtemp()) / "cache"
    corpus = scan([ROOT / "resources" / "sample_corpus"], ScanOptions(threshold=5), cache_dir=cache)
    return history, corpus.vocab.histogram()


def repaint_many(updates: int = UPDATES, grab_every: int = GRAB_EVERY) -> str:
    """Feed both charts real data, one update and repaint at a time; check what they plot."""
    import PySide6
    from PySide6.QtWidgets import QApplication

    from musicstudio.gui.widgets import histogram as hist_module
    from musicstudio.gui.widgets import loss_chart as loss_module

    assert PySide6.__version_info__ < (6, 12), (
        f"PySide6 {PySide6.__version__}: pyproject pins <6.12"
    )
    app = QApplication.instance() or QApplication([])
    history, counts = real_data()
    chart = loss_module.LossChart()
    chart.resize(800, 460)
    chart.show()
    hist = hist_module.TokenHistogram()
    hist.resize(640, 420)
    hist.show()
    hist.set_counts(counts)
    per_epoch = updates // len(history)
    rng = np.random.default_rng(0)
    given_steps: list[float] = []
    grabs = 0
    for i in range(updates):
        epoch = min(i // per_epoch, len(history) - 1)
        loss = history[epoch]["loss"] * (1 + 0.05 * rng.standard_normal())  # around the real loss
        chart.add_step(i + 1, loss)
        given_steps.append(loss)
        chart.flush()
        if (i + 1) % per_epoch == 0 and (i + 1) // per_epoch <= len(history):
            chart.add_epoch(history[epoch]["epoch"], history[epoch])
        if i % 37 == 0:
            chart.set_head(HEADS[(i // 37) % len(HEADS)])
        threshold = 1 + (i * 7) % 120
        hist.set_threshold(threshold)
        app.processEvents()  # paints what changed, as the running app does
        if (i + 1) % grab_every:
            continue
        grabs += 1
        # What the curves hold is what was given.
        x, y = chart.step_line.getOriginalDataset()
        assert np.array_equal(x, np.arange(1, i + 2)) and np.allclose(y, given_steps)
        epochs, train, val = chart.epoch_series()
        n = len(epochs)
        suffix = loss_module.HEADS[chart.head()]
        assert np.allclose(train, [h[f"loss{suffix}"] for h in history[:n]])
        assert np.allclose(val, [h[f"val_loss{suffix}"] for h in history[:n]])
        tx, ty = chart.train_line.getOriginalDataset()
        vx, vy = chart.val_line.getOriginalDataset()
        assert np.array_equal(tx, epochs) and np.allclose(ty, train) and np.allclose(vy, val)
        ordered = np.sort(counts)[::-1]
        kept_x, kept = hist.bar_counts(hist.kept_bars)
        split_x, split = hist.bar_counts(hist.split_bars)
        assert np.array_equal(np.r_[kept, split], ordered)
        assert np.array_equal(np.r_[kept_x, split_x], np.arange(1, ordered.size + 1))
        assert kept.min(initial=threshold) >= threshold > split.max(initial=0)
        assert round(10 ** hist.threshold_line.value()) == threshold
        # And it is on screen: the curves' and bars' colours are in the grabbed pixels.
        chart_image, hist_image = chart.grab(), hist.grab()
        assert colour_pixels(chart_image, (0x2C, 0x52, 0x82)) > 100  # smoothed step loss
        if n:
            assert colour_pixels(chart_image, (0x2B, 0x6C, 0xB0)) > 50  # train per epoch
        assert colour_pixels(hist_image, hist_module.bar_fill(hist_module.KEPT_COLOR)) > 200
        assert colour_pixels(hist_image, hist_module.bar_fill(hist_module.SPLIT_COLOR)) > 200
    return f"{updates} updates, {grabs} grabs, PySide6 {PySide6.__version__}: ok"


def test_charts_survive_many_repaints_and_plot_the_data_given() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SDL_AUDIODRIVER": "dummy"}
    child = subprocess.run(
        [sys.executable, __file__],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, f"exit status {child.returncode}\n{child.stderr[-3000:]}"
    assert f"{UPDATES} updates, {UPDATES // GRAB_EVERY} grabs" in child.stdout


if __name__ == "__main__":
    print(repaint_many())
