"""The app's first Compose: from a fresh start, click Compose at once, time until the piece shows.

    python benchmarks/first_compose.py [--before COMMIT]

Each row is a fresh app process (offscreen): the window opens, the sample model of the family
is picked, Compose (500 events) is clicked as soon as the window shows (TensorFlow is still
loading in the engine), and the time to the piece on the piano roll is measured. With
--before, the same runs on a checkout of COMMIT (a git worktree), side by side.
"""

from __future__ import annotations

import argparse
import json
import os
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
cp = window.compose
family = sys.argv[1]
index = next(i for i in range(cp.model.count()) if f"sample-{family}" in str(cp.model.itemData(i)))
cp.model.setCurrentIndex(index)
cp.length.setValue(500)
def compose_once():
    before = getattr(cp, "composed", 0)
    had = list(cp.pieces)
    t = time.perf_counter()
    cp.compose()
    while time.perf_counter() - t < 300:
        app.processEvents()
        done = cp.composed > before if hasattr(cp, "composed") else cp.pieces != had
        if done and cp.job is None:
            break
        time.sleep(0.002)
    return time.perf_counter() - t
first = compose_once()
t1 = time.perf_counter()
compose_once()
print(json.dumps({"shown": shown, "first": first, "second": time.perf_counter() - t1}))
window.close()
"""


def measure(tree: Path, family: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SDL_AUDIODRIVER": "dummy",
           "PYTHONPATH": str(tree)}  # fmt: skip
    with tempfile.TemporaryDirectory() as data:
        env["MUSICSTUDIO_DATA_DIR"] = data
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, family], cwd=tree, env=env, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="a commit to compare with (checked out in a worktree)")
    args = ap.parse_args()
    trees = [("now", ROOT)]
    tmp = None
    if args.before:
        tmp = Path(tempfile.mkdtemp()) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(tmp), args.before], cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip
        trees.insert(0, (args.before[:7], tmp))
    try:
        print(f"{'code':<8} {'model':<8} {'window':>7} {'1st Compose':>12} {'2nd Compose':>12}")
        for name, tree in trees:
            for family in ("lstm", "wavenet"):
                m = measure(tree, family)
                print(f"{name:<8} {family:<8} {m['shown']:>6.2f}s {m['first']:>11.2f}s"
                      f" {m['second']:>11.2f}s")  # fmt: skip
    finally:
        if tmp is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp)], cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
