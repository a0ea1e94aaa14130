"""Composition quality of the shipped sample models: no collapse into one note, no plagiarism."""

from __future__ import annotations

import pytest

from musicstudio.core.base.resources import sample_corpus_dir, sample_models_dir
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.corpus import ScanOptions, scan
from musicstudio.core.music.metrics import CorpusProfile, evaluate_composition


@pytest.mark.parametrize("family", ["wavenet", "lstm"])
def test_twenty_seeds_neither_repeat_nor_copy(family: str) -> None:
    models, corpus_dir = sample_models_dir(), sample_corpus_dir()
    assert models is not None and corpus_dir is not None
    bundle = load_bundle(models / f"sample-{family}.msb")
    corpus = scan([corpus_dir], ScanOptions(threshold=bundle.vocab.threshold))
    profile = CorpusProfile.from_events(corpus.streams, bundle.vocab)
    composer = Composer(bundle)
    results = []
    for seed in range(20):
        [piece] = composer.compose(
            ComposeSettings(length=500, sampling=SamplingSettings(seed=seed))
        )
        results.append(evaluate_composition(piece.tokens, piece.notes, profile))
    assert max(r.longest_repeat for r in results) <= profile.longest_repeat
    assert max(r.copy_rate for r in results) < 0.5
    assert min(r.in_key for r in results) > 0.6  # it sounds tonal, like the chorales
