"""Sampling tuned per model: chosen by closeness to the training folder, kept in the bundle, used
unless the user sets a temperature, and re-read with the bundle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.app.catalog import TrainJob
from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.base.progress import TuningStep
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.sampling import (
    RHYTHM_TEMPERATURE,
    TEMPERATURE,
    SamplingSettings,
    nucleus,
)
from musicstudio.core.compose.tuning import (
    PITCH_TOP_PS,
    RHYTHM_TEMPERATURES,
    TEMPERATURES,
    pitch_nucleus,
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
    assert grid + len(PITCH_TOP_PS) - 1 <= len(tried) <= grid + 2 + len(PITCH_TOP_PS) - 1
    on_grid = [(t["temperature"], t["rhythm_temperature"]) for t in tried[:grid]]
    assert on_grid == [(t, r) for t in TEMPERATURES for r in RHYTHM_TEMPERATURES]
    best_on_grid = max(tried[:grid], key=score)
    edges = (best_on_grid["temperature"] in (TEMPERATURES[0], TEMPERATURES[-1])) + (
        best_on_grid["rhythm_temperature"] in (RHYTHM_TEMPERATURES[0], RHYTHM_TEMPERATURES[-1])
    )
    # one step past each end the best pair sits on, then the wider pitch nuclei at the best
    pairs, nuclei = tried[: grid + edges], tried[grid + edges :]
    assert all(t["pitch_top_p"] == PITCH_TOP_PS[0] for t in pairs)
    assert bundle.form is not None and bundle.form.in_scale
    assert [t["pitch_top_p"] for t in nuclei] == list(PITCH_TOP_PS[1:])
    best_pair = max(pairs, key=score)
    at_best = [best_pair, *nuclei]
    assert all(
        (t["temperature"], t["rhythm_temperature"])
        == (best_pair["temperature"], best_pair["rhythm_temperature"])
        for t in at_best
    )
    files = float(np.median(bundle.form.in_scale))
    assert tuned_row(tuned) == pitch_nucleus(at_best, files)
    assert all(0 < t["in_scale"] <= 1 for t in tried)
    assert 0 < tuned.closeness <= 1
    assert len({t["closeness"] for t in tried}) > 1  # the temperatures make a difference
    assert f"temperature {tuned.temperature:g}" in result.tuned
    assert seen and seen[-1][1] == len(tried)


def tuned_row(tuned: Tuning) -> dict[str, float]:
    """The tried row the tuning kept."""
    return next(
        t
        for t in tuned.tried
        if (t["temperature"], t["rhythm_temperature"], t["pitch_top_p"])
        == (tuned.temperature, tuned.rhythm_temperature, tuned.pitch_top_p)
    )


def test_the_pitch_nucleus_is_the_narrowest_that_leaves_the_scale_as_often_as_the_files() -> None:
    rows = [
        {"pitch_top_p": 0.98, "in_scale": 0.936},
        {"pitch_top_p": 0.9, "in_scale": 0.961},
        {"pitch_top_p": 0.95, "in_scale": 0.943},
    ]
    # madrigals (94 % in their scale): 0.95 is close enough, 0.98 closer but wider
    assert pitch_nucleus(rows, 0.936)["pitch_top_p"] == 0.95
    # further from every nucleus: the closest
    assert pitch_nucleus(rows, 0.90)["pitch_top_p"] == 0.98
    # a fiddle tune that never leaves its scale: the narrowest, as every one is in it
    tunes = [{"pitch_top_p": p, "in_scale": 1.0} for p in PITCH_TOP_PS]
    assert pitch_nucleus(tunes, 1.0)["pitch_top_p"] == 0.9


def test_the_models_pitch_nucleus_is_used_unless_the_user_sets_a_top_p() -> None:
    model = Tuning(temperature=0.65, rhythm_temperature=0.9, pitch_top_p=0.98)
    mine = SamplingSettings().tuned(model)
    assert (mine.top_p, mine.pitch_top_p) == (0.9, 0.98)
    assert mine.tuned(None) == mine  # the generator tunes again: the model's nucleus stays
    set_by_user = SamplingSettings(top_p=0.8).tuned(model)
    assert (set_by_user.top_p, set_by_user.pitch_top_p) == (0.8, 0.8)
    old = SamplingSettings().tuned(Tuning(temperature=0.65, rhythm_temperature=0.9))
    assert (old.top_p, old.pitch_top_p) == (0.9, 0.9)  # a model tuned before stop 38


def test_a_nucleus_per_row_cuts_each_row_at_its_own_share() -> None:
    probs = np.array([[0.5, 0.3, 0.15, 0.05]] * 2)
    kept = nucleus(probs, 0, np.array([0.7, 0.9])) > 0
    assert kept.tolist() == [[True, True, False, False], [True, True, True, False]]


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
    bundle.sampling = Tuning(
        temperature=0.7, rhythm_temperature=1.0, closeness=0.8, pitch_top_p=0.95
    )
    bundle.save(tmp_path / "kept.msb")
    assert load_bundle(tmp_path / "kept.msb").sampling == bundle.sampling
    odd = Tuning.from_json({"temperature": 0.7, "rhythm_temperature": 1.0, "pitch_top_p": 3})
    assert odd is not None and odd.pitch_top_p == 0.9


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
