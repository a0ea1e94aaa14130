"""A musician's own small folder: 5, 12 or 30 pieces, trained for minutes, judged on held-out pieces.

    python benchmarks/small_folder.py [--collections folk band chorales] [--sizes 5 12 30]
                                      [--families wavenet lstm] [--minutes 3] [--pieces 20]
                                      [--pitch-top-p 0.9]

Each collection (benchmarks/form_corpora.py; folk is never tuned on) is split into train and
test files. A folder of the first N train files (by name) is trained with `musicstudio train
--minutes M` from a fresh process, as a user would, once per family; then --pieces default
compositions (a whole piece in a form of the folder) are compared with the collection's test
files, the first 32 bars of each, over the note, track and form features (benchmarks/form.py).
Columns: how long it trained (of the budget), the mean overlap area (OA) of the compositions
and of the folder's own files (the same reference), the weakest feature, how many features are
below 0.70, the form figures, and the copy rate against the folder (8-event phrases).
The done-when of "Your own small folder" follows the table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from form import FAMILIES, ROOT, composed, real_pieces, row
from form_corpora import OUT, prepare

from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.corpus import ScanOptions, scan
from musicstudio.core.music.form import FORM_FEATURES
from musicstudio.core.music.metrics import CorpusProfile

WORK = OUT / "small"


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def folder_of(collection: Path, size: int) -> Path:
    """The first `size` training files of a collection, copied to their own folder."""
    target = WORK / f"{collection.name}-{size}"
    if not target.exists():
        target.mkdir(parents=True)
        for f in sorted((collection / "train").glob("*.mid"))[:size]:
            shutil.copyfile(f, target / f.name)
    return target


def train(folder: Path, family: str, minutes: float) -> tuple[Path, dict[str, Any]]:
    """A model of the folder, trained once from a fresh process (reused after)."""
    bundle = WORK / "models" / f"{folder.name}-{family}.msb"
    summary_path = bundle.with_suffix(".json")
    if not bundle.exists():
        bundle.parent.mkdir(parents=True, exist_ok=True)
        say(f"training {bundle.name} for {minutes} min …")
        cmd = [sys.executable, "-m", "musicstudio", "train", str(folder), "--model", family]
        cmd += ["--minutes", str(minutes), "--seed", "0", "--out", str(bundle), "--json"]
        done = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True)
        summary_path.write_text(done.stdout)
    return bundle, json.loads(summary_path.read_text())


def run(collection: str, size: int, family: str, args: argparse.Namespace) -> dict[str, Any]:
    source = OUT / collection
    folder = folder_of(source, size)
    test = real_pieces(source / "test")
    own = real_pieces(folder)
    path, trained = train(folder, family, args.minutes)
    bundle = load_bundle(path)
    if args.pitch_top_p and bundle.sampling is not None:  # the tuned nucleus, overridden
        bundle.sampling = replace(bundle.sampling, pitch_top_p=args.pitch_top_p)
    corpus = scan([folder], ScanOptions(threshold=int(bundle.vocab.threshold)))
    hashes = CorpusProfile.from_events(corpus.streams, bundle.vocab).ngram_hashes
    t0 = time.perf_counter()
    ours = row("ours", composed(bundle, args.pieces, "corpus", corpus), test, hashes)
    theirs = row("folder", own, test, None)
    return {
        "collection": collection,
        "files": size,
        "family": family,
        "trained_seconds": trained["seconds"],
        "epochs": trained["epochs"],
        "why_stopped": trained["why_stopped"],
        "ours": ours,
        "folder": theirs,
        "compose_seconds": (time.perf_counter() - t0) / args.pieces,
    }


def table(results: list[dict[str, Any]], minutes: float) -> str:
    lines = [
        "| collection | files | family | trained | mean OA (folder's own) | weakest | features < 0.70"
        " | near / exact / lag (test) | copy rate |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        o, f = r["ours"], r["folder"]
        low = sum(1 for v in o["overlaps"].values() if v < 0.70)
        lines.append(
            f"| {r['collection']} | {r['files']} | {r['family']} | {r['trained_seconds'] / 60:.1f} of"
            f" {minutes:g} min | {o['mean_oa']:.3f} ({f['mean_oa']:.3f}) | {o['weakest']} | {low}"
            f" | {o['near_repeat']:.0%} / {o['exact_repeat']:.0%} / {o['lag_similarity']:.2f}"
            f" ({r['test'][0]:.0%} / {r['test'][1]:.0%} / {r['test'][2]:.2f}) | {o['copy_rate']:.1%} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--collections", nargs="+", default=["folk", "band", "chorales"])
    ap.add_argument("--sizes", nargs="+", type=int, default=[5, 12, 30])
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--pieces", type=int, default=20)
    ap.add_argument(
        "--pitch-top-p",
        type=float,
        default=None,
        help="compose at this pitch nucleus instead of the one the tuning chose",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    prepare()
    results = []
    for collection in args.collections:
        test = real_pieces(OUT / collection / "test")
        reference = row("test", test, test, None)
        for size in args.sizes:
            for family in args.families:
                r = run(collection, size, family, args)
                r["test"] = [reference[f] for f in FORM_FEATURES]
                results.append(r)
                say(f"{collection} {size} {family}: mean OA {r['ours']['mean_oa']:.3f}")
    if args.json:
        print(json.dumps(results, indent=1, default=float))
    else:
        print(table(results, args.minutes))
        gaps = [r["folder"]["mean_oa"] - r["ours"]["mean_oa"] for r in results]
        print(f"- largest gap to the folder's own: {max(gaps):.3f} (bar: 0.08)")
        print(f"- least trained: {min(r['trained_seconds'] for r in results) / 60:.1f} min")
        print(
            f"- median compose: {np.median([r['compose_seconds'] for r in results]):.2f} s a piece"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
