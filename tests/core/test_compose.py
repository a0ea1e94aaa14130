"""Composing: seeded, sampled (not collapsing), primed, measured in bars, exported and re-read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.compose.composer import ComposeError, Composer, ComposeSettings
from musicstudio.core.compose.generator import Generator, Masks
from musicstudio.core.compose.sampling import MASKED, SamplingSettings, nucleus, sample
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.midi import read_midi, write_midi
from musicstudio.core.music.musicxml import read_musicxml_pitches, write_musicxml
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.vocab import N_STREAMS, START, STREAMS
from musicstudio.core.music.voices import N_VOICES, VOICE_LABELS


@pytest.fixture(scope="module", params=["wavenet", "lstm"])
def composer(request: pytest.FixtureRequest, tiny_bundles: dict[str, Path]) -> Composer:
    return Composer(load_bundle(tiny_bundles[request.param]))


def settings(**kw) -> ComposeSettings:  # type: ignore[no-untyped-def]
    sampling = kw.pop("sampling", SamplingSettings())
    return ComposeSettings(**{"length": 64, "primer": "none", "sampling": sampling, **kw})


def test_composes_real_notes_without_start_tokens(composer: Composer) -> None:
    [c] = composer.compose(settings(length=120))
    assert c.tokens.shape == (120, N_STREAMS)
    assert (c.tokens[:, 0] != START).all()
    assert len(c.notes) >= 60  # events carry one or more notes, or rests
    assert len(np.unique(c.tokens[:, 0])) > 5  # not one repeated note


def test_a_new_piece_every_time_unless_the_seed_is_fixed(composer: Composer) -> None:
    first, second = (composer.compose(settings())[0] for _ in range(2))
    assert first.seed != second.seed and not (first.tokens == second.tokens).all()
    again = composer.compose(settings(sampling=SamplingSettings(seed=first.seed)))[0]
    assert again.seed == first.seed and (again.tokens == first.tokens).all()


def test_seed_makes_it_reproducible(composer: Composer) -> None:
    a = composer.compose(settings(sampling=SamplingSettings(seed=3)))[0].tokens
    b = composer.compose(settings(sampling=SamplingSettings(seed=3)))[0].tokens
    c = composer.compose(settings(sampling=SamplingSettings(seed=4)))[0].tokens
    assert (a == b).all() and not (a == c).all()


def test_greedy_is_temperature_zero_and_ignores_seed(composer: Composer) -> None:
    # every learned voice may play: the seed also draws a file's line-up (form_plan.lineup_for)
    g1 = composer.compose(
        settings(
            lineup="all",
            sampling=SamplingSettings(temperature=0, rhythm_temperature=0, seed=1),
        )
    )[0]
    g2 = composer.compose(
        settings(
            lineup="all",
            sampling=SamplingSettings(temperature=0, rhythm_temperature=0, seed=2),
        )
    )[0]
    k1 = composer.compose(
        settings(lineup="all", sampling=SamplingSettings(top_k=1, repetition_penalty=1.0, seed=5))
    )[0]
    assert (g1.tokens == g2.tokens).all()
    assert (g1.tokens == k1.tokens).all()


def test_rhythm_has_its_own_temperature() -> None:
    """Pitches and voices follow `temperature`; note lengths, onsets and loudness follow
    `rhythm_temperature`: at 0 that head is the most likely choice in every row."""
    rows, rng = 400, np.random.default_rng(0)
    sizes = {"pitch": 30, "duration": 12, "step": 9, "velocity": 8, "voice": N_VOICES}
    logits = {name: rng.normal(0, 0.1, (rows, size)) for name, size in sizes.items()}
    masks = Masks.open(sizes["pitch"])
    placed = np.zeros((rows, N_VOICES), int)

    def draw(**kw: float) -> np.ndarray:
        uniform = 1.0 - rng.random((rows, N_STREAMS))
        return Generator._draw(logits, 0.0, uniform, SamplingSettings(**kw), masks, placed)

    steady = draw(temperature=1.0, rhythm_temperature=0.0)
    for h, name in enumerate(STREAMS):
        most_likely = np.argmax(logits[name], axis=-1)
        if name in ("pitch", "voice"):
            assert (steady[:, h] != most_likely).mean() > 0.5  # still sampled
        else:
            assert (steady[:, h] == most_likely).all()
    fixed_pitch = draw(temperature=0.0, rhythm_temperature=1.0)
    assert (fixed_pitch[:, 0] == np.argmax(logits["pitch"] + masks.pitch[0], axis=-1)).all()
    assert (fixed_pitch[:, 1] != np.argmax(logits["duration"], axis=-1)).mean() > 0.5


def test_variations_differ(composer: Composer) -> None:
    vs = composer.compose(settings(variations=4))
    assert len(vs) == 4
    assert len({v.tokens.tobytes() for v in vs}) == 4


def test_bars_set_the_length_in_time(composer: Composer) -> None:
    [c] = composer.compose(settings(bars=4, primer="corpus"))
    end = float(c.notes.onset.max())
    assert 12.0 <= end < 16.0  # the last onset falls in the fourth bar


def test_primer_from_a_users_midi_file(
    composer: Composer, tiny_bundles: dict[str, Path], tmp_path: Path
) -> None:
    src = sorted(Path(tiny_bundles["corpus"]).glob("*.mid"))[0]
    [c] = composer.compose(settings(primer="file", primer_file=str(src), primer_events=16))
    assert len(c.primer) == 16 and c.events == 64
    bad = tmp_path / "bad.mid"
    bad.write_text("not midi")
    with pytest.raises(ComposeError, match="bad.mid"):
        composer.compose(settings(primer="file", primer_file=str(bad)))


def test_cancel(composer: Composer) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        composer.compose(settings(length=1000), cancel=token)


def test_export_midi_and_musicxml_re_read_the_generated_notes(
    composer: Composer, tmp_path: Path
) -> None:
    [c] = composer.compose(settings(length=48, tempo=90, program=40, single_instrument=True))
    mid = write_midi(tmp_path / "c.mid", c.notes)
    back = read_midi(mid)
    assert back.tempo_qpm == pytest.approx(90, abs=0.5)
    assert set(back.program.tolist()) == {40}  # a one-instrument reduction
    # one track holds one note of a pitch at a time: the notes the voices shared come once
    assert sorted(zip(back.onset.round(4), back.pitch, strict=True)) == sorted(
        set(zip(c.notes.onset.round(4), c.notes.pitch, strict=True))
    )
    xml = write_musicxml(tmp_path / "c.musicxml", c.notes)
    pitches = read_musicxml_pitches(xml)
    want = sorted(
        (round(float(o), 3), int(p)) for o, p in zip(c.notes.onset, c.notes.pitch, strict=True)
    )
    assert sorted((round(o, 3), p) for o, p in pitches) == sorted(set(want))


def test_nucleus_top_k_and_top_p() -> None:
    probs = np.array([[0.5, 0.3, 0.15, 0.05]])
    assert (nucleus(probs, 2, 1.0)[0] > 0).tolist() == [True, True, False, False]
    assert (nucleus(probs, 0, 0.7)[0] > 0).tolist() == [True, True, False, False]  # 0.5 + 0.3
    assert (nucleus(probs, 0, 0.1)[0] > 0).sum() == 1


def test_sampling_never_draws_a_masked_choice_and_follows_the_odds() -> None:
    rng = np.random.default_rng(0)
    logits = np.log(np.tile([[0.5, 0.3, 0.15, 0.05]], (20_000, 1)))
    logits[:, 0] += MASKED  # the likeliest choice is forbidden
    drawn = sample(logits, 1.0, 0, 1.0, 1.0 - rng.random(len(logits)))
    share = np.bincount(drawn, minlength=4) / len(drawn)
    assert share[0] == 0
    assert np.allclose(share[1:], [0.6, 0.3, 0.1], atol=0.015)
    assert (sample(logits, 0.0, 0, 1.0, np.ones(len(logits))) == 1).all()  # greedy


@pytest.fixture(scope="module")
def band(band_bundle: Path) -> Composer:
    return Composer(load_bundle(band_bundle))


def test_a_band_model_composes_several_voices_each_in_its_own_track(
    band: Composer, tmp_path: Path
) -> None:
    from symusic import Score

    [c] = band.compose(settings(length=300, primer="corpus", sampling=SamplingSettings(seed=1)))
    played = set(np.unique(c.notes.part).tolist())
    assert DRUMS in played and len(played) >= 3, played
    mid = write_midi(tmp_path / "band.mid", c.notes)
    score = Score(str(mid))
    tracks = {t.name: t for t in score.tracks}
    assert set(tracks) == {VOICE_LABELS[v] for v in np.unique(c.notes.voices)}
    assert tracks["Drums"].is_drum and not any(t.is_drum for n, t in tracks.items() if n != "Drums")
    # Each voice on the program the corpus used most: bass 33, synth lead 80.
    if "Bass 1" in tracks:
        assert tracks["Bass 1"].program == 33
    back = read_midi(mid)
    assert back.notes_per_voice() == c.notes.notes_per_voice()


def test_the_user_picks_a_program_per_part_and_a_single_instrument_drops_drums(
    band: Composer,
) -> None:
    [c] = band.compose(
        settings(
            length=200,
            primer="corpus",
            programs={"bass": 34, "keys": 4},
            sampling=SamplingSettings(seed=0),
        )
    )
    bass = c.notes.part == PARTS.index("bass")
    assert bass.any() and set(c.notes.program[bass].tolist()) == {34}
    [solo] = band.compose(settings(length=200, primer="corpus", single_instrument=True))
    assert (solo.notes.part != DRUMS).all() and set(solo.notes.program.tolist()) == {0}
    with pytest.raises(ComposeError, match="unknown part or voice"):
        band.compose(settings(programs={"kazoo": 1}))


def test_musicxml_has_one_staff_per_voice(band: Composer, tmp_path: Path) -> None:
    from music21 import converter

    [c] = band.compose(settings(length=120, primer="corpus", sampling=SamplingSettings(seed=2)))
    xml = write_musicxml(tmp_path / "band.musicxml", c.notes)
    staves = converter.parse(str(xml)).parts
    assert len(staves) == len(np.unique(c.notes.voices))
    names = {s.partName for s in staves}
    assert {VOICE_LABELS[v] for v in np.unique(c.notes.voices)} == names


def test_every_composition_is_kept_under_its_own_name(composer: Composer, tmp_path: Path) -> None:
    import json

    from musicstudio.core.compose.library import keep, kept

    made = ComposeSettings(length=32, primer="none", sampling=SamplingSettings(seed=5))
    pieces = [composer.compose(made)[0] for _ in range(2)]  # the same seed twice
    paths = [keep(tmp_path, p, made, "m") for p in pieces]
    assert len(set(paths)) == 2 and all(p.is_file() for p in paths)  # nothing overwritten
    assert set(kept(tmp_path)) == set(paths)
    about = json.loads(paths[0].with_suffix(".json").read_text())
    assert about["seed"] == 5 and about["settings"]["length"] == 32 and about["model"] == "m"
    assert len(read_midi(paths[0])) == len(pieces[0].notes)
