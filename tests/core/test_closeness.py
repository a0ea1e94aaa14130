"""Closeness to the corpus: real excerpts score like the corpus, random music far below."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from musicstudio.core.app.catalog import ComposeJob, MeasureJob
from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.progress import no_progress
from musicstudio.core.base.resources import sample_corpus_dir, sample_models_dir
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.closeness import Reference, closeness, corpus_against_itself
from musicstudio.core.music.corpus import CorpusSource, ScanOptions
from musicstudio.core.music.vocab import N_STREAMS


@pytest.fixture(scope="module")
def setup() -> tuple[Composer, Reference, CorpusSource]:
    models, corpus = sample_models_dir(), sample_corpus_dir()
    assert models is not None and corpus is not None
    source = CorpusSource((str(corpus),), ScanOptions())
    workspace = Workspace(scan_workers=1)
    bundle = load_bundle(models / "sample-lstm.msb")
    return Composer(bundle), workspace.reference(bundle, source), source


def test_the_model_is_far_closer_than_random_tokens(setup) -> None:  # type: ignore[no-untyped-def]
    composer, reference, _ = setup
    pieces = composer.compose(
        ComposeSettings(length=128, variations=12, sampling=SamplingSettings(seed=0))
    )
    ours = closeness([p.tokens for p in pieces], reference)
    rng = np.random.default_rng(0)
    sizes = list(composer.bundle.vocab.sizes.values())
    noise = [
        np.stack([rng.integers(2 if h == 0 else 0, n, 128) for h, n in enumerate(sizes)], axis=1)
        for _ in range(12)
    ]
    random = closeness(noise, reference)
    own = corpus_against_itself(reference, 128)
    assert ours is not None and random is not None and own is not None
    assert own.mean_overlap > 0.8
    assert ours.mean_overlap > random.mean_overlap + 0.25
    assert noise[0].shape[1] == N_STREAMS


def test_every_composition_says_how_close_it_is(setup) -> None:  # type: ignore[no-untyped-def]
    composer, _, source = setup
    models = sample_models_dir()
    assert models is not None
    job = ComposeJob(str(models / "sample-lstm.msb"), ComposeSettings(length=200), source)
    piece = job.run(
        lambda f, e: None,
        CancelToken(),
        Workspace(scan_workers=1),
    )[0]
    m = piece.metrics
    assert 0 <= m.closeness <= 1 and 0 < m.corpus_closeness <= 1
    assert "your corpus" in m.closeness_words and m.furthest_in in m.closeness_words


def test_measured_after_composing_the_figures_are_the_same(setup) -> None:  # type: ignore[no-untyped-def]
    """The app composes unmeasured and measures after: the same figures as measuring at once."""
    _, _, source = setup
    models = sample_models_dir()
    assert models is not None
    bundle = str(models / "sample-lstm.msb")
    settings = ComposeSettings(length=160, variations=2, sampling=SamplingSettings(seed=4))
    workspace = Workspace(scan_workers=1)
    at_once = ComposeJob(bundle, settings, source).run(no_progress, CancelToken(), workspace)
    shown = ComposeJob(bundle, settings, source, measure=False).run(
        no_progress, CancelToken(), workspace
    )
    copies = ("copies", "copies_words")  # found while composing (the novelty guard), not after
    assert [set(p.metrics.to_json()) for p in shown] == [set(copies)] * 2  # nothing measured yet
    later = MeasureJob(bundle, tuple((p.tokens, p.notes, p.key) for p in shown), source).run(
        no_progress, CancelToken(), workspace
    )
    measured = [replace(p.metrics, copies=None, copies_words="") for p in at_once]
    assert later == measured and "your corpus" in later[0].closeness_words
