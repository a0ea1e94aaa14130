"""Does reading the meter help? Each folder's model trained with and without it.

    python benchmarks/meter.py [FOLDER ...] [--families wavenet lstm] [--minutes 3]
                               [--pieces 20]

Folders (benchmarks/form_corpora.py and small_folder.py): `folk` (the whole training half of
Ryan's Mammoth Collection: 2/4, 2/2, 6/8, 4/4 and 9/8 tunes), `folk-5`, `folk-12` (the small
folders), `trecento-12` (2/4, 3/4, 6/8, 9/8; never used to choose anything). Per folder and
family two models are trained from a fresh process as a user would (`musicstudio train
--minutes M --seed 0`, with `--no-meter` and `--meter`; once, reused after), then --pieces
default compositions of each (a whole piece in a form of the folder, the novelty guard on, as
Compose makes them) are compared with the collection's held-out test files, first 32 bars:
  OA      mean overlap area over the note, track and form features (form.py's row)
  npb     the overlap area of notes per bar, the feature the meter is for
  copy    share of 8-event phrases found in the training folder
  by meter  notes per bar of the pieces in each meter (the test files' in the first line)
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from form import FAMILIES, ROOT, Piece, composed, real_pieces, row, say
from form_corpora import OUT, prepare
from small_folder import folder_of

from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.corpus import ScanOptions, scan
from musicstudio.core.music.metrics import CorpusProfile
from musicstudio.core.music.quality import piece_features

MODELS = OUT.parent / "meter"


def source(name: str) -> tuple[Path, Path]:
    """The training folder and the held-out test files of a folder name."""
    collection, _, size = name.partition("-")
    if size:
        return folder_of(OUT / collection, int(size)), OUT / collection / "test"
    return OUT / collection / "train", OUT / collection / "test"


def model(name: str, family: str, meter: bool, minutes: float) -> Path:
    path = MODELS / f"{name}-{family}-{'meter' if meter else 'no-meter'}.msb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        say(f"training {path.name} for {minutes} min …")
        cmd = [sys.executable, "-m", "musicstudio", "train", str(source(name)[0])]
        cmd += ["--model", family, "--minutes", str(minutes), "--seed", "0", "--out", str(path)]
        cmd += ["--meter" if meter else "--no-meter"]
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return path


def by_meter(pieces: list[Piece]) -> str:
    density: dict[tuple[int, int], list[float]] = collections.defaultdict(list)
    for p in pieces:
        density[p.notes.time_signature].append(piece_features(p.notes).notes_per_bar)
    return " ".join(f"{n}/{d} {np.mean(v):.1f}" for (n, d), v in sorted(density.items()))


def compare(name: str, family: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    folder, test_dir = source(name)
    test = real_pieces(test_dir)
    rows = []
    for meter in (False, True):
        bundle = load_bundle(model(name, family, meter, args.minutes))
        assert bundle.config.meter == meter
        corpus = scan([folder], ScanOptions(threshold=int(bundle.vocab.threshold)))
        hashes = CorpusProfile.from_events(corpus.streams, bundle.vocab).ngram_hashes
        pieces = composed(bundle, args.pieces, "corpus", corpus)
        r = row("meter" if meter else "no meter", pieces, test, hashes)
        r.update(folder=name, family=family, by_meter=by_meter(pieces), test=by_meter(test))
        rows.append(r)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("folders", nargs="*", default=["folk", "folk-5", "folk-12", "trecento-12"])
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--pieces", type=int, default=20)
    args = ap.parse_args()
    prepare()
    print(
        "| folder | family | meter | mean OA | npb OA | weakest | copy | notes per bar by meter |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.folders:
        for family in args.families:
            for r in compare(name, family, args):
                print(
                    f"| {name} | {family} | {r['row']} | {r['mean_oa']:.3f}"
                    f" | {r['overlaps']['notes per bar']:.2f} | {r['weakest']}"
                    f" | {r['copy_rate']:.1%} | {r['by_meter']} (test: {r['test']}) |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
