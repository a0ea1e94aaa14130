"""Files written atomically: into folders that do not exist yet, errors that name the real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicstudio.core.files import atomic_copy, atomic_write_bytes


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
