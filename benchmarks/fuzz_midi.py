"""Fuzz the MIDI reading path through the real scan pipeline (worker processes, time limits).

    python benchmarks/fuzz_midi.py [--inputs 50000] [--round 5000]

Inputs are mutations of the shipped chorales plus random bytes (benchmarks/mutate.py).
Every input must end "ok" or with a reason; the scan must never raise or hang. Prints
counts by status, crashes of the parser caught by the worker pool, time-outs, speed and
peak memory of the main process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from mutate import hostile_inputs

    from musicstudio.core.music.corpus import CRASHED, TOO_SLOW, scan

    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=50_000)
    ap.add_argument("--round", type=int, default=5_000, help="files per scan")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    seeds = [
        f.read_bytes() for f in sorted((ROOT / "resources" / "sample_corpus").glob("*.mid"))[:100]
    ]
    statuses: Counter[str] = Counter()
    crashes = timeouts = errors = 0
    t0 = time.perf_counter()
    done = 0
    gen = hostile_inputs(seeds, args.inputs, seed=args.seed)
    tmp = Path(tempfile.mkdtemp())
    try:
        while done < args.inputs:
            folder = tmp / f"round{done}"
            folder.mkdir()
            n = min(args.round, args.inputs - done)
            for i in range(n):
                (folder / f"f{i:05d}.mid").write_bytes(next(gen))
            try:
                corpus = scan([folder], cache_dir=tmp / "cache", use_cache=False)
            except Exception as e:  # a scan must never raise for a file: count it as a failure
                errors += 1
                print(f"scan raised: {type(e).__name__}: {e}", file=sys.stderr)
                done += n
                continue
            assert len(corpus.files) == n, "a file went unreported"
            for r in corpus.files:
                statuses[r.status] += 1
                crashes += r.reason == CRASHED
                timeouts += r.reason.startswith(TOO_SLOW)
                assert r.status == "ok" or r.reason, r
            done += n
            shutil.rmtree(folder)
            print(f"{done:>7,} inputs  {dict(statuses)}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{done:,} inputs in {seconds:.0f} s ({done / seconds:,.0f}/s); by status: {dict(statuses)}"
    )
    print(
        f"parser crashes caught by the pool: {crashes}; time-outs: {timeouts}; scans that raised: {errors}"
    )
    print(f"peak RSS (main process): {rss:.0f} MB")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
