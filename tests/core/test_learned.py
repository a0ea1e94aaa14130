"""What the model learns from real files: every note with its part and duration, every part kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicstudio.core.base.resources import sample_corpus_dir
from musicstudio.core.music.corpus import scan
from musicstudio.core.music.learned import as_learned, file_programs
from musicstudio.core.music.midi import read_midi, write_midi

ROOT = Path(__file__).resolve().parents[2]
BAND_CORPUS = ROOT / "resources" / "band_corpus"


@pytest.mark.parametrize("folder", ["band_corpus", "band_dir", "sample_corpus"])
def test_strict_recall_and_every_part_on_real_files(
    folder: str, band_dir: Path, tmp_path: Path
) -> None:
    path = {"band_corpus": BAND_CORPUS, "band_dir": band_dir, "sample_corpus": sample_corpus_dir()}[
        folder
    ]
    assert path is not None
    corpus = scan([path], cache_dir=tmp_path / "c")
    assert corpus.stats["note_recall"] >= 0.99
    files = corpus.ok_paths[:: max(1, len(corpus.ok_paths) // 12)]  # a dozen across the folder
    for f in files:
        notes = read_midi(f)
        learned, recall = as_learned(notes, corpus.vocab)
        assert recall.strict >= 0.99, f
        assert learned.notes_per_part().keys() == notes.notes_per_part().keys(), f
        # Each part comes back on the program the file used for it.
        assert file_programs(learned) == file_programs(notes), f


def test_the_band_corpus_has_several_parts_and_metres(tmp_path: Path) -> None:
    corpus = scan([BAND_CORPUS], cache_dir=tmp_path / "c")
    assert corpus.stats["ok"] == corpus.stats["files"] >= 40
    assert all(len(f.parts) >= 2 for f in corpus.files)
    metres = {tuple(f.time_signature) for f in corpus.files}
    assert {(4, 4), (3, 4)} <= metres and len(metres) >= 4


def test_a_learned_file_plays_back_as_written(band_dir: Path, tmp_path: Path) -> None:
    src = sorted(band_dir.glob("*.mid"))[0]
    learned, _ = as_learned(read_midi(src))
    back = read_midi(write_midi(tmp_path / "learned.mid", learned))
    assert back.notes_per_part() == learned.notes_per_part()
    assert back.time_signature == learned.time_signature
