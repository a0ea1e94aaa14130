"""What the representation keeps of real files: representation 1 (one merged line) vs 2 (parts).

    python benchmarks/representation.py [DIR ...] [--pop 100]

For each folder (default: the shipped chorales, the shipped band corpus and --pop synthetic band
files), side by side in one run:
- duration-exact share: notes that come back with their onset, pitch and exact grid duration.
  Representation 1 is replayed here as it was: every note of an onset merged into one event
  with the onset's longest duration and the mean velocity, all parts on one piano line; its
  share counts the pitched notes only (it dropped the drums, reported but not learned).
- strict note recall of representation 2 (onset, pitch, part, duration class; velocity class
  within one) after the vocabulary at the default threshold, and the old onset+pitch measure;
- files whose round trip keeps every part; events per note (sequence length the model sees).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from popmidi import write_pop_folder

from musicstudio.core.music.corpus import scan
from musicstudio.core.music.events import quantize
from musicstudio.core.music.learned import as_learned
from musicstudio.core.music.midi import read_midi

ROOT = Path(__file__).resolve().parents[1]


def v1_duration_exact(notes) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Share of notes representation 1 gave back with their exact duration, and its event count."""
    on, du, pi, _, _ = quantize(notes)
    key = on * 128 + pi
    order = np.argsort(key, kind="stable")
    on, du, pi, key = on[order], du[order], pi[order], key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])  # v1 merged unisons across parts
    on, du = on[first], np.maximum.reduceat(du, first)
    starts = np.flatnonzero(np.r_[True, on[1:] != on[:-1]])
    longest = np.maximum.reduceat(du, starts)
    group = np.cumsum(np.r_[True, on[1:] != on[:-1]]) - 1
    return float((du == longest[group]).mean()), int(starts.size)


def measure(folder: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as cache:
        corpus = scan([folder], cache_dir=Path(cache))
    v1_exact, v1_events, v2_exact, strict, onset_pitch, kept_parts, notes = [], [], [], [], [], 0, 0
    t0 = time.perf_counter()
    for path in corpus.ok_paths:
        original = read_midi(path)
        pitched = original.select(original.parts != 7)  # representation 1 dropped the drums
        exact, events = v1_duration_exact(pitched)
        learned, recall = as_learned(original, corpus.vocab)
        n = recall.notes
        notes += n
        v1_exact.append(exact)
        v1_events.append(events)
        v2_exact.append(recall.duration_exact)
        strict.append(recall.strict)
        onset_pitch.append(recall.onset_pitch)
        kept_parts += learned.notes_per_part().keys() == original.notes_per_part().keys()
    w = np.array([len(quantize(read_midi(p))[0]) for p in corpus.ok_paths], float)
    w /= w.sum()
    return {
        "files": len(corpus.ok_paths),
        "notes": notes,
        "v1_duration_exact": float(np.dot(v1_exact, w)),
        "v2_duration_exact": float(np.dot(v2_exact, w)),
        "v2_strict_recall": float(np.dot(strict, w)),
        "v2_onset_pitch_recall": float(np.dot(onset_pitch, w)),
        "files_keeping_every_part": kept_parts / max(1, len(corpus.ok_paths)),
        "v1_events_per_note": sum(v1_events) / max(1, notes),
        "v2_events_per_note": corpus.stats["events"] / max(1, notes),
        "seconds": time.perf_counter() - t0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--pop", type=int, default=100, help="synthetic band files (0: none)")
    args = ap.parse_args(argv)
    folders = list(args.dirs)
    if not folders:
        folders = [ROOT / "resources" / "sample_corpus"]
        if (ROOT / "resources" / "band_corpus").is_dir():
            folders.append(ROOT / "resources" / "band_corpus")
        if args.pop:
            pop = ROOT / "bench_data" / "pop"
            write_pop_folder(pop, args.pop)
            folders.append(pop)
    print(
        f"{'corpus':<16} {'files':>5} {'notes':>9}  {'exact dur v1':>12} {'exact dur v2':>12}"
        f" {'strict v2':>9} {'onset+pitch':>11} {'all parts':>9} {'ev/note v1':>10} {'v2':>5}"
    )
    for folder in folders:
        r = measure(folder)
        print(
            f"{folder.name[:16]:<16} {r['files']:>5} {r['notes']:>9,}  {r['v1_duration_exact']:>12.4f}"
            f" {r['v2_duration_exact']:>12.4f} {r['v2_strict_recall']:>9.4f}"
            f" {r['v2_onset_pitch_recall']:>11.4f} {r['files_keeping_every_part']:>9.1%}"
            f" {r['v1_events_per_note']:>10.3f} {r['v2_events_per_note']:>5.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
