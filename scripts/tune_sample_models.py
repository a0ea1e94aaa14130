"""Tune the shipped sample models' sampling again (compose/tuning.py), without retraining them.

    python scripts/tune_sample_models.py          # the sampling (and the form profile)
    python scripts/tune_sample_models.py --form   # only the form profile (music/form_profile.py)

Rebuilds the token streams the training used (`musicstudio train` on resources/sample_corpus)
and writes the chosen temperatures into each bundle.
`scripts/train_sample_models.sh` does this as part of training; this is for a change to the
tuning alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from musicstudio.core.compose.tuning import tune_sampling  # noqa: E402
from musicstudio.core.learn.bundle import load_bundle  # noqa: E402
from musicstudio.core.learn.dataset import TrainingData  # noqa: E402
from musicstudio.core.learn.training import TrainSettings  # noqa: E402
from musicstudio.core.music.corpus import scan  # noqa: E402


def main(form_only: bool = False) -> None:
    os.chdir(ROOT)
    settings = TrainSettings()
    for family in ("wavenet", "lstm"):
        path = ROOT / "resources" / "models" / f"sample-{family}.msb"
        bundle = load_bundle(path)
        options = bundle.scan_options
        # Relative, as the training script gives it: the split hashes the paths.
        corpus = scan([Path("resources/sample_corpus")], options)
        if corpus.vocab.sizes != bundle.vocab.sizes:
            raise SystemExit(f"{path.name}: the corpus no longer gives the model's vocabulary")
        data = TrainingData.from_corpus(corpus, settings.validation_share, settings.seed)
        bundle.form = data.form  # what training makes now
        if form_only:
            bundle.save(path)
            print(f"{path.name}: form {bundle.form.describe() if bundle.form else None}")
            continue
        tuning = tune_sampling(bundle, [*data.validation, *data.train])
        if tuning is None:
            raise SystemExit(f"{path.name}: too few excerpts to tune")
        bundle.sampling = tuning
        bundle.save(path)
        print(f"{path.name}: {tuning.in_words()} in {tuning.seconds:.1f} s")


if __name__ == "__main__":
    main(form_only="--form" in sys.argv[1:])
