"""Scanning real and hostile folders: every file reported, nothing raised, the cache used."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.base.progress import FileScanned
from musicstudio.core.music.corpus import OK, CorpusError, ScanOptions, scan
from musicstudio.core.music.events import decode
from musicstudio.core.music.midi import read_midi
from musicstudio.core.music.parts import BASS, DRUMS, KEYS
from musicstudio.core.music.recall import note_recall


def test_scan_real_chorales(chorale_dir: Path, tmp_path: Path) -> None:
    corpus = scan([chorale_dir], cache_dir=tmp_path / "c")
    s = corpus.stats
    assert s["files"] == s["ok"] == 24
    assert s["notes"] > 5000
    assert s["note_recall"] >= 0.99
    assert 10 < s["vocab_size"] < s["unique_tokens"]
    # The notes that come back after the vocabulary are the notes of the file.
    first = corpus.vocab.tokenize(corpus.streams[0]).tokens
    back = decode(corpus.vocab.detokenize(first, start=corpus.streams[0].start))
    orig = read_midi(corpus.ok_paths[0])
    # Every note back with its onset, pitch, part, duration; unisons of two voices are one note.
    assert note_recall(orig, back).strict == 1.0
    assert len(back) >= 0.9 * len(orig)
    assert s["onset_pitch_recall"] >= s["note_recall"]
    assert sum(s["parts"].values()) == s["notes"]


def test_the_parts_filter_reads_only_the_chosen_parts(band_dir: Path, tmp_path: Path) -> None:
    every = scan([band_dir], cache_dir=tmp_path / "c")
    assert set(every.stats["parts"]) == {"keys", "bass", "strings", "lead", "drums"}
    assert every.stats["programs"]["bass 1"] == 33 and every.stats["programs"]["lead 1"] == 80
    no_drums = scan([band_dir], ScanOptions(parts=(KEYS, BASS)), cache_dir=tmp_path / "c")
    assert set(no_drums.stats["parts"]) == {"keys", "bass"}
    assert no_drums.stats["notes"] < every.stats["notes"]
    assert all(set(f.parts) == {"keys", "bass"} for f in no_drums.files)


def test_strict_recall_on_band_files_is_complete(band_dir: Path, tmp_path: Path) -> None:
    corpus = scan([band_dir], cache_dir=tmp_path / "c")
    s = corpus.stats
    assert s["note_recall"] >= 0.99 and s["duration_exact"] >= 0.99
    assert corpus.stats["time_signature"] == [4, 4]
    # Drum events stay on the drum part, with kit pieces as their pitches.
    drums = corpus.streams[0].parts == DRUMS
    assert drums.any() and (corpus.streams[0].parts[~drums] != DRUMS).all()


def test_second_scan_reads_the_cache_and_notices_changes(chorale_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    cold = scan([chorale_dir], cache_dir=cache)
    warm = scan([chorale_dir], cache_dir=cache)
    assert cold.stats["cached"] == 0 and warm.stats["cached"] == 24
    assert warm.stats["notes"] == cold.stats["notes"]
    victim = sorted(chorale_dir.glob("*.mid"))[0]
    victim.write_bytes(b"garbage")
    again = scan([chorale_dir], cache_dir=cache)
    assert again.stats["cached"] == 23
    assert again.stats["ok"] == 23


def test_hostile_files_are_reported_with_reasons(hostile_dir: Path, tmp_path: Path) -> None:
    corpus = scan([hostile_dir], cache_dir=tmp_path / "c")
    by_name = {Path(f.path).name: f for f in corpus.files}
    assert by_name["good1.mid"].status == OK and by_name["good2.MIDI"].status == OK
    assert by_name["zero.mid"].reason.startswith("empty file")
    assert "no MThd" in by_name["text.mid"].reason
    assert "no MThd" in by_name["wrong_header.mid"].reason
    assert by_name["drums.mid"].status in (OK, "too short")  # drums are a part now
    assert by_name["drums.mid"].parts == {"drums": by_name["drums.mid"].notes}
    no_drums = scan([hostile_dir], ScanOptions(parts=(KEYS,)), cache_dir=tmp_path / "c")
    assert {Path(f.path).name: f for f in no_drums.files}["drums.mid"].status == "drums only"
    assert by_name["short.mid"].status == "too short"
    for name in ("truncated.mid", "random.mid", "random_header.mid"):
        assert by_name[name].status != OK or by_name[name].notes > 0, name
        assert by_name[name].status == OK or by_name[name].reason, name
    assert "dir.mid" not in by_name  # a folder named .mid is walked, not parsed
    assert corpus.stats["ok"] >= 2 and corpus.vocab is not None


def test_split_is_by_file_and_deterministic(chorale_dir: Path, tmp_path: Path) -> None:
    corpus = scan([chorale_dir], cache_dir=tmp_path / "c")
    train, val = corpus.split(0.25)
    assert set(train).isdisjoint(val) and len(train) + len(val) == 24
    assert len(val) == 6
    assert corpus.split(0.25) == (train, val)
    # Adding a file does not move the others between sides.
    extra = chorale_dir / "zz_extra.mid"
    shutil.copy(corpus.ok_paths[0], extra)
    bigger = scan([chorale_dir], cache_dir=tmp_path / "c")
    tr2, va2 = bigger.split(0.25)
    val_names = {corpus.ok_paths[i] for i in val}
    assert {bigger.ok_paths[i] for i in va2} >= val_names - {str(extra)} or len(va2) == 6


def test_cancel_stops_the_scan(chorale_dir: Path, tmp_path: Path) -> None:
    token = CancelToken()
    seen = []

    def progress(fraction: float, event: FileScanned) -> None:
        seen.append(event.done)
        if event.done == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        scan([chorale_dir], progress=progress, cancel=token, cache_dir=tmp_path / "c", workers=0)
    assert max(seen) == 3


def test_missing_and_empty_folders_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        scan([tmp_path / "nope"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no MIDI files"):
        scan([tmp_path / "empty"])


def test_transpose_augmentation_grows_the_vocabulary(chorale_dir: Path, tmp_path: Path) -> None:
    plain = scan([chorale_dir], ScanOptions(threshold=5), cache_dir=tmp_path / "c")
    aug = scan([chorale_dir], ScanOptions(threshold=5, transpose=2), cache_dir=tmp_path / "c")
    assert aug.stats["vocab_size"] > plain.stats["vocab_size"]
    train, _ = aug.split()
    assert len(aug.token_streams(train, augment=True)) > 3 * len(train)


def test_key_normalisation_moves_pieces_to_c(chorale_dir: Path, tmp_path: Path) -> None:
    from musicstudio.core.music.theory import pitch_class_histogram
    from musicstudio.core.music.tonality import estimate_key

    norm = scan([chorale_dir], ScanOptions(normalize_key=True), cache_dir=tmp_path / "c")
    tonics = [estimate_key(pitch_class_histogram(s)) for s in norm.streams]
    assert all((t == 0 and m == "major") or (t == 9 and m == "minor") for t, m in tonics)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_permissions(tmp_path: Path, hostile_dir: Path) -> None:
    f = hostile_dir / "good1.mid"
    f.chmod(0)
    corpus = scan([hostile_dir], cache_dir=tmp_path / "c")
    assert any("cannot" in r.reason for r in corpus.files if r.path == str(f))


def test_split_accepts_file_names_that_are_not_utf8(chorale_dir: Path, tmp_path: Path) -> None:
    """A name with Latin-1 bytes (an old Windows archive) must not break training's split."""
    folder = tmp_path / "latin1"
    folder.mkdir()
    for i, f in enumerate(sorted(chorale_dir.glob("*.mid"))[:4]):
        name = os.fsdecode(b"chor\xe4le-" + str(i).encode() + b".mid")
        shutil.copy(f, folder / name)
    corpus = scan([folder], cache_dir=tmp_path / "c")
    train, val = corpus.split(0.25)
    assert len(train) == 3 and len(val) == 1


def test_batches_keep_every_file_in_order_and_end_small() -> None:
    from musicstudio.core.music.parsing import guided_batches

    for n, workers in [(0, 2), (1, 1), (5, 2), (1000, 2), (1364, 16)]:
        paths = [f"{i}.mid" for i in range(n)]
        batches = guided_batches(paths, workers)
        assert [p for b in batches for p in b] == paths
        assert all(1 <= len(b) <= 32 for b in batches)
        assert not batches or len(batches[-1]) == 1


def test_scan_workers_give_way_to_the_window() -> None:
    import os

    from musicstudio.core.music.parsing import WORKER_NICENESS, _make_pool

    pool = _make_pool(1)
    try:
        worker = pool.submit(os.nice, 0).result(timeout=60)
    finally:
        pool.shutdown()
    assert worker >= min(19, os.nice(0) + WORKER_NICENESS)
