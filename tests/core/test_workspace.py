"""The workspace's caches belong to one model: a new or rewritten model never gets the last
one's profile or closeness reference (CPython gives a new object the id of a freed one)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.app import workspace as workspace_module
from musicstudio.core.app.workspace import Workspace
from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.learn.bundle import ModelBundle, load_bundle
from musicstudio.core.music.metrics import CorpusProfile


@pytest.fixture(scope="module")
def sample() -> ModelBundle:
    models = sample_models_dir()
    assert models is not None
    return load_bundle(models / "sample-lstm.msb")


def with_primers(bundle: ModelBundle, count: int) -> ModelBundle:
    """The model with only its first `count` primers: what it is measured against differs."""
    return ModelBundle(bundle.config, bundle.vocab, bundle.weights, primers=bundle.primers[:count])


def own_profile(bundle: ModelBundle) -> CorpusProfile:
    return CorpusProfile.from_tokens(list(bundle.primers), bundle.vocab)


def same(a: CorpusProfile, b: CorpusProfile) -> bool:
    return np.array_equal(a.ngram_hashes, b.ngram_hashes) and np.array_equal(a.step, b.step)


def test_a_model_saved_again_at_the_same_path_is_measured_against_its_new_primers(
    sample: ModelBundle, tmp_path: Path
) -> None:
    path = tmp_path / "model.msb"
    with_primers(sample, 32).save(path)
    workspace = Workspace(scan_workers=0)
    first = workspace.composer(path).bundle
    before = workspace.profile(first, None)
    assert same(before, own_profile(first))
    del first
    gc.collect()  # the old model is freed: the new one may get its id

    with_primers(sample, 2).save(path)  # retrained and saved over the old file
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = workspace.composer(path).bundle
    assert len(second.primers) == 2
    after = workspace.profile(second, None)
    assert same(after, own_profile(second)) and not same(after, before)
    assert workspace.profile(second, None) is after  # asked again: made once


def test_a_model_given_a_freed_models_id_gets_its_own_profile(
    sample: ModelBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPython gives a new object the id of a freed one: here every model gets the same id."""
    monkeypatch.setattr(workspace_module, "id", lambda _: 1, raising=False)
    workspace = Workspace(scan_workers=0)
    many = with_primers(sample, 32)
    before = workspace.profile(many, None)
    reference = workspace.reference(many, None)
    del many
    few = with_primers(sample, 2)
    after = workspace.profile(few, None)
    assert same(after, own_profile(few)) and not same(after, before)
    assert len(workspace.tokens(few, None)) == 2
    assert workspace.reference(few, None) is not reference  # excerpts of its own primers


def test_two_models_in_memory_never_share_a_profile(sample: ModelBundle) -> None:
    workspace = Workspace(scan_workers=0)
    many, few = with_primers(sample, 32), with_primers(sample, 2)
    assert workspace.bundle_key(many) != workspace.bundle_key(few)
    for _ in range(2):  # alternating: each finds its own, never the other's
        assert same(workspace.profile(many, None), own_profile(many))
        assert same(workspace.profile(few, None), own_profile(few))
    assert workspace.bundle_key(many) == workspace.bundle_key(many)  # one model keeps its key
