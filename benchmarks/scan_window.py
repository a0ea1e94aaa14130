"""A scan as the window's user meets it: drop a folder, wait for the files, then their forms.

    python benchmarks/scan_window.py [DIR] [--runs 2]

Each run is a fresh app process (offscreen Qt) with an empty scan cache: the window is built
and shown as `musicstudio` shows it (which starts the scan's worker server), the user takes two
seconds to find the folder, then drops it on the Dataset panel. Timed from the drop: the corpus
ready (files listed, summary, Train enabled), and every file's form shown. The window scans with
one worker fewer than the machine has cores (one core is left to the UI).
Default DIR: bench_data/pop1000 (`ingest.py` writes it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(folder: Path) -> None:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from musicstudio.core.music.worker_server import warm_up
    from musicstudio.gui.main_window import MainWindow

    app = QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        window.show()
        warm_up()  # as gui/app.py does once the window shows
        end = time.perf_counter() + 2.0  # the user finds the folder
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)
        panel = window.dataset
        ticks: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start(10)  # the event loop's pulse: how late a 10 ms timer fires shows a stall
        t0 = time.perf_counter()
        panel.load([str(folder)])
        marks: dict[str, float] = {}
        while "formed" not in marks and time.perf_counter() - t0 < 600:
            app.processEvents()
            corpus = window.session.corpus
            if corpus is not None and "listed" not in marks:
                marks["listed"] = time.perf_counter() - t0
            if corpus is not None and corpus.form is not None:
                marks["formed"] = time.perf_counter() - t0
            time.sleep(0.002)
        timer.stop()
        files = window.session.corpus.stats["files"] if window.session.corpus else 0
        window.close()
    gaps = sorted(b - a for a, b in zip(ticks, ticks[1:], strict=False))
    stall = {"stall_max": gaps[-1], "stall_p99": gaps[int(0.99 * (len(gaps) - 1))]}
    print(json.dumps({"files": files, **marks, **stall}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", nargs="?", type=Path, default=ROOT / "bench_data" / "pop1000")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.dir)
        return 0
    rows = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, MUSICSTUDIO_CACHE_DIR=cache, QT_QPA_PLATFORM="offscreen")
            out = subprocess.run(
                [sys.executable, __file__, str(args.dir), "--child"],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    n = rows[0]["files"]
    for key, label in (("listed", "files listed, corpus ready"), ("formed", "every file's form")):
        times = [r[key] for r in rows]
        best, median = min(times), statistics.median(times)
        print(f"{label:28s} {median:6.2f} s median ({best:.2f} best) {n / median:6.0f} files/s")
    stall = max(r["stall_max"] for r in rows) * 1e3
    p99 = statistics.median(r["stall_p99"] for r in rows) * 1e3
    print(f"UI: a 10 ms timer fired at worst {stall:.0f} ms apart (99th percentile {p99:.0f} ms)")
    print(f"{n} files, {args.runs} fresh app processes, cold cache, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
