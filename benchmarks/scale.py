"""Key: like your files. Pieces kept to one scale where the files keep to one, and not.

    python benchmarks/scale.py [CORPUS ...] [--pieces 40] [--minutes 3]

Per corpus (benchmarks/form_corpora.py): how much of each training file lies in one diatonic
scale (the median and the share of files at 0.99 or more; a corpus "keeps to one scale" when
its median is KEEPS_SCALE or more), then, for a corpus that does, per family, --pieces default
compositions (form.py's: a whole piece in a form of the corpus, the novelty guard on) of
  any                the model as it was: tuned and composed with no key (Key 'any', the
                     earlier default)
  any tuning, files  the same model composing with the default Key 'like your files' (the
                     primer's scale): the lock's own effect, at the same temperatures
  files              the same weights tuned and composed with the lock, as a model trained
                     now is (the tuning picks its temperatures on pieces that keep the scale)
against the held-out test files' first 32 bars: the mean overlap area over note, track and
form features (form.py's row), the pitch features it is for, the weakest, the copy rate.
The model is form.py's (trained once, reused); the 'any' copy is tuned again once with the
scale rule off (bench_data/form/models/CORPUS-FAMILY-any.msb).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from form import FAMILIES, bundle_for, composed, real_pieces, row, say
from form_corpora import OUT, prepare

from musicstudio.core.compose.tuning import tune_bundle
from musicstudio.core.learn.bundle import ModelBundle, load_bundle
from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.training import TrainSettings
from musicstudio.core.music.corpus import Corpus, ScanOptions, scan
from musicstudio.core.music.form_profile import KEEPS_SCALE
from musicstudio.core.music.metrics import CorpusProfile
from musicstudio.core.music.midi import read_midi
from musicstudio.core.music.theory import pitch_class_histogram
from musicstudio.core.music.tonality import scale_share

PITCH_FEATURES = ("pitch classes", "pc transitions", "distinct pitches", "pitch range")


def shares(folder: Path) -> np.ndarray:
    """Each file's share of its notes in one diatonic scale (files with pitched notes)."""
    out = [scale_share(pitch_class_histogram(read_midi(f))) for f in sorted(folder.glob("*.mid"))]
    return np.array([s for s in out if s > 0])


def without_scale(name: str, family: str, bundle: ModelBundle, corpus: Corpus) -> ModelBundle:
    """The model with the scale rule off (its files' shares forgotten), tuned again as the
    train job tunes (once; kept beside the model)."""
    path = OUT / "models" / f"{name}-{family}-any.msb"
    assert bundle.form is not None
    if not path.exists():
        shutil.copyfile(OUT / "models" / f"{name}-{family}.msb", path)
        plain = load_bundle(path)
        plain.form = replace(bundle.form, in_scale=())
        plain.save(path)
        s = TrainSettings()
        data = TrainingData.from_corpus(
            corpus, s.validation_share, s.seed, augment=s.augment, window=bundle.config.window
        )
        say(f"tuning {path.name} with no key …")
        tune_bundle(path, [*data.validation, *data.train])
    plain = load_bundle(path)
    plain.form = replace(bundle.form, in_scale=())  # the model's profile now, but for the scale
    return plain


def run_corpus(name: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    train_shares = shares(folder / "train")
    result: dict[str, Any] = {
        "corpus": name,
        "median_share": float(np.median(train_shares)),
        "files_in_one_scale": float(np.mean(train_shares >= 0.99)),
        "keeps_scale": bool(np.median(train_shares) >= KEEPS_SCALE),
        "rows": [],
    }
    if not result["keeps_scale"] and not args.all:
        return result
    test = real_pieces(folder / "test")
    for family in args.families:
        bundle = bundle_for(name, family, args.minutes)
        options = ScanOptions(threshold=int(bundle.vocab.threshold))
        corpus = scan([folder / "train"], options)
        hashes = CorpusProfile.from_events(corpus.streams, bundle.vocab).ngram_hashes
        plain = without_scale(name, family, bundle, corpus)
        for label, model in (
            ("any", plain),
            ("any tuning, files", replace(plain, form=bundle.form)),
            ("files", bundle),
        ):
            r = row(
                f"{family} {label}", composed(model, args.pieces, "corpus", corpus), test, hashes
            )
            r["tuning"] = model.sampling.in_words() if model.sampling else ""
            result["rows"].append(r)
            say(f"{name} {family} {label}: mean OA {r['mean_oa']:.3f}")
    return result


def table(result: dict[str, Any]) -> str:
    lines = [
        f"\n{result['corpus']}: median file {result['median_share']:.3f} of its notes in one"
        f" scale, {result['files_in_one_scale']:.0%} of files at 0.99 or more:"
        f" {'keeps' if result['keeps_scale'] else 'does not keep'} to one scale"
    ]
    if result["rows"]:
        lines.append(
            "| model | mean OA | " + " | ".join(PITCH_FEATURES) + " | weakest | copy rate |"
        )
        lines.append("|---" * (len(PITCH_FEATURES) + 4) + "|")
    for r in result["rows"]:
        pitch = " | ".join(f"{r['overlaps'][f]:.2f}" for f in PITCH_FEATURES)
        lines.append(
            f"| {r['row']} | {r['mean_oa']:.3f} | {pitch} | {r['weakest']} | {r['copy_rate']:.1%} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("corpora", nargs="*", default=["folk", "essen", "chorales", "trecento"])
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    ap.add_argument(
        "--all", action="store_true", help="compose on corpora that do not keep a scale too"
    )
    args = ap.parse_args()
    folders = prepare()
    for name in args.corpora:
        print(table(run_corpus(name, folders[name], args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
