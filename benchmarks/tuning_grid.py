"""Every (pitch, rhythm) temperature pair of the tuning grid on trained models: how close the
pieces come to the test files (what the quality benchmark reports) and to the validation files
(all that compose/tuning.py can see when it picks a pair after training).

    python benchmarks/tuning_grid.py DIR --bundles BUNDLES [--families wavenet lstm] [--pieces 40]

BUNDLES holds models trained on DIR's split by `quality.py DIR --bundles BUNDLES` (the same
--seed and --test-share). Prints one table per model; the pair tuning picks is marked *.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality  # noqa: E402

from musicstudio.core.compose.composer import Composer, ComposeSettings  # noqa: E402
from musicstudio.core.compose.sampling import SamplingSettings  # noqa: E402
from musicstudio.core.compose.tuning import RHYTHM_TEMPERATURES, TEMPERATURES  # noqa: E402
from musicstudio.core.learn.bundle import load_bundle  # noqa: E402
from musicstudio.core.music.closeness import Reference, closeness  # noqa: E402
from musicstudio.core.music.metrics import token_rows  # noqa: E402


def grid(bench: quality.Bench, bundle_path: Path, pieces: int) -> list[dict[str, float]]:
    bundle = load_bundle(bundle_path)
    composer = Composer(bundle)
    ts = bundle.time_signature
    validation = Reference.from_tokens(bench.data.validation, bench.vocab, ts)
    everything = Reference.from_tokens([*bench.data.validation, *bench.data.train], bench.vocab, ts)
    rows = []
    for temperature, rhythm in itertools.product(TEMPERATURES, RHYTHM_TEMPERATURES):
        sampling = SamplingSettings(seed=0, temperature=temperature, rhythm_temperature=rhythm)
        made = composer.compose(
            ComposeSettings(length=bench.length, variations=pieces, sampling=sampling)
        )
        test = quality.score(
            bench, "", {"pieces": [quality.Piece(token_rows(c.tokens), c.notes) for c in made]}
        )
        tokens = [c.tokens for c in made]
        val, val16 = closeness(tokens, validation), closeness(tokens[:16], validation)
        wide = closeness(tokens, everything)  # validation and training files
        nan = float("nan")
        rows.append(
            {
                "temperature": temperature,
                "rhythm": rhythm,
                "test": test["mean_oa"],
                "test_min": test["min_oa"],
                "validation": val.mean_overlap if val else nan,
                "validation_min": val.weakest.overlap if val else nan,
                "validation_16": val16.mean_overlap if val16 else nan,
                "validation_16_min": val16.weakest.overlap if val16 else nan,
                "all_files": wide.mean_overlap if wide else nan,
                "all_files_min": wide.weakest.overlap if wide else nan,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--bundles", type=Path, required=True)
    ap.add_argument("--families", nargs="+", default=["wavenet", "lstm"])
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test-share", type=float, default=0.2)
    ap.add_argument("--events", type=int, default=256)
    ap.add_argument("--json", action="store_true", help="one JSON line per model, every figure")
    args = ap.parse_args()
    args.transpose = 0
    folder = Path(os.path.abspath(args.dir))
    folder = folder.relative_to(quality.ROOT) if folder.is_relative_to(quality.ROOT) else folder
    os.chdir(quality.ROOT)  # the split hashes paths relative to the repository
    bench = quality.prepare(folder.name.replace("_", " "), folder, args)
    for family in args.families:
        path = args.bundles / f"{bench.name.replace(' ', '-')}-{family}.msb"  # as quality.py
        rows = grid(bench, path, args.pieces)
        if args.json:
            print(json.dumps({"corpus": bench.name, "family": family, "rows": rows}))
            continue
        picked = max(rows, key=lambda r: r["validation"])
        print(f"\n{bench.name}, {family}: test mean / min OA; validation closeness")
        print("pitch T \\ rhythm T" + "".join(f"{r:>22}" for r in RHYTHM_TEMPERATURES))
        for t in TEMPERATURES:
            cells = [r for r in rows if r["temperature"] == t]
            print(
                f"{t:<18}"
                + "".join(
                    f"{'*' if r is picked else ' '}{r['test']:.3f} / {r['test_min']:.2f}; "
                    f"{r['validation']:.3f}".rjust(22)
                    for r in cells
                )
            )


if __name__ == "__main__":
    main()
