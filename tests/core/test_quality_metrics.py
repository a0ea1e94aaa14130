"""The closeness measure behind "does it sound like my music?": features by hand, OA at its limits."""

from __future__ import annotations

import numpy as np
import pytest

from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import BASS, DRUMS, KEYS
from musicstudio.core.music.quality import (
    FEATURES,
    NOTE_LENGTHS,
    PieceFeatures,
    QualityError,
    compare_sets,
    piece_features,
)
from musicstudio.core.music.quality_kde import (
    GaussianKDE,
    binned_density,
    compare_samples,
    scott_bandwidth,
)

C_MAJOR = [60, 62, 64, 65, 67, 69, 71, 72]


def scale(pitches: list[int] = C_MAJOR, step: float = 1.0, length: float = 1.0) -> NoteArray:
    """One note per beat, as written."""
    n = len(pitches)
    return NoteArray.from_lists(np.arange(n) * step, [length] * n, pitches)


def with_drums(notes: NoteArray, kick: int = 36) -> NoteArray:
    """The same notes plus a kick drum on every one of their onsets."""
    n = len(notes)
    return NoteArray.from_lists(
        np.r_[notes.onset, notes.onset],
        np.r_[notes.duration, np.full(n, 0.1)],
        np.r_[notes.pitch, np.full(n, kick)],
        part=np.r_[notes.parts, np.full(n, DRUMS)],
    )


def test_c_major_scale_features_are_what_a_musician_counts() -> None:
    f = piece_features(scale())
    expected_pcs = np.zeros(12)
    expected_pcs[[0, 2, 4, 5, 7, 9, 11]] = 1
    expected_pcs[0] = 2  # C4 and C5
    np.testing.assert_allclose(f.pitch_classes, expected_pcs / 8)
    assert f.distinct_pitches == 8
    assert f.pitch_range == 12
    assert f.mean_interval == pytest.approx(12 / 7)  # 2 2 1 2 2 2 1 semitones
    assert f.mean_ioi == pytest.approx(1.0)
    assert f.notes_per_bar == pytest.approx(4.0)  # 8 quarters of 4/4 are two bars
    assert f.polyphony == pytest.approx(1.0)
    assert f.parts == 1 and f.drum_onsets_per_bar == 0
    moves = f.pitch_class_transitions.reshape(12, 12)
    for a, b in [(0, 2), (2, 4), (4, 5), (5, 7), (7, 9), (9, 11), (11, 0)]:
        assert moves[a, b] == pytest.approx(1 / 7)
    assert moves.sum() == pytest.approx(1.0)
    quarter = int(np.flatnonzero(NOTE_LENGTHS == 1.0)[0])
    assert f.note_lengths[quarter] == pytest.approx(1.0)


def test_chords_count_once_per_onset_and_the_top_line_carries_the_interval() -> None:
    # C major triad, then F major triad (C4 E4 G4 -> F4 A4 C5), half notes.
    notes = NoteArray.from_lists([0, 0, 0, 2, 2, 2], [2] * 6, [60, 64, 67, 65, 69, 72])
    f = piece_features(notes)
    assert f.polyphony == pytest.approx(3.0)
    assert f.mean_interval == pytest.approx(5.0)  # G4 -> C5
    assert f.mean_ioi == pytest.approx(2.0)
    assert f.pitch_class_transitions.reshape(12, 12)[7, 0] == pytest.approx(1 / 9)
    assert f.note_lengths[int(np.flatnonzero(NOTE_LENGTHS == 2.0)[0])] == pytest.approx(1.0)


def test_drums_are_left_out_of_every_pitch_feature() -> None:
    plain, drummed = piece_features(scale()), piece_features(with_drums(scale(), kick=36))
    for name in ("pitch_classes", "pitch_class_transitions", "note_lengths", "pitch_range"):
        np.testing.assert_allclose(drummed.value(name), plain.value(name), err_msg=name)
    for name in ("mean_interval", "distinct_pitches", "notes_per_bar", "polyphony", "mean_ioi"):
        assert getattr(drummed, name) == pytest.approx(getattr(plain, name)), name
    assert drummed.drum_onsets_per_bar == pytest.approx(4.0)
    assert drummed.parts == 2
    assert drummed.part_shares[KEYS] == pytest.approx(0.5)
    assert drummed.part_shares[DRUMS] == pytest.approx(0.5)


def test_intervals_follow_each_part_not_jumps_between_parts() -> None:
    # Bass on C2 under a melody stepping C5 D5 E5: the melody's steps, not 36-semitone leaps.
    melody = NoteArray.from_lists([0, 1, 2], [1, 1, 1], [72, 74, 76])
    bass = NoteArray.from_lists([0, 1, 2], [1, 1, 1], [36, 36, 36], part=[BASS] * 3)
    both = NoteArray.from_lists(
        np.r_[melody.onset, bass.onset],
        np.r_[melody.duration, bass.duration],
        np.r_[melody.pitch, bass.pitch],
        part=np.r_[melody.parts, bass.parts],
    )
    assert piece_features(both).mean_interval == pytest.approx((2 + 2 + 0 + 0) / 4)


def test_time_signature_sets_the_bar() -> None:
    waltz = scale()
    object.__setattr__(waltz, "time_signature", (3, 4))
    assert piece_features(waltz).notes_per_bar == pytest.approx(8 / (8 / 3))


def melodies(seed: int, n: int, low: int, high: int, step: float = 1.0) -> list[PieceFeatures]:
    rng = np.random.default_rng(seed)
    return [piece_features(scale(list(rng.integers(low, high, 16)), step=step)) for _ in range(n)]


def test_a_set_compared_with_itself_overlaps_almost_fully() -> None:
    ref = melodies(0, 12, 55, 80)
    closeness = compare_sets(ref, ref)
    assert closeness.mean_overlap > 0.9
    assert {f.feature for f in closeness.features} == set(FEATURES)
    # Another draw of the same kind of music is close too.
    assert compare_sets(melodies(1, 12, 55, 80), ref).mean_overlap > 0.8


def test_music_of_another_kind_overlaps_almost_nothing() -> None:
    ref = melodies(0, 12, 55, 80)  # two octaves, one note per beat
    far = [piece_features(with_drums(scale([30] * 16, step=0.25, length=8))) for _ in range(12)]
    closeness = compare_sets(far, ref)
    for name in ("pitch_classes", "distinct_pitches", "mean_ioi", "pitch_range", "parts"):
        assert closeness.overlap(name) < 0.05, name
    assert closeness.mean_overlap < 0.3
    assert closeness.weakest.overlap < 0.05
    assert closeness.overlap("distinct_pitches") < compare_sets(ref, ref).overlap(
        "distinct_pitches"
    )


def test_too_few_reference_pieces_is_an_error_with_a_reason() -> None:
    with pytest.raises(QualityError, match="at least 2 reference pieces"):
        compare_sets(melodies(0, 3, 60, 70), melodies(1, 1, 60, 70))


def test_kde_integrates_to_one_and_follows_scotts_rule() -> None:
    data = np.random.default_rng(0).normal(3.0, 2.0, 400)
    kde = GaussianKDE.fit(data)
    assert kde.bandwidth == pytest.approx(np.std(data, ddof=1) * 400 ** (-0.2))
    x = np.linspace(-15, 21, 8001)
    assert np.sum(kde(x)) * (x[1] - x[0]) == pytest.approx(1.0, abs=1e-3)
    assert scott_bandwidth([5.0]) == 0.0


def test_kde_matches_scipy_where_installed() -> None:
    stats = pytest.importorskip("scipy.stats")
    data = np.random.default_rng(1).gamma(2.0, 1.5, 300)
    x = np.linspace(-2, 15, 50)
    np.testing.assert_allclose(GaussianKDE.fit(data)(x), stats.gaussian_kde(data)(x), rtol=1e-9)


def test_overlap_and_divergence_at_their_limits() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(0, 1, 500)
    same = compare_samples(a, a)
    assert same.overlap == pytest.approx(1.0, abs=1e-6)
    assert same.kl_divergence == pytest.approx(0.0, abs=1e-6)
    apart = compare_samples(a, rng.normal(50, 1, 500))
    assert apart.overlap < 1e-3
    assert apart.kl_divergence > 10
    # Two unit normals one standard deviation apart overlap by 2·Φ(-1/2) ≈ 0.617.
    shifted = compare_samples(rng.normal(0, 1, 4000), rng.normal(1, 1, 4000))
    assert shifted.overlap == pytest.approx(0.617, abs=0.04)
    # One value everywhere (every piece has one part): the same distribution.
    assert compare_samples(np.zeros(10), np.zeros(4)).overlap == 1.0
    # A few outliers among identical values lower the overlap by about their share.
    assert compare_samples(np.zeros(100), np.r_[np.zeros(95), np.ones(5)]).overlap == (
        pytest.approx(0.95, abs=0.02)
    )


@pytest.mark.parametrize("n", [3, 39, 741])
def test_binned_density_is_the_exact_kde_on_the_comparison_grid(n: int) -> None:
    # compare_samples smooths by linear binning + FFT; it must agree with the exact sum.
    data = np.random.default_rng(n).gamma(2.0, 1.5, n)
    bw = max(scott_bandwidth(data), 0.01 * np.ptp(data))
    x = np.linspace(data.min() - 5 * bw, data.max() + 5 * bw, 4096)
    exact = GaussianKDE(data, bw)(x)
    assert np.abs(binned_density(data, bw, x) - exact).max() <= 1e-4 * exact.max()
