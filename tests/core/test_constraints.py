"""Key, range, chord-size and part locks: every composed note obeys them, or a clear refusal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.compose.composer import ComposeError, Composer, ComposeSettings
from musicstudio.core.compose.constraints import ConstraintError, Constraints
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.metrics import CorpusProfile, evaluate_composition, in_key_share
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.theory import note_number, parse_key, scale_of
from musicstudio.core.music.tonality import estimate_key, scale_key, scale_share
from musicstudio.core.music.voices import VOICES

FAMILIES = ("wavenet", "lstm")


@pytest.fixture(scope="module", params=FAMILIES)
def composer(request: pytest.FixtureRequest) -> Composer:
    models = sample_models_dir()
    assert models is not None
    return Composer(load_bundle(models / f"sample-{request.param}.msb"))


def biggest_chord(notes: NoteArray) -> int:
    """Most notes of one pitched voice (one instrument) that start together."""
    pitched = notes.parts != DRUMS
    keys = np.round(notes.onset[pitched] * 12).astype(np.int64) * 64 + notes.voices[pitched]
    return int(np.unique(keys, return_counts=True)[1].max()) if keys.size else 0


def test_note_names_and_keys() -> None:
    assert note_number("C4") == 60 and note_number("C3") == 48 and note_number("F#3") == 54
    assert note_number("Bb5") == 82 and note_number("Eb-1") == 3 and note_number("60") == 60
    assert parse_key("d minor") == (2, "minor") and parse_key("Bb major") == (10, "major")
    with pytest.raises(ConstraintError, match="not a key"):
        Constraints(key="H minor")
    with pytest.raises(ConstraintError, match="not a note"):
        Constraints(lowest="middle C")
    with pytest.raises(ConstraintError, match="above the highest"):
        Constraints(lowest="C6", highest="C3")


def test_every_note_obeys_key_range_and_chord_size_over_20_seeds(composer: Composer) -> None:
    locks = Constraints(key="D minor", lowest="C3", highest="C6", max_chord=3)
    scale = scale_of(2, "minor")
    notes_checked = 0
    for seed in range(20):
        settings = ComposeSettings(
            length=300, sampling=SamplingSettings(seed=seed), constraints=locks
        )
        piece = composer.compose(settings)[0]
        pitched = piece.notes.parts != DRUMS
        pitches = piece.notes.pitch[pitched].astype(int)
        assert len(pitches) > 50, f"seed {seed}: the locks left the piece nearly silent"
        assert {p % 12 for p in pitches} <= scale, seed
        assert pitches.min() >= 48 and pitches.max() <= 84, seed
        assert biggest_chord(piece.notes) <= 3, seed
        assert piece.constraints == "D minor, C3–C6, at most 3 notes per chord"
        notes_checked += len(pitches)
    assert notes_checked > 5_000


def test_a_piece_locked_to_d_minor_is_all_in_key_by_the_metric(composer: Composer) -> None:
    """The lock and the "in key" figure read one scale (theory.SCALES, natural minor): the
    seventh degree C natural, which the lock lets play, counts as in key."""
    locks = Constraints(key="D minor")
    sevenths = 0
    for seed in range(5):
        settings = ComposeSettings(
            length=300, sampling=SamplingSettings(seed=seed), constraints=locks
        )
        piece = composer.compose(settings)[0]
        assert piece.key == "D minor"
        profile = CorpusProfile.from_tokens([piece.tokens])
        m = evaluate_composition(piece.tokens, piece.notes, profile, piece.key)
        assert m.key == "D minor" and m.in_key == 1.0, seed
        pitched = piece.notes.select(piece.notes.parts != DRUMS)
        assert in_key_share(pitched, *parse_key("D minor")) == 1.0, seed
        sevenths += int((pitched.pitch % 12 == 0).sum())
    assert sevenths > 0  # C natural was played, and judged in key


def test_the_compose_job_measures_a_locked_piece_in_its_key() -> None:
    """What the metrics line shows: a piece composed in D minor is 100 % in D minor."""
    from musicstudio.core.app.catalog import ComposeJob
    from musicstudio.core.app.workspace import Workspace
    from musicstudio.core.base.cancel import CancelToken
    from musicstudio.core.base.progress import no_progress

    models = sample_models_dir()
    assert models is not None
    settings = ComposeSettings(
        length=200, sampling=SamplingSettings(seed=4), constraints=Constraints(key="D minor")
    )
    job = ComposeJob(str(models / "sample-lstm.msb"), settings)
    piece = job.run(no_progress, CancelToken(), Workspace(1))[0]
    assert piece.metrics.key == "D minor" and piece.metrics.in_key == 1.0
    unlocked = ComposeJob(job.bundle_path, ComposeSettings(length=200))
    free = unlocked.run(no_progress, CancelToken(), Workspace(1))[0]
    assert free.key == "" and free.metrics.key  # no lock: the key is estimated


def test_without_locks_the_same_seeds_break_them(composer: Composer) -> None:
    """The test above can fail: unconstrained pieces leave the key, range and chord size."""
    outside = 0
    for seed in range(5):
        piece = composer.compose(ComposeSettings(length=300, sampling=SamplingSettings(seed=seed)))[
            0
        ]
        p = piece.notes.pitch.astype(int)
        outside += int(((p < 48) | (p > 84)).sum())
        outside += int(np.isin(p % 12, [1, 4, 6, 8, 11]).sum())  # not in D natural minor
    assert outside > 0


def test_the_corpus_key_is_found_and_obeyed(composer: Composer) -> None:
    piece = composer.compose(
        ComposeSettings(
            length=200, sampling=SamplingSettings(seed=1), constraints=Constraints(key="corpus")
        )
    )[0]
    name = piece.constraints
    tonic, mode = parse_key(name)
    scale = scale_of(tonic, mode)
    assert {int(p) % 12 for p in piece.notes.pitch} <= scale


def test_a_lock_that_leaves_nothing_is_refused_clearly(composer: Composer) -> None:
    # One semitone that is not in the key: no note can sound.
    locks = Constraints(key="C major", lowest="C#4", highest="C#4")
    with pytest.raises(ComposeError, match="no note or chord this model knows fits C major"):
        composer.compose(ComposeSettings(length=50, constraints=locks))
    with pytest.raises(ComposeError, match="never learned the drums part"):
        composer.compose(ComposeSettings(length=50, constraints=Constraints(parts=("drums",))))


def test_part_lock_and_drums_keep_their_kit(band_bundle: Path) -> None:
    band = Composer(load_bundle(band_bundle))
    locks = Constraints(key="E minor", highest="C5", parts=("bass", "drums"))
    for seed in range(5):
        piece = band.compose(
            ComposeSettings(length=300, sampling=SamplingSettings(seed=seed), constraints=locks)
        )[0]
        parts = set(piece.notes.parts.tolist())
        assert parts <= {PARTS.index("bass"), DRUMS} and PARTS.index("bass") in parts
        pitched = piece.notes.parts != DRUMS
        assert piece.notes.pitch[pitched].max() <= 72
        assert {int(p) % 12 for p in piece.notes.pitch[pitched]} <= {4, 6, 7, 9, 11, 0, 2}
    drums = piece.notes.pitch[piece.notes.parts == DRUMS]
    assert drums.size and (drums > 72).any()  # the kit is not held to the range


def test_continuing_a_file_writes_it_whole_then_the_new_music(
    composer: Composer, tmp_path: Path
) -> None:
    from musicstudio.core.base.resources import sample_corpus_dir
    from musicstudio.core.music.midi import read_midi, write_midi

    folder = sample_corpus_dir()
    assert folder is not None
    source = sorted(folder.glob("*.mid"))[0]
    original = read_midi(source)
    settings = ComposeSettings(
        primer="file", primer_file=str(source), include_primer=True, bars=4,
        sampling=SamplingSettings(seed=3),
    )  # fmt: skip
    piece = composer.compose(settings)[0]
    end = piece.new_from
    assert end >= original.onset.max()
    before = piece.notes.select(piece.notes.onset < end)
    assert sorted(zip(before.onset.round(6), before.pitch.tolist(), strict=True)) == sorted(
        zip(original.onset.round(6), original.pitch.tolist(), strict=True)
    )
    after = piece.notes.select(piece.notes.onset >= end)
    assert len(after) > 0 and after.onset.max() < end + 4 * 4 + 4  # about four more bars
    again = read_midi(write_midi(tmp_path / "whole.mid", piece.notes))
    assert len(again) == len(piece.notes)


def test_a_modal_tune_keeps_its_scale_where_the_heard_key_would_not() -> None:
    # A dorian: A B C D E F# G. Heard in A minor, whose scale leaves out the F#.
    dorian = np.zeros(12)
    dorian[[9, 11, 0, 2, 4, 6, 7]] = [4, 1, 2, 1, 3, 1, 1]
    assert estimate_key(dorian) == (9, "minor")
    assert set(scale_of(*scale_key(dorian))) == {9, 11, 0, 2, 4, 6, 7}
    assert scale_share(dorian) == 1.0
    chromatic = np.ones(12)
    assert scale_share(chromatic) == pytest.approx(7 / 12)
    assert scale_share(np.zeros(12)) == 0.0


def test_like_your_files_keeps_a_piece_in_one_scale_only_where_the_files_do(
    composer: Composer,
) -> None:
    bundle = composer.bundle
    assert bundle.form is not None and not bundle.form.keeps_scale  # chromatic chorales
    assert Constraints().key == "files" and not Constraints().active
    assert Constraints(key="any").key is None
    free = [
        composer.compose(ComposeSettings(bars=16, sampling=SamplingSettings(seed=s)))[0]
        for s in range(3)
    ]
    assert all(p.constraints == "" and p.key == "" for p in free)
    outside = [
        scale_share(np.bincount(p.notes.pitch.astype(int) % 12, minlength=12).astype(float))
        for p in free
    ]
    assert min(outside) < 1.0  # the chorale model writes accidentals, as chorales do

    diatonic = replace(bundle.form, in_scale=(1.0,) * len(bundle.form.forms))
    assert diatonic.keeps_scale
    kept = Composer(replace(bundle, form=diatonic))
    for seed in range(3):
        piece = kept.compose(ComposeSettings(bars=16, sampling=SamplingSettings(seed=seed)))[0]
        tonic, mode = parse_key(piece.key)
        assert piece.constraints == piece.key  # the metrics line names the scale kept
        pitched = piece.notes.pitch[piece.notes.parts != DRUMS].astype(int)
        assert len(pitched) > 20 and {int(p) % 12 for p in pitched} <= scale_of(tonic, mode)
        anything = kept.compose(
            ComposeSettings(
                bars=16, sampling=SamplingSettings(seed=seed), constraints=Constraints(key="any")
            )
        )[0]
        assert anything.key == ""  # 'any' lets it leave the scale


def test_a_model_that_learned_one_line_composes_one_line(composer: Composer) -> None:
    bundle = composer.bundle
    assert bundle.form is not None and not bundle.form.one_line  # chorales: four singers
    n = len(bundle.form.forms)
    melody = bundle.voices[0]
    songs = replace(bundle.form, lineups=((melody,),) * n, polyphony=(1.0,) * n)
    assert songs.one_line
    for one_line, form in (
        (False, replace(songs, polyphony=(1.0,) * (n - 1) + (1.2,))),
        (True, songs),
    ):
        assert form.one_line == one_line
        both = 0
        for seed in range(4):
            piece = Composer(replace(bundle, form=form)).compose(
                ComposeSettings(bars=8, sampling=SamplingSettings(seed=seed))
            )[0]
            onsets = np.round(piece.notes.onset * 12).astype(int)
            assert len(onsets) > 10 and set(piece.notes.voices.tolist()) == {VOICES.index(melody)}
            both += len(onsets) - np.unique(onsets).size  # notes that start with another
        assert (both == 0) == one_line
