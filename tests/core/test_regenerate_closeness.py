"""A regenerated piece says how close it sounds to the corpus, as a composed one does."""

from __future__ import annotations

import pytest

from musicstudio.core.app.catalog import ComposeJob, RegenerateJob
from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.progress import no_progress
from musicstudio.core.base.resources import sample_corpus_dir, sample_models_dir
from musicstudio.core.compose.composer import ComposeSettings
from musicstudio.core.compose.regenerate import RegenerateSettings
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.music.closeness import closeness
from musicstudio.core.music.corpus import CorpusSource, ScanOptions
from musicstudio.core.music.events import encode


@pytest.fixture(scope="module")
def model() -> str:
    models = sample_models_dir()
    assert models is not None
    return str(models / "sample-lstm.msb")


@pytest.fixture(scope="module")
def source() -> CorpusSource:
    corpus = sample_corpus_dir()
    assert corpus is not None
    return CorpusSource((str(corpus),), ScanOptions())


def composed(model: str, source: CorpusSource | None, workspace: Workspace):  # type: ignore[no-untyped-def]
    settings = ComposeSettings(bars=12, sampling=SamplingSettings(seed=3))
    return ComposeJob(model, settings, source).run(no_progress, CancelToken(), workspace)[0]


@pytest.mark.parametrize("against_corpus", [True, False], ids=["corpus", "model's primers"])
def test_a_regenerated_piece_is_measured_whole(
    model: str, source: CorpusSource, against_corpus: bool
) -> None:
    workspace = Workspace(scan_workers=1)
    against = source if against_corpus else None
    piece = composed(model, against, workspace)
    settings = RegenerateSettings(first_bar=5, last_bar=8, sampling=SamplingSettings(seed=1))
    job = RegenerateJob(model, piece.notes, settings, against)
    result = job.run(no_progress, CancelToken(), workspace)

    m = result.metrics
    assert 0 <= m.closeness <= 1 and 0 < m.corpus_closeness <= 1
    assert "your corpus" in m.closeness_words and m.furthest_in in m.closeness_words
    assert m.pitch_range > 0 and m.in_key is not None  # the quality figures a composition has
    bundle = workspace.composer(model).bundle
    whole = bundle.vocab.tokenize(encode(result.notes)).tokens  # every bar, not the passage
    near = closeness([whole], workspace.reference(bundle, against))
    assert near is not None and m.closeness == round(near.mean_overlap, 3)
    assert f"({near.mean_overlap:.2f}" in m.closeness_words  # the words give the same mean
