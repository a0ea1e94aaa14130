"""Form analysis: bars that come back are found, sections are labelled, a corpus gets a profile."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from musicstudio.core.music.form import (
    analyse,
    form_features,
    similarity_matrix,
    voice_repeats,
)
from musicstudio.core.music.form_profile import (
    FormProfile,
    lineup_of,
    profile_of,
)
from musicstudio.core.music.metrics import polyphony
from musicstudio.core.music.midi import NoteArray, read_midi
from musicstudio.core.music.parts import BASS, DRUMS, KEYS, PARTS
from tests.conftest import sample_files


def bar_of(rng: np.random.Generator, part: int = KEYS, notes: int = 8) -> list[tuple]:
    """One random 4/4 bar: (onset in the bar, duration, pitch, part) of its notes."""
    onsets = np.sort(rng.choice(np.arange(16) / 4, notes, replace=False))
    return [(float(o), 0.25, int(rng.integers(48, 84)), part) for o in onsets]


def piece_of(bars: list[list[tuple]]) -> NoteArray:
    """Bars laid end to end (4 quarters each)."""
    rows = [(i * 4 + o, d, p, part) for i, bar in enumerate(bars) for o, d, p, part in bar]
    onset, duration, pitch, part = zip(*rows, strict=True)
    return NoteArray.from_lists(onset, duration, pitch, part=part)


def section(rng: np.random.Generator, bars: int = 4) -> list[list[tuple]]:
    return [bar_of(rng) for _ in range(bars)]


def test_a_piece_built_a_a_b_a_reads_back_as_that_form() -> None:
    rng = np.random.default_rng(0)
    a, b = section(rng), section(rng)
    form = analyse(piece_of(a + a + b + a))
    assert str(form) == "A A B A"
    assert [s.first_bar for s in form.sections] == [0, 4, 8, 12]
    assert [s.source for s in form.sections] == [None, 0, None, 0]
    assert all(s.exact for s in form.sections if s.source is not None)


def test_a_varied_return_is_primed_and_a_new_section_gets_a_new_letter() -> None:
    rng = np.random.default_rng(1)
    a, b, c = section(rng), section(rng), section(rng)
    varied = a[:3] + [bar_of(rng)]  # the last bar composed again
    form = analyse(piece_of(a + b + varied + c))
    assert str(form) == "A B A′ C"
    assert form.sections[2].source == 0 and not form.sections[2].exact


def test_features_count_repeated_bars_and_the_lag() -> None:
    rng = np.random.default_rng(2)
    a, b = section(rng), section(rng)
    f = form_features(piece_of(a + a + b + a))
    # Bars 5-8 and 13-16 repeat earlier bars exactly: 8 of the 15 bars after the first.
    assert f.exact_repeat == f.near_repeat == 8 / 15
    assert f.lag_similarity > 0.3  # bars 4 apart: two of the three lag-4 pairs of sections match
    never = form_features(piece_of(section(rng, 16)))
    assert never.near_repeat == 0 and never.exact_repeat == 0 and never.lag_similarity < 0.2


def test_similarity_is_jaccard_of_voice_onset_pitch_and_silence_is_no_repeat() -> None:
    one = [(0.0, 1.0, 60, KEYS), (1.0, 1.0, 62, KEYS)]
    half = [(0.0, 1.0, 60, KEYS), (1.0, 1.0, 64, KEYS)]  # one of three distinct notes shared
    other_voice = [(0.0, 1.0, 60, BASS), (1.0, 1.0, 62, BASS)]
    sim = similarity_matrix(piece_of([one, half, other_voice, [], []]), bars=5)
    assert sim[0, 0] == 1 and abs(sim[0, 1] - 1 / 3) < 1e-9 and sim[0, 2] == 0
    assert sim[3, 4] == 0  # two silent bars


def test_voices_repeat_on_their_own() -> None:
    rng = np.random.default_rng(3)
    drums = bar_of(rng, DRUMS)
    bars = [bar_of(rng) + drums for _ in range(8)]  # a drum loop under new keys every bar
    shares = voice_repeats(piece_of(bars))
    assert shares[DRUMS] == 1.0 and shares[KEYS] == 0.0


@settings(max_examples=25, deadline=None)
@given(
    labels=st.lists(st.sampled_from("ABC"), min_size=2, max_size=8),
    seed=st.integers(0, 2**16),
)
def test_any_form_of_random_sections_comes_back(labels: list[str], seed: int) -> None:
    rng = np.random.default_rng(seed)
    material = {label: section(rng) for label in "ABC"}
    form = analyse(piece_of([bar for label in labels for bar in material[label]]))
    # The analysis names sections in order of appearance: map the labels the same way.
    order = list(dict.fromkeys(labels))
    assert str(form) == " ".join("ABC"[order.index(label)] for label in labels)


def test_profile_of_real_chorales_in_words_and_back_from_json() -> None:
    pieces = [read_midi(f) for f in sample_files(40)]
    profile = profile_of(pieces)
    assert len(profile.forms) == 40 and 8 <= profile.median_bars <= 40
    assert 0.05 < profile.near_repeat < 0.6  # chorales repeat their first phrase, little more
    assert profile.exact_repeat <= profile.near_repeat
    assert set(profile.voices) <= set(PARTS) and profile.voices
    words = profile.describe()
    assert "sections of 4 bars" in words and "median piece" in words
    # every chorale's line-up: its four singers' voices, as the file's tracks give them
    assert len(profile.lineups) == 40
    assert all(
        lineup == lineup_of(p) and len(lineup) == len(set(p.voice.tolist()))
        for lineup, p in zip(profile.lineups, pieces, strict=True)
    )
    assert FormProfile.from_json(profile.to_json()) == profile
    assert FormProfile.from_json({"forms": "A"}) is None  # damaged: ignored, not raised
    damaged = profile.to_json() | {"lineups": [["keys 1"]]}  # one line-up for 40 files
    assert FormProfile.from_json(damaged).lineups == ()  # every learned voice plays


def test_a_profile_keeps_to_one_scale_where_most_files_do() -> None:
    chorales = profile_of([read_midi(f) for f in sample_files(20)])
    assert len(chorales.in_scale) == 20 and all(0.7 < s <= 1.0 for s in chorales.in_scale)
    assert not chorales.keeps_scale  # chromatic chorales: accidentals in most files
    assert not chorales.one_line and all(2.0 < p <= 5.0 for p in chorales.polyphony)  # SATB
    line = piece_of([[(0, 1, 60, KEYS), (1, 1, 62, KEYS)], [(0, 2, 64, KEYS)]])
    assert polyphony(line) == 1.0
    assert polyphony(line.merged(piece_of([[(0, 1, 67, KEYS)]]))) == 4 / 3
    assert "keep to one scale" not in chorales.describe()
    rng = np.random.default_rng(1)
    g_major = [43, 45, 47, 48, 50, 52, 54, 55, 57, 59, 60, 62, 64, 66, 67, 69, 71, 72, 74, 76, 78]
    tunes = []
    for _ in range(5):
        bars = section(rng, 8)
        tunes.append(
            piece_of([[(o, d, int(rng.choice(g_major)), k) for o, d, _, k in b] for b in bars])
        )
    tunes.append(piece_of(section(rng, 8)))  # one chromatic file of six
    diatonic = profile_of(tunes)
    assert diatonic.in_scale[:5] == (1.0,) * 5 and diatonic.in_scale[5] < 0.9
    assert diatonic.keeps_scale and "most files keep to one scale" in diatonic.describe()
    assert FormProfile.from_json(diatonic.to_json()) == diatonic
    damaged = diatonic.to_json() | {"in_scale": [1.0, 2.0], "polyphony": [0.5] * 6}
    restored = FormProfile.from_json(damaged)
    assert restored is not None and restored.in_scale == () and not restored.keeps_scale
    assert restored.polyphony == () and not restored.one_line
