"""Feel: a swung corpus's profile, and pieces composed straight or like the files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.music.feel import FeelProfile, apply_feel, corpus_feel, file_feel
from musicstudio.core.music.midi import NoteArray

SWING = 1.0 / 6.0  # quarters: the off-beat eighth of a triplet swing
TPQ = 480


def write_swung(path: Path, beats: int = 48, seed: int = 0) -> None:
    """A melody of eighth pairs, the off-beat eighth late by SWING, some beats one quarter."""
    from symusic import Note, Score, Tempo, TimeSignature, Track

    rng = np.random.default_rng(seed)
    score = Score(TPQ)
    score.tempos.append(Tempo(0, 120.0))
    score.time_signatures.append(TimeSignature(0, 4, 4))
    track = Track("Swing", 0, False)
    for b in range(beats):
        pitch = int(rng.integers(60, 72))
        if b % 4 == 3:
            track.notes.append(Note(b * TPQ, TPQ, pitch, 80))
            continue
        late = int(round((0.5 + SWING) * TPQ))
        track.notes.append(Note(b * TPQ, late, pitch, 90))
        track.notes.append(Note(b * TPQ + late, TPQ - late, pitch + 2, 70))
    score.tracks.append(track)
    score.dump_midi(str(path))


def straight_eighths(beats: int = 16) -> NoteArray:
    onset = np.arange(2 * beats) / 2.0
    return NoteArray.from_lists(onset, [0.5] * onset.size, [60 + i % 5 for i in range(onset.size)])


def late_off_beats(onset: np.ndarray, straight: np.ndarray) -> np.ndarray:
    """How late each off-beat eighth of the straight piece falls in the other."""
    off = np.abs(straight % 1 - 0.5) < 1e-9
    return onset[off] - straight[off]


@pytest.fixture(scope="module")
def swung_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("swung")
    for i in range(4):
        write_swung(folder / f"swing{i}.mid", seed=i)
    return folder


def test_a_swung_corpus_has_that_swing(swung_dir: Path, tmp_path: Path) -> None:
    from musicstudio.core.music.corpus import scan

    corpus = scan([swung_dir], workers=0, cache_dir=tmp_path / "cache")
    profile = FeelProfile.from_json(corpus.stats["feel"])
    assert profile is not None and profile.files == 4
    assert profile.swing == pytest.approx(SWING, abs=1e-3)
    assert profile.swing_onsets == 4 * 36
    assert max(abs(v) for v in profile.mean) < 1e-3 and profile.tempo_spread == 0.0


def test_straight_eighths_measure_no_swing_and_played_ones_their_spread() -> None:
    on = straight_eighths(64).onset
    assert corpus_feel([file_feel(on)])["swing"] == 0.0
    rng = np.random.default_rng(1)
    played = on + rng.normal(0.0, 0.02, on.size)
    profile = FeelProfile.from_json(corpus_feel([file_feel(played)]))
    assert profile is not None and 0.012 < profile.spread[0] < 0.03


def test_files_feel_swings_the_off_beat_eighths_and_straight_does_not() -> None:
    notes = straight_eighths()
    profile = FeelProfile(swing=SWING, swing_onsets=10)
    swung = apply_feel(notes, profile, seed=3)
    assert np.allclose(late_off_beats(swung.onset, notes.onset), SWING)
    on_beat = np.abs(notes.onset % 1) < 1e-9
    assert np.allclose(swung.onset[on_beat], notes.onset[on_beat])
    # The first of a pair lasts until its swung partner: long-short.
    assert np.allclose(swung.duration[on_beat], 0.5 + SWING)
    assert apply_feel(notes, None, seed=3) is notes  # an older model: straight
    # Sixteenths are not eighths: a busy beat is not swung.
    busy = NoteArray.from_lists(np.arange(32) / 4.0, [0.25] * 32, [60] * 32)
    assert np.allclose(apply_feel(busy, profile, seed=3).onset, busy.onset)


def test_feel_is_seeded_and_moves_the_tempo_like_the_files() -> None:
    notes = straight_eighths(64)
    profile = FeelProfile(spread=(0.02,) * 12, tempo_spread=0.04)
    a, b = apply_feel(notes, profile, 7), apply_feel(notes, profile, 7)
    assert np.array_equal(a.onset, b.onset) and a.tempo_map == b.tempo_map
    assert not np.array_equal(a.onset, apply_feel(notes, profile, 8).onset)
    qpm = np.array([v for _, v in a.tempo_map])
    assert len(a.tempo_map) >= 64 and 0.005 < np.std(np.log(qpm)) < 0.1


@pytest.fixture(scope="module")
def swung_bundle(swung_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained model (random weights) with the swung corpus's figures, feel included."""
    from musicstudio.core.learn.bundle import ModelBundle
    from musicstudio.core.learn.dataset import TrainingData
    from musicstudio.core.learn.models import build_model, default_config
    from musicstudio.core.music.corpus import ScanOptions, scan

    base = tmp_path_factory.mktemp("swung_bundle")
    corpus = scan([swung_dir], ScanOptions(threshold=1), workers=0, cache_dir=base / "cache")
    data = TrainingData.from_corpus(corpus, 0.2)
    config = default_config("lstm", units=8, layers=1, window=16, head_units=8)
    model = build_model(config, data.vocab.sizes)
    bundle = ModelBundle(config, data.vocab, model.get_weights(), corpus=data.corpus_summary)
    return bundle.save(base / "swung.msb")


def test_a_piece_composed_like_the_files_swings(swung_bundle: Path, tmp_path: Path) -> None:
    from musicstudio.core.compose.composer import Composer, ComposeSettings
    from musicstudio.core.compose.sampling import SamplingSettings
    from musicstudio.core.learn.bundle import load_bundle
    from musicstudio.core.music.midi import write_midi

    primer = write_midi(tmp_path / "eighths.mid", straight_eighths())
    composer = Composer(load_bundle(swung_bundle))
    assert composer.bundle.feel is not None
    pieces = {
        feel: composer.compose(
            ComposeSettings(
                length=40,
                primer="file",
                primer_file=str(primer),
                include_primer=True,
                feel=feel,
                sampling=SamplingSettings(seed=5),
            )
        )[0].notes
        for feel in ("straight", "files")
    }
    primer_notes = pieces["straight"].onset < 16
    straight = pieces["straight"].onset[primer_notes]
    swung = pieces["files"].onset[primer_notes]
    assert np.allclose(late_off_beats(straight, straight_eighths().onset), 0.0)
    assert np.allclose(late_off_beats(swung, straight), SWING, atol=0.01)


def test_the_compose_command_takes_feel(swung_bundle: Path, tmp_path: Path) -> None:
    from symusic import Score

    primer = tmp_path / "eighths.mid"
    from musicstudio.core.music.midi import write_midi

    write_midi(primer, straight_eighths())
    onsets = {}
    for feel in ("straight", "files"):
        out = tmp_path / f"{feel}.mid"
        proc = subprocess.run(
            [sys.executable, "-m", "musicstudio", "compose", str(swung_bundle), "--length", "20",
             "--primer", str(primer), "--include-primer", "--feel", feel, "--seed", "2",
             "--out", str(out)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        score = Score(str(out))
        ticks = np.sort(np.concatenate([t.notes.numpy()["time"] for t in score.tracks]))
        onsets[feel] = ticks[ticks < 16 * score.tpq] / score.tpq
    off = np.abs(onsets["straight"] % 1 - 0.5) < 1e-9
    assert off.sum() == 16
    assert np.allclose(np.sort(onsets["files"])[off] - onsets["straight"][off], SWING, atol=0.01)
