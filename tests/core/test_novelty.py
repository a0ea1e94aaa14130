"""The novelty guard: a planted copy is found (transposed too) and composed again; an original
piece has none."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.compose.avoid_copies import copies_in, resample_copies
from musicstudio.core.compose.composer import Composer, Composition
from musicstudio.core.compose.novelty import NoveltyIndex, build_index, find_copies
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.corpus import Corpus, ScanOptions, scan
from musicstudio.core.music.events import decode
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import KEYS

SOURCE = 3  # the chorale the planted bars come from (an index into the scanned files)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    import shutil

    from tests.conftest import sample_files

    folder = tmp_path_factory.mktemp("chorales")
    for f in sample_files(24):
        shutil.copy(f, folder / f.name)
    return scan([folder], ScanOptions(), cache_dir=folder.parent / "cache", workers=0)


@pytest.fixture(scope="module")
def index(corpus: Corpus) -> NoveltyIndex:
    return build_index(corpus.streams, corpus.ok_paths)


def original(bars: int = 8, seed: int = 0) -> NoteArray:
    """A piece nobody wrote: a random walk of four voices in C major, random rhythms."""
    rng = np.random.default_rng(seed)
    scale = np.array([0, 2, 4, 5, 7, 9, 11])
    onset, duration, pitch = [], [], []
    t = 0.0
    degree = 14
    while t < bars * 4:
        length = float(rng.choice([0.5, 1.0, 1.0, 2.0]))
        degree = int(np.clip(degree + rng.integers(-2, 3), 7, 24))
        for voice, gap in enumerate((0, -2, -4, -7)):
            d = degree + gap - (voice > 0) * int(rng.integers(0, 2))
            onset.append(t)
            duration.append(length)
            pitch.append(36 + 12 * (d // 7) + int(scale[d % 7]))
        t += length
    return NoteArray.from_lists(onset, duration, pitch, part=[KEYS] * len(pitch))


def planted(corpus: Corpus, semitones: int) -> NoteArray:
    """The original piece with bars 3-4 replaced by bars 5-6 of a training file, moved by
    `semitones`."""
    piece = original()
    source = decode(corpus.streams[SOURCE])
    bars = source.select((source.onset >= 16) & (source.onset < 24) & (source.parts == KEYS))
    assert len(bars) >= 16  # a real passage, four voices
    copy = bars.transposed(semitones).shifted(8 - 16)
    kept = piece.select((piece.onset < 8) | (piece.onset >= 16))
    return kept.merged(copy)


@pytest.mark.parametrize("semitones", [0, 2])
def test_a_planted_copy_is_found_with_its_file_and_bars(
    corpus: Corpus, index: NoveltyIndex, semitones: int
) -> None:
    copies = find_copies(planted(corpus, semitones), index)
    name = Path(corpus.ok_paths[SOURCE]).name
    assert [(c.first_bar, c.last_bar, c.source, c.transposed) for c in copies] == [
        (3, 4, name, semitones)
    ], [c.in_words() for c in copies]
    assert (copies[0].source_first_bar, copies[0].source_last_bar) == (5, 6)
    words = copies[0].in_words()
    assert words.startswith(f"bars 3–4 copy '{name}' bars 5–6 (keys")


def test_a_copy_off_the_bar_line_is_found_too(corpus: Corpus, index: NoveltyIndex) -> None:
    # The same bars a beat later (as after a corpus primer that ends mid-bar): bars 3-5 hold it.
    piece = original()
    source = decode(corpus.streams[SOURCE])
    bars = source.select((source.onset >= 16) & (source.onset < 24))
    moved = piece.select((piece.onset < 9) | (piece.onset >= 17)).merged(bars.shifted(9 - 16))
    copies = find_copies(moved, index)
    assert [(c.first_bar, c.last_bar, c.source_first_bar) for c in copies] == [(3, 5, 5)]


def test_an_original_piece_has_no_copies(corpus: Corpus, index: NoveltyIndex) -> None:
    for seed in range(5):
        assert find_copies(original(32, seed), index) == []
    # While a training file, moved to another key, is one long copy of itself.
    notes = decode(corpus.streams[SOURCE]).transposed(-3)
    bars = int(np.ceil(notes.onset.max() / 4))
    own = [c for c in find_copies(notes, index) if c.source == Path(corpus.ok_paths[SOURCE]).name]
    assert own and own[0].transposed == -3
    assert sum(c.last_bar - c.first_bar + 1 for c in own) >= 0.75 * bars


def test_checking_a_long_piece_is_fast(index: NoveltyIndex) -> None:
    piece = original(75)  # three minutes at 100 BPM
    find_copies(piece, index)
    t0 = time.perf_counter()
    find_copies(piece, index)
    assert time.perf_counter() - t0 < 0.25  # benchmarks/novelty.py: ~20-40 ms, 410 files


def test_resampling_composes_the_copied_bars_again(corpus: Corpus, index: NoveltyIndex) -> None:
    models = sample_models_dir()
    assert models is not None
    composer = Composer(load_bundle(models / "sample-lstm.msb"))
    notes = planted(corpus, 2)
    result = resample_copies(composer, notes, index, sampling=SamplingSettings(seed=1))
    assert len(result.found) == 1 and result.left == [] and result.passages >= 1
    assert find_copies(result.notes, index) == []
    # Bars 1-2 and 5-8 are untouched; bars 3-4 have new notes.
    outside = (result.notes.onset < 8) | (result.notes.onset >= 16)
    before = (notes.onset < 8) | (notes.onset >= 16)
    assert np.array_equal(result.notes.pitch[outside], notes.pitch[before])
    assert np.array_equal(result.notes.onset[outside], notes.onset[before])
    assert np.count_nonzero(~outside) > 0
    # A composition reports the copies of its new music only (not an included primer's).
    piece = Composition(np.zeros((0, 5), np.int32), notes, np.zeros((0, 5), np.int32), 0.0)
    assert len(copies_in(piece, index)) == 1
    piece.new_from = 16.0  # the copy is inside the primer
    assert copies_in(piece, index) == []


def test_compose_avoids_copies_of_the_folder_it_is_measured_against(tmp_path: Path) -> None:
    """A folder holding the very piece the seed composes: with Avoid copies the piece comes
    back with the copied bars composed again; without, the copies are reported."""
    from musicstudio.core.app.catalog import ComposeJob
    from musicstudio.core.app.workspace import Workspace
    from musicstudio.core.base.cancel import CancelToken
    from musicstudio.core.compose.composer import ComposeSettings
    from musicstudio.core.compose.constraints import Constraints
    from musicstudio.core.music.corpus import CorpusSource
    from musicstudio.core.music.midi import write_midi

    models = sample_models_dir()
    assert models is not None
    bundle = str(models / "sample-lstm.msb")
    workspace = Workspace(scan_workers=0)

    def compose(guard: bool, source: CorpusSource | None) -> Composition:
        settings = ComposeSettings(
            bars=8, sampling=SamplingSettings(seed=11), constraints=Constraints(novelty_guard=guard)
        )
        return ComposeJob(bundle, settings, source).run(
            lambda f, e: None, CancelToken(), workspace
        )[0]

    first = compose(False, None)
    assert (
        first.metrics.copies is None and not first.metrics.copies_words
    )  # nothing to check against: not checked, not claimed
    folder = tmp_path / "mine"
    folder.mkdir()
    write_midi(folder / "mine.mid", first.notes)
    source = CorpusSource((str(folder),), ScanOptions())
    reported = compose(False, source)
    assert reported.metrics.copies >= 1 and "'mine.mid'" in reported.metrics.copies_words
    guarded = compose(True, source)
    assert guarded.metrics.copies == 0, guarded.metrics.copies_words
    assert "composed again" in guarded.metrics.copies_words
    assert len(guarded.notes) > 0.5 * len(first.notes)
    index = workspace.novelty_index(source)
    assert find_copies(guarded.notes, index) == []


def tune(bars: int, seed: int, eighths: bool = True) -> NoteArray:
    """A fiddle tune nobody wrote: a random walk on the D major scale, in eighths (a running
    line) or in a chord per beat (`eighths` False: four onsets a bar)."""
    rng = np.random.default_rng(seed)
    scale = np.array([2, 4, 6, 7, 9, 11, 13])
    onset, duration, pitch = [], [], []
    degree = 10
    for bar in range(bars):
        for slot in range(8 if eighths else 4):
            degree = int(np.clip(degree + rng.choice([-2, -1, 1, 2]), 3, 18))
            at = bar * 4 + slot * (0.5 if eighths else 1.0)
            chord = [0] if eighths else [0, 2, 4]
            for third in chord:
                d = degree + third
                onset.append(at)
                duration.append(0.5 if eighths else 1.0)
                pitch.append(48 + 12 * (d // 7) + int(scale[d % 7]))
    return NoteArray.from_lists(onset, duration, pitch, program=40)


def test_one_bar_of_a_running_line_is_a_copy_and_one_bar_of_chords_is_not() -> None:
    """A bar of eighths lifted from a tune (moved a tone) is named, bar for bar; a bar of
    four chords lifted the same way is the style of anyone's cadence and is not."""
    from musicstudio.core.music.events import encode

    tunes = [tune(16, seed) for seed in range(3)] + [tune(16, 9, eighths=False)]
    index = build_index([encode(t) for t in tunes], [f"tune{i}.mid" for i in range(4)])

    def lifted(source: NoteArray, bar: int) -> NoteArray:
        piece = tune(8, 100 + bar)  # a new tune; its bar 5 is replaced
        lift = source.select((source.onset >= 4 * bar) & (source.onset < 4 * bar + 4))
        kept = piece.select((piece.onset < 16) | (piece.onset >= 20))
        return kept.merged(lift.transposed(2).shifted(16 - 4 * bar))

    copies = find_copies(lifted(tunes[1], 9), index)
    assert [
        (c.first_bar, c.last_bar, c.source, c.source_first_bar, c.transposed) for c in copies
    ] == [(5, 5, "tune1.mid", 10, 2)]
    assert copies[0].in_words() == "bar 5 copies 'tune1.mid' bar 10 (strings, +2 semitones)"
    assert find_copies(lifted(tunes[3], 9), index) == []
    for seed in range(5):  # new tunes in the same style copy nothing
        assert find_copies(tune(32, 200 + seed), index) == []


def test_a_copy_in_a_piece_of_another_meter_is_found_in_the_piece_s_bars() -> None:
    """Two bars of a 2/4 tune inside a piece in 2/2 (a folder that mixes meters, a plan in
    another file's meter) are one bar of the piece, and named so."""
    from dataclasses import replace

    from musicstudio.core.music.events import encode

    source = replace(tune(16, 1), time_signature=(2, 4))  # 2/4: bar 9 starts at quarter 16
    index = build_index([encode(source)], ["reel.mid"])
    piece = replace(tune(8, 300), time_signature=(2, 2))
    lift = source.select((source.onset >= 16) & (source.onset < 20))  # 2/4 bars 9-10
    copied = piece.select((piece.onset < 8) | (piece.onset >= 12)).merged(lift.shifted(8 - 16))
    copies = find_copies(copied, index)
    assert [(c.first_bar, c.last_bar, c.source_first_bar, c.source_last_bar) for c in copies] == [
        (3, 3, 9, 10)
    ], [c.in_words() for c in copies]
    assert find_copies(piece, index) == []


def test_a_folder_of_drums_only_has_nothing_to_copy() -> None:
    """The guard reads pitched parts; a drummer's folder gives an empty index (it crashed
    building one), and a piece checked against it has no copies."""
    from musicstudio.core.music.events import encode
    from musicstudio.core.music.parts import DRUMS

    groove = NoteArray.from_lists(
        [i / 2 for i in range(32)], [0.25] * 32, [36, 42, 38, 42] * 8, part=[DRUMS] * 32
    )
    index = build_index([encode(groove)], ["groove.mid"])
    assert len(index) == 0
    assert find_copies(groove, index) == []
    assert find_copies(tune(8, 1), index) == []
