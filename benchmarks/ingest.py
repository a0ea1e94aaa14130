"""Scan speed and memory: cold and warm scans of a MIDI folder vs a music21 baseline, one run.

    python benchmarks/ingest.py [DIR] [--files 1000] [--varied] [--big 10000]

Without DIR, writes synthetic multi-track pop files (~5,000 notes each) under bench_data/:
five tidy tracks, or with --varied 8-16 tracks shaped like real files (popmidi.varied_score).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from popmidi import write_pop_folder

from musicstudio.core.music.corpus import find_midi_files, scan

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def timed_scan(paths: list[Path], cache: Path) -> tuple[float, dict]:
    t0 = time.perf_counter()
    corpus = scan(paths, cache_dir=cache)
    return time.perf_counter() - t0, corpus.stats


def row(label: str, files: int, notes: int, seconds: float, extra: str = "") -> None:
    print(
        f"{label:<34} {files:>7} files {seconds:8.3f} s {files / seconds:10.0f} files/s "
        f"{notes / seconds / 1e6:7.2f} M notes/s  {extra}"
    )


def big_child(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as cache:
        seconds, stats = timed_scan([folder], Path(cache))
        seconds_warm, _ = timed_scan([folder], Path(cache))
    me, kids = peak_rss_mb()
    print(
        json.dumps(
            {
                "files": stats["files"],
                "notes": stats["notes"],
                "cold": seconds,
                "warm": seconds_warm,
                "rss_main_mb": me,
                "rss_worker_mb": kids,
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", type=Path)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--varied", action="store_true", help="8-16 tracks, tempo changes, some played")
    ap.add_argument("--baseline", type=int, default=3, help="files for the music21 baseline")
    ap.add_argument(
        "--big", type=int, default=0, help="also scan a synthetic folder of N files (~1,000 notes)"
    )
    ap.add_argument("--big-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.big_child:
        big_child(args.big_child)
        return 0
    folder = args.dir or ROOT / "bench_data" / f"pop{'_varied' if args.varied else ''}{args.files}"
    if args.dir is None:
        print(f"writing synthetic pop MIDI to {folder} …", flush=True)
        write_pop_folder(folder, args.files, varied=args.varied)
    files = find_midi_files([folder])
    print(f"\n{len(files)} files in {folder}")
    with tempfile.TemporaryDirectory() as tmp:
        # Warm the worker start-up path once (import caches), as a user's second launch would.
        first300 = files[:300]
        s300, st300 = timed_scan(first300, Path(tmp) / "a")
        cold, st = timed_scan(files, Path(tmp) / "b")
        warm, stw = timed_scan(files, Path(tmp) / "b")
    assert stw["cached"] == stw["files"], "warm scan did not use the cache"
    row("ours, cold, first 300 files", st300["files"], st300["notes"], s300)
    row("ours, cold, all files", st["files"], st["notes"], cold)
    row("ours, warm (cache)", stw["files"], stw["notes"], warm)
    print(
        f"note recall {st['note_recall']:.4f} at threshold {st['threshold']}, vocabulary {st['vocab_size']}, "
        f"notes/file {st['notes'] / max(1, st['ok']):.0f}"
    )

    from music21 import converter

    sample = files[: args.baseline]
    t0 = time.perf_counter()
    for f in sample:
        converter.parse(str(f), forceSource=True)
    base = time.perf_counter() - t0
    row(
        "music21 converter.parse",
        len(sample),
        st["notes"] // max(1, st["files"]) * len(sample),
        base,
    )
    print(f"speed-up (cold scan vs music21): {len(files) / cold / (len(sample) / base):.0f}x")
    me, kids = peak_rss_mb()
    print(
        f"peak RSS: main process {me:.0f} MB (forkserver workers are not its children: not counted)"
    )

    if args.big:
        big = ROOT / "bench_data" / f"pop_small{args.big}"
        print(f"\nwriting {args.big} synthetic files (~1,000 notes) to {big} …", flush=True)
        write_pop_folder(big, args.big, target_notes=1000)
        out = subprocess.run(
            [sys.executable, __file__, "--big-child", str(big)], capture_output=True, text=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        row("ours, cold, big folder", r["files"], r["notes"], r["cold"])
        row("ours, warm, big folder", r["files"], r["notes"], r["warm"])
        print(f"big folder peak RSS: main process {r['rss_main_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
