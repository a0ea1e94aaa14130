"""The app's first Compose: from a fresh start, click Compose, time until the piece shows.

    python benchmarks/first_compose.py [--before COMMIT] [--band-files 12]

Each row is a fresh app process (offscreen). "fresh start": the window opens, the sample model
of the family is picked, Compose (the default: a whole piece in a form of the corpus; 500
events before pieces had form) is clicked as soon as the window shows
(TensorFlow is still loading in the engine), and the time to the piece on the piano roll is
measured. "after a scan": the same, after scanning a band folder (the last --band-files files of
resources/band_corpus by name: its 8 pieces that are not chorales and 4 chorales, copied to a
temporary folder), so the piece is measured against that folder; "metrics" is the time until
the metrics line says how close the piece sounds to it. With --before, the same runs on a
checkout of COMMIT (a git worktree), side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = r"""
import json, os, sys, time, tempfile
from pathlib import Path
t_start = time.perf_counter()
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from musicstudio.gui.main_window import MainWindow
tmp = Path(tempfile.mkdtemp())
window = MainWindow(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
window.show()
app.processEvents()
shown = time.perf_counter() - t_start
family, band = sys.argv[1], sys.argv[2]
def wait(cond, limit=300):
    t = time.perf_counter()
    while time.perf_counter() - t < limit and not cond():
        app.processEvents()
        time.sleep(0.002)
if band:
    window.dataset.load([band])
    wait(lambda: window.session.corpus is not None and window.dataset.scan_thread is None)
cp = window.compose
index = next(i for i in range(cp.model.count()) if f"sample-{family}" in str(cp.model.itemData(i)))
cp.model.setCurrentIndex(index)
if hasattr(cp, "form"):  # the default Compose: a whole piece in a form of the corpus
    cp.length.setValue(cp.length.minimum())
else:  # before pieces had form: 500 events
    cp.length.setValue(500)
def compose_once():
    before = cp.composed
    t = time.perf_counter()
    cp.compose()
    wait(lambda: cp.composed > before and cp.job is None)
    shown = time.perf_counter() - t
    wait(lambda: "Sounds" in cp.metrics.text(), 60)
    return shown, time.perf_counter() - t
first, first_metrics = compose_once()
second, second_metrics = compose_once()
print(json.dumps({"shown": shown, "first": first, "first_metrics": first_metrics,
                  "second": second, "second_metrics": second_metrics}))
window.close()
"""


def band_folder(files: int) -> Path:
    """A folder of the last `files` band files by name (see the module's docstring)."""
    folder = Path(tempfile.mkdtemp()) / "band"
    folder.mkdir()
    for f in sorted((ROOT / "resources" / "band_corpus").glob("*.mid"))[-files:]:
        shutil.copy(f, folder / f.name)
    return folder


def measure(tree: Path, family: str, band: Path | None) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SDL_AUDIODRIVER": "dummy",
           "PYTHONPATH": str(tree)}  # fmt: skip
    with tempfile.TemporaryDirectory() as data:
        env["MUSICSTUDIO_DATA_DIR"] = data
        env["MUSICSTUDIO_CACHE_DIR"] = str(Path(data) / "cache")  # a folder never scanned
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, family, str(band or "")], cwd=tree, env=env,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="a commit to compare with (checked out in a worktree)")
    ap.add_argument("--band-files", type=int, default=12, help="files of the scanned folder")
    ap.add_argument("--families", nargs="+", default=["lstm", "wavenet"])
    args = ap.parse_args()
    trees = [("now", ROOT)]
    tmp = None
    if args.before:
        tmp = Path(tempfile.mkdtemp()) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(tmp), args.before], cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip
        trees.insert(0, (args.before[:7], tmp))
    band = band_folder(args.band_files)
    try:
        print(f"{'code':<8} {'case':<13} {'model':<8} {'window':>7} {'1st Compose':>12}"
              f" {'metrics':>8} {'2nd Compose':>12} {'metrics':>8}")  # fmt: skip
        for name, tree in trees:
            for case, folder in (("fresh start", None), ("after a scan", band)):
                for family in args.families:
                    m = measure(tree, family, folder)
                    print(f"{name:<8} {case:<13} {family:<8} {m['shown']:>6.2f}s"
                          f" {m['first']:>11.2f}s {m['first_metrics']:>7.2f}s"
                          f" {m['second']:>11.2f}s {m['second_metrics']:>7.2f}s")  # fmt: skip
    finally:
        shutil.rmtree(band.parent, ignore_errors=True)
        if tmp is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp)], cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
