"""Write the Bach chorales of music21's bundled corpus to MIDI (resources/sample_corpus/).

Reproducible: the same music21 version gives the same files. Usage:
    python scripts/make_sample_corpus.py [--limit N] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "sample_corpus")
    ap.add_argument("--limit", type=int, default=0, help="at most N chorales (0 = all)")
    args = ap.parse_args(argv)

    from music21 import corpus

    args.out.mkdir(parents=True, exist_ok=True)
    paths = sorted(p for p in corpus.getComposer("bach") if "bwv" in Path(p).name.lower())
    if args.limit:
        paths = paths[: args.limit]
    written = 0
    for p in paths:
        name = Path(p).name.rsplit(".", 1)[0]
        target = args.out / f"{name}.mid"
        if target.exists():
            written += 1
            continue
        try:
            score = corpus.parse(p)
            score.write("midi", fp=target)
            written += 1
        except Exception as e:  # a few corpus entries do not convert; say so and go on
            print(f"skipped {name}: {e}", file=sys.stderr)
    print(f"{written} MIDI files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
