"""Sampling tuned per model: chosen by closeness to the training folder, kept in the bundle, used
unless the user sets a temperature, and re-read with the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicstudio.core.app.catalog import TrainJob
from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.base.progress import TuningStep
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.sampling import RHYTHM_TEMPERATURE, TEMPERATURE, SamplingSettings
from musicstudio.core.compose.tuning import (
    RHYTHM_TEMPERATURES,
    TEMPERATURES,
    score,
    tune_sampling,
)
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.learn.bundle_info import Tuning
from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.models import default_config
from musicstudio.core.learn.training import TrainSettings
from musicstudio.core.music.corpus import CorpusSource, ScanOptions, scan


@pytest.fixture(scope="module")
def data(tiny_bundles: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> TrainingData:
    cache = tmp_path_factory.mktemp("cache")
    corpus = scan([tiny_bundles["corpus"]], ScanOptions(threshold=5), cache_dir=cache)
    return TrainingData.from_corpus(corpus, 0.2)


def test_the_train_job_tunes_the_sampling_as_its_last_stage(
    tiny_bundles: dict[str, Path], tmp_path: Path
) -> None:
    config = default_config("lstm", units=32, layers=1, window=32, head_units=32)
    seen: list[tuple[int, int]] = []

    def progress(fraction: float, event: object) -> None:
        if isinstance(event, TuningStep):
            seen.append((event.done, event.total))

    source = CorpusSource((str(tiny_bundles["corpus"]),), ScanOptions(threshold=5))
    job = TrainJob(source, config, TrainSettings(epochs=2, batch_size=8), str(tmp_path / "m.msb"))
    result = job.run(progress, CancelToken(), Workspace(scan_workers=1))
    bundle = load_bundle(tmp_path / "m.msb")
    tuned = bundle.sampling
    assert tuned is not None
    tried = tuned.tried
    grid = len(TEMPERATURES) * len(RHYTHM_TEMPERATURES)
    assert grid <= len(tried) <= grid + 2
    on_grid = [(t["temperature"], t["rhythm_temperature"]) for t in tried[:grid]]
    assert on_grid == [(t, r) for t in TEMPERATURES for r in RHYTHM_TEMPERATURES]
    best_on_grid = max(tried[:grid], key=score)
    edges = (best_on_grid["temperature"] in (TEMPERATURES[0], TEMPERATURES[-1])) + (
        best_on_grid["rhythm_temperature"] in (RHYTHM_TEMPERATURES[0], RHYTHM_TEMPERATURES[-1])
    )
    assert len(tried) == grid + edges  # one step past each end the best pair sits on
    assert score(tuned_row(tuned)) == max(score(t) for t in tried)
    assert 0 < tuned.closeness <= 1
    assert len({t["closeness"] for t in tried}) > 1  # the temperatures make a difference
    assert f"temperature {tuned.temperature:g}" in result.tuned
    assert seen and seen[-1][1] == len(tried)


def tuned_row(tuned: Tuning) -> dict[str, float]:
    """The tried pair the tuning kept."""
    return next(
        t
        for t in tuned.tried
        if (t["temperature"], t["rhythm_temperature"])
        == (tuned.temperature, tuned.rhythm_temperature)
    )


def test_composing_uses_the_models_tuning_unless_the_user_sets_one(
    tiny_bundles: dict[str, Path],
) -> None:
    bundle = load_bundle(tiny_bundles["wavenet"])
    bundle.sampling = Tuning(temperature=0.65, rhythm_temperature=0.9)  # as a tuning keeps it
    composer = Composer(bundle)
    model_own = (0.65, 0.9)
    [piece] = composer.compose(ComposeSettings(length=32, sampling=SamplingSettings(seed=1)))
    assert piece.temperatures == model_own
    mine = SamplingSettings(seed=1, temperature=1.3, rhythm_temperature=0.4)
    [other] = composer.compose(ComposeSettings(length=32, sampling=mine))
    assert other.temperatures == (1.3, 0.4)
    bundle.sampling = None  # a model trained before tuning: the defaults
    [old] = Composer(bundle).compose(ComposeSettings(length=32, sampling=SamplingSettings()))
    assert old.temperatures == (TEMPERATURE, RHYTHM_TEMPERATURE)


def test_a_damaged_tuning_in_a_bundle_falls_back_to_the_defaults(
    tiny_bundles: dict[str, Path], tmp_path: Path
) -> None:
    bundle = load_bundle(tiny_bundles["lstm"])
    assert Tuning.from_json({"temperature": "hot", "rhythm_temperature": -1}) is None
    assert Tuning.from_json({"temperature": 0.7}) is None
    bundle.sampling = Tuning(temperature=0.7, rhythm_temperature=1.0, closeness=0.8)
    bundle.save(tmp_path / "kept.msb")
    assert load_bundle(tmp_path / "kept.msb").sampling == bundle.sampling


def test_tuning_stops_when_cancelled(data: TrainingData, tiny_bundles: dict[str, Path]) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        tune_sampling(load_bundle(tiny_bundles["lstm"]), data.validation + data.train, token)


def test_the_tuning_hears_pieces_with_form_as_compose_makes_them(
    data: TrainingData, tiny_bundles: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The temperatures were chosen on straight-on excerpts, while Compose writes pieces whose
    # returns add no new notes: a folk model tuned so sounded narrower than its files.
    bundle = load_bundle(tiny_bundles["lstm"])
    heard: list[tuple[str, int]] = []
    compose = Composer.compose

    def spy(self: Composer, settings: ComposeSettings, *a, **kw):  # type: ignore[no-untyped-def]
        pieces = compose(self, settings, *a, **kw)
        heard.extend((p.form, len(p.sections)) for p in pieces)
        return pieces

    monkeypatch.setattr(Composer, "compose", spy)
    tuning = tune_sampling(bundle, data.validation + data.train)
    assert tuning is not None
    assert len(heard) == len(tuning.tried) * 40
    assert all(form and sections for form, sections in heard)
    assert len({form for form, _ in heard}) > 1  # several plans, not one form for every piece


def test_training_alone_leaves_the_sampling_to_the_job(data: TrainingData, tmp_path: Path) -> None:
    # The trainer (learn) never calls into compose: tuning is the train job's stage.
    config = default_config("lstm", units=16, layers=1, window=32, head_units=16)
    from musicstudio.core.learn.trainer import train

    result = train(data, config, TrainSettings(epochs=1, batch_size=8), tmp_path / "t.msb")
    assert result.bundle is not None and result.tuned == ""
    assert load_bundle(result.bundle).sampling is None
