"""Model bundles: round trip, atomic save, and refusal of tampered or mismatched files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.learn.bundle import BundleError, ModelBundle, load_bundle, read_manifest
from musicstudio.core.learn.models import build_model, default_config
from musicstudio.core.music.events import encode
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.vocab import Vocabulary


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    notes = NoteArray.from_lists(range(40), [1] * 40, [60 + i % 7 for i in range(40)])
    vocab = Vocabulary.build([encode(notes)], threshold=1)
    config = default_config(
        "wavenet", channels=8, skip_channels=8, layers=3, window=16, head_units=16
    )
    model = build_model(config, vocab.sizes)
    path = tmp_path / "m.msb"
    ModelBundle(
        config, vocab, model.get_weights(), [{"epoch": 1, "loss": 3.0, "val_loss": 3.2}], name="m"
    ).save(path)
    return path


def rewrite(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    change(members)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    path.write_bytes(buf.getvalue())


def test_round_trip_gives_the_same_predictions(bundle: Path) -> None:
    b = load_bundle(bundle)
    again = load_bundle(bundle)
    x = np.zeros((1, 8, b.config.input_columns()), "int32")  # tokens, then the meter class
    assert np.allclose(b.model()(x)["pitch"], again.model()(x)["pitch"])
    assert b.best_val_loss() == 3.2 and b.name == "m"
    assert read_manifest(bundle)["config"]["family"] == "wavenet"


def edit_manifest(path: Path, fn) -> None:  # type: ignore[no-untyped-def]
    def change(m: dict) -> None:
        manifest = json.loads(m["manifest.json"])
        fn(manifest)
        m["manifest.json"] = json.dumps(manifest).encode()

    rewrite(path, change)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda m: m["config"].update(family="lambda"), "unknown model family"),
        (lambda m: m["config"].update(code="__import__('os').system('x')"), "unknown setting"),
        (lambda m: m["vocab"]["tokens"].append("61.65"), "vocabulary size"),
        (lambda m: m.update(format=99), "model format 99"),
        (lambda m: m.update(representation=0), "retrain"),
        (lambda m: m.update(representation=1), "before parts"),
        (lambda m: m["config"].update(channels=16), "do not fit"),
    ],
)
def test_tampered_manifest_is_refused(bundle: Path, tamper, message: str) -> None:  # type: ignore[no-untyped-def]
    edit_manifest(bundle, tamper)
    with pytest.raises(BundleError, match=message):
        load_bundle(bundle)


def test_missing_member_traversal_and_garbage_are_refused(bundle: Path, tmp_path: Path) -> None:
    rewrite(bundle, lambda m: m.pop("weights.npz"))
    with pytest.raises(BundleError, match="incomplete"):
        load_bundle(bundle)
    evil = tmp_path / "evil.msb"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../../etc/x", b"1")
        z.writestr("manifest.json", b"{}")
    with pytest.raises(BundleError, match="unsafe member"):
        load_bundle(evil)
    junk = tmp_path / "junk.msb"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(BundleError):
        load_bundle(junk)
    with pytest.raises(BundleError, match="not a file"):
        load_bundle(tmp_path / "missing.msb")


def test_pickled_weights_are_refused(bundle: Path) -> None:
    def change(m: dict) -> None:
        buf = io.BytesIO()
        np.savez(buf, w0000=np.array([object()], dtype=object))
        m["weights.npz"] = buf.getvalue()

    rewrite(bundle, change)
    with pytest.raises(BundleError):
        load_bundle(bundle)


def test_failed_save_leaves_previous_bundle_intact(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = bundle.read_bytes()
    b = load_bundle(bundle)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OSError, match="No space"):
        b.save(bundle)
    assert bundle.read_bytes() == before
    assert [p.name for p in bundle.parent.iterdir() if p.name.endswith(".part")] == []
