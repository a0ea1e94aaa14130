"""Regenerate a passage: the bars change, nothing else does, and the passage joins what follows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.compose.composer import ComposeError, Composer, ComposeSettings
from musicstudio.core.compose.constraints import Constraints
from musicstudio.core.compose.regenerate import RegenerateSettings, regenerate
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.midi import NoteArray, read_midi, write_midi
from musicstudio.core.music.parts import PARTS
from musicstudio.core.music.theory import parse_key, pitch_class_histogram, scale_of
from musicstudio.core.music.tonality import scale_share


@pytest.fixture(scope="module", params=("wavenet", "lstm"))
def composer(request: pytest.FixtureRequest) -> Composer:
    models = sample_models_dir()
    assert models is not None
    return Composer(load_bundle(models / f"sample-{request.param}.msb"))


def note_list(notes: NoteArray) -> list[tuple[float, float, int, int, int, int]]:
    return sorted(
        zip(
            notes.onset.round(6).tolist(),
            notes.duration.round(6).tolist(),
            notes.pitch.tolist(),
            notes.velocity.tolist(),
            notes.program.tolist(),
            notes.parts.tolist(),
            strict=True,
        )
    )


def piece_of(composer: Composer, seed: int = 7) -> NoteArray:
    return composer.compose(ComposeSettings(bars=16, sampling=SamplingSettings(seed=seed)))[0].notes


def test_only_the_selected_bars_change(composer: Composer) -> None:
    piece = piece_of(composer)
    bar = 4.0  # the chorales are in 4/4
    result = regenerate(
        composer,
        piece,
        RegenerateSettings(first_bar=5, last_bar=8, sampling=SamplingSettings(seed=1)),
    )
    inside = (piece.onset >= 4 * bar) & (piece.onset < 8 * bar)
    new_inside = (result.notes.onset >= 4 * bar) & (result.notes.onset < 8 * bar)
    assert note_list(result.notes.select(~new_inside)) == note_list(piece.select(~inside))
    assert note_list(result.notes.select(new_inside)) == note_list(result.passage)
    assert len(result.passage) > 0
    assert note_list(result.passage) != note_list(piece.select(inside))
    assert (result.passage.onset + result.passage.duration <= 8 * bar + 1e-6).all()
    assert (result.start, result.end) == (16.0, 32.0)


def test_the_kept_candidate_joins_at_least_as_well_as_the_median(composer: Composer) -> None:
    wins = []
    for seed in range(4):
        piece = piece_of(composer, seed)
        r = regenerate(
            composer,
            piece,
            RegenerateSettings(
                first_bar=3, last_bar=4, candidates=8, sampling=SamplingSettings(seed=seed)
            ),
        )
        assert r.scored_events > 0 and len(r.scores) == 8
        assert r.score == max(r.scores) >= r.median_of_others
        wins.append(r.score - r.median_of_others)
    assert np.mean(wins) > 0  # the candidates differ, and the choice matters


def test_a_fixed_seed_regenerates_the_same_passage(composer: Composer) -> None:
    piece = piece_of(composer)
    settings = RegenerateSettings(first_bar=2, last_bar=3, sampling=SamplingSettings(seed=11))
    a, b = regenerate(composer, piece, settings), regenerate(composer, piece, settings)
    assert note_list(a.notes) == note_list(b.notes)


def test_the_passage_obeys_the_locks(composer: Composer) -> None:
    piece = piece_of(composer)
    locks = Constraints(key="A minor", lowest="E3", highest="A5", max_chord=2)
    r = regenerate(
        composer,
        piece,
        RegenerateSettings(
            first_bar=3, last_bar=6, constraints=locks, sampling=SamplingSettings(seed=2)
        ),
    )
    scale = scale_of(9, "minor")
    p = r.passage.pitch.astype(int)
    assert p.size and {x % 12 for x in p} <= scale and p.min() >= 52 and p.max() <= 81


def test_bars_composed_again_keep_to_the_scale_of_the_piece_where_the_files_keep_to_one(
    composer: Composer,
) -> None:
    bundle = composer.bundle
    assert bundle.form is not None
    diatonic = Composer(
        replace(bundle, form=replace(bundle.form, in_scale=(1.0,) * len(bundle.form.forms)))
    )
    # a piece in F# major, far from the chorales' keys, so the corpus's scale would not do
    in_f_sharp = ComposeSettings(
        bars=12, sampling=SamplingSettings(seed=4), constraints=Constraints(key="F# major")
    )
    made = diatonic.compose(in_f_sharp)[0]
    assert made.key == "F# major" and scale_share(pitch_class_histogram(made.notes)) == 1.0
    for first in (1, 5):  # bars 1-2 have no music before them: the scale is heard in the piece
        r = regenerate(
            diatonic,
            made.notes,
            RegenerateSettings(
                first_bar=first, last_bar=first + 1, sampling=SamplingSettings(seed=3)
            ),
        )
        assert len(r.passage) and scale_share(pitch_class_histogram(r.notes)) == pytest.approx(1)
        assert {int(x) % 12 for x in r.passage.pitch} <= scale_of(6, "major")
        assert scale_of(*parse_key(r.key)) == scale_of(6, "major")  # the take names it


def test_only_the_selected_parts_change(band_bundle: Path) -> None:
    band = Composer(load_bundle(band_bundle))
    piece = band.compose(ComposeSettings(bars=12, sampling=SamplingSettings(seed=4)))[0].notes
    bass = PARTS.index("bass")
    bar = 4.0
    r = regenerate(
        band,
        piece,
        RegenerateSettings(
            first_bar=4, last_bar=6, parts=("bass",), sampling=SamplingSettings(seed=3)
        ),
    )
    selected = (piece.parts == bass) & (piece.onset >= 3 * bar) & (piece.onset < 6 * bar)
    new_selected = (r.notes.parts == bass) & (r.notes.onset >= 3 * bar) & (r.notes.onset < 6 * bar)
    assert note_list(r.notes.select(~new_selected)) == note_list(piece.select(~selected))
    assert set(r.passage.parts.tolist()) <= {bass}


def test_regenerating_a_midi_file_round_trips(composer: Composer, tmp_path: Path) -> None:
    piece = read_midi(write_midi(tmp_path / "piece.mid", piece_of(composer)))
    r = regenerate(composer, piece, RegenerateSettings(first_bar=1, last_bar=2))
    again = read_midi(write_midi(tmp_path / "again.mid", r.notes))
    assert len(again) == len(r.notes)


def test_bad_selections_are_refused_clearly(composer: Composer) -> None:
    piece = piece_of(composer)
    with pytest.raises(ComposeError, match=r"the piece has 1[67] bars: bar 40 is past its end"):
        regenerate(composer, piece, RegenerateSettings(first_bar=40, last_bar=41))
    with pytest.raises(ComposeError, match="bar 2 comes before bar 3"):
        RegenerateSettings(first_bar=3, last_bar=2)
    with pytest.raises(ComposeError, match="never learned the drums part"):
        regenerate(composer, piece, RegenerateSettings(first_bar=1, last_bar=1, parts=("drums",)))
