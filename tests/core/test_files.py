"""Files written atomically: into folders that do not exist yet, errors that name the real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicstudio.core.base.files import atomic_copy, atomic_write_bytes


def test_missing_folders_are_made(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "x.mid"
    atomic_write_bytes(path, b"MThd")
    assert path.read_bytes() == b"MThd"
    copy = tmp_path / "other" / "copy.mid"
    atomic_copy(path, copy)
    assert copy.read_bytes() == b"MThd"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["copy.mid", "x.mid"]


def test_an_error_names_the_file_not_its_temporary(tmp_path: Path) -> None:
    path = tmp_path / "piece.mid"
    path.mkdir()  # a folder in the way: renaming the written temporary over it fails
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(path, b"MThd")
    assert caught.value.filename == str(path)
    assert ".part" not in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["piece.mid"]  # the temporary is gone


def test_pieces_load_as_the_joined_arrays(tmp_path: Path) -> None:
    import numpy as np

    from musicstudio.core.base.files import load_arrays, save_array_pieces, save_arrays

    parts = [np.arange(5, dtype=np.uint64), np.zeros(0, np.uint64), np.array([2**63], np.uint64)]
    pieces = {
        "a": (np.uint64, parts),
        "b": (np.int16, [np.array([1, -2], np.int64)]),
        "e": (np.int8, []),
    }
    meta = {"version": 3, "entries": {"x": [1, 2]}}
    save_array_pieces(tmp_path / "p.npz", pieces, meta)
    joined = {
        "a": np.concatenate(parts),
        "b": np.array([1, -2], np.int16),
        "e": np.zeros(0, np.int8),
    }
    save_arrays(tmp_path / "j.npz", joined, meta)
    (got, got_meta), (want, want_meta) = (
        load_arrays(tmp_path / "p.npz"),
        load_arrays(tmp_path / "j.npz"),
    )
    assert got_meta == want_meta == meta
    assert list(got) == list(want) == ["a", "b", "e"]
    for k in want:
        assert got[k].dtype == want[k].dtype and np.array_equal(got[k], want[k])
