"""Composing with form: planned sections come back, note for note or varied, with markers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.base.resources import sample_models_dir
from musicstudio.core.compose.bars import bar_of, bar_similarity, cut, onsets, rests
from musicstudio.core.compose.composer import ComposeError, Composer, ComposeSettings
from musicstudio.core.compose.constraints import Constraints
from musicstudio.core.compose.form_plan import corpus_plan, user_plan
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.compose.sections import JOIN_CANDIDATES, SectionComposer
from musicstudio.core.learn.bundle import load_bundle
from musicstudio.core.music.form import (
    NEAR_REPEAT,
    NEW,
    PARTIAL_REPEAT,
    analyse,
    form_features,
    repeat_code,
    similarity_matrix,
)
from musicstudio.core.music.form_profile import FormProfile
from musicstudio.core.music.midi import NoteArray, read_markers, read_midi, write_midi
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.theory import scale_of
from musicstudio.core.music.vocab import N_STREAMS, STREAMS
from musicstudio.core.music.voices import VOICES

STEP = STREAMS.index("step")
BAR = 4.0  # quarters: the chorales are in 4/4


@pytest.fixture(scope="module", params=["wavenet", "lstm"])
def composer(request: pytest.FixtureRequest, tiny_bundles: dict[str, Path]) -> Composer:
    return Composer(load_bundle(tiny_bundles[request.param]))


def compose(composer: Composer, **kw) -> list:  # type: ignore[no-untyped-def]
    kw.setdefault("sampling", SamplingSettings(seed=kw.pop("seed", 1)))
    return composer.compose(ComposeSettings(**kw))


def bars_of(notes: NoteArray, first: int, last: int) -> set[tuple]:
    """(onset within the passage, pitch, part, duration) of the notes starting in bars first..last."""
    lo, hi = (first - 1) * BAR, last * BAR
    sel = (notes.onset >= lo - 1e-9) & (notes.onset < hi - 1e-9)
    return {
        (round(float(o) - lo, 4), int(p), int(q), round(float(d), 4))
        for o, p, q, d in zip(
            notes.onset[sel], notes.pitch[sel], notes.parts[sel], notes.duration[sel], strict=True
        )
    }


def test_returning_sections_are_note_for_note_the_first(composer: Composer) -> None:
    [piece] = compose(composer, form="A A B A", bars=16, variations=1)
    assert piece.form == "A A B A"
    assert [(m.name, m.start, m.end) for m in piece.sections] == [
        ("A", 0.0, 16.0),
        ("A", 16.0, 32.0),
        ("B", 32.0, 48.0),
        ("A", 48.0, 64.0),
    ]
    a = bars_of(piece.notes, 1, 4)
    assert a and bars_of(piece.notes, 5, 8) == a and bars_of(piece.notes, 13, 16) == a
    assert bars_of(piece.notes, 9, 12) != a
    assert str(analyse(piece.notes)).startswith("A A B A")


def test_a_varied_return_shares_its_first_bars_and_leads_on_anew(composer: Composer) -> None:
    pieces = compose(composer, form="A B A′", bars=24, variations=3, seed=5)
    for piece in pieces:
        assert [m.name for m in piece.sections] == ["A", "B", "A′"]
        assert bars_of(piece.notes, 17, 20) == bars_of(piece.notes, 1, 4)  # the first half again
    assert any(bars_of(p.notes, 21, 24) != bars_of(p.notes, 5, 8) for p in pieces)


def test_every_variation_has_its_own_music_in_the_same_form(composer: Composer) -> None:
    first, second = compose(composer, form="A A", bars=8, variations=2)
    assert first.form == second.form == "A A"
    assert bars_of(first.notes, 1, 4) != bars_of(second.notes, 1, 4)


def test_a_default_compose_is_a_whole_piece_in_a_form_of_the_corpus(
    composer: Composer,
) -> None:
    profile = composer.bundle.form
    assert profile is not None and profile.forms  # learned when the model was trained
    [piece] = compose(composer)
    bars = round(piece.sections[-1].end / BAR)
    want = default_length(profile, piece.notes.time_signature)
    assert abs(bars - want) <= 0.25 * want
    assert piece.notes.onset.max() < bars * BAR
    assert form_features(piece.notes).exact_repeat > 0 or "A A" not in piece.form


def test_minutes_set_the_length_at_the_tempo(composer: Composer) -> None:
    [piece] = compose(composer, form="A B", minutes=0.5, tempo=96)  # 48 quarters: 12 bars
    assert piece.sections[-1].end == 48.0


def test_events_without_a_form_compose_straight_on(composer: Composer) -> None:
    [piece] = compose(composer, length=40)
    assert piece.events == 40 and piece.sections == [] and piece.form == ""


def test_markers_come_back_from_the_written_midi(composer: Composer, tmp_path: Path) -> None:
    [piece] = compose(composer, form="intro A A B A outro", bars=24)
    path = write_midi(
        tmp_path / "song.mid", piece.notes, markers=[(m.start, m.name) for m in piece.sections]
    )
    assert read_markers(path) == [(m.start, m.name) for m in piece.sections]
    assert [name for _, name in read_markers(path)] == ["Intro", "A", "A", "B", "A", "Outro"]
    assert len(read_midi(path)) == len(piece.notes)


def test_a_form_that_is_not_one_is_refused_with_the_word(composer: Composer) -> None:
    with pytest.raises(ComposeError, match="'4x'"):
        compose(composer, form="A A 4x")
    with pytest.raises(ComposeError, match="3 bars cannot hold 4 sections"):
        compose(composer, form="A B A B", bars=3)


def test_plans_fit_the_length_and_return_to_first_occurrences() -> None:
    plan = user_plan("A A B A", total_bars=18)
    assert [s.bars for s in plan.sections] == [5, 5, 4, 4] and plan.bars == 18
    assert [s.source for s in plan.sections] == [None, 0, None, 0]
    rng = np.random.default_rng(0)
    fallback = corpus_plan(None, 40, rng)  # an older model without a profile
    assert fallback.bars == 40 and str(fallback).startswith("A A B A A A B A")


def test_cut_lands_a_section_exactly_on_its_bar_line() -> None:
    tokens = np.zeros((6, N_STREAMS), np.int32)
    tokens[:, STEP] = [12, 0, 24, 36, 12, 12]  # onsets 0, 12, 12, 36, 72, 84
    kept = cut(tokens, 60)
    assert onsets(kept).tolist() == [0, 12, 12, 36] and kept[:, STEP].sum() == 60
    padded = cut(tokens[:1], 100)  # music that ends early: rests fill the section
    assert padded[:, STEP].sum() == 100 and len(padded) > 1
    assert rests(0).shape == (0, N_STREAMS)


@pytest.mark.parametrize("linked", [True, False])
def test_a_regenerated_passage_follows_to_every_return_when_linked(
    tiny_bundles: dict[str, Path], linked: bool
) -> None:
    from musicstudio.core.compose.linked import apply_regeneration
    from musicstudio.core.compose.regenerate import RegenerateSettings, regenerate

    composer = Composer(load_bundle(tiny_bundles["lstm"]))
    [piece] = compose(composer, form="A B A", bars=12, seed=7)
    before = piece.notes
    result = regenerate(
        composer,
        before,
        RegenerateSettings(first_bar=2, last_bar=3, sampling=SamplingSettings(seed=11)),
    )
    assert bars_of(result.notes, 2, 3) != bars_of(before, 2, 3)  # new music in the first A
    notes, sections, changed = apply_regeneration(result, piece.sections, linked)
    assert bars_of(notes, 2, 3) == bars_of(result.notes, 2, 3)
    assert bars_of(notes, 5, 8) == bars_of(before, 5, 8)  # B is left alone either way
    if linked:
        assert changed == 1 and [m.name for m in sections] == ["A", "B", "A"]
        assert bars_of(notes, 10, 11) == bars_of(notes, 2, 3)  # the return follows the edit
        assert bars_of(notes, 9, 12) == bars_of(notes, 1, 4)
    else:
        assert changed == 0 and [m.name for m in sections] == ["A′", "B", "A"]
        assert bars_of(notes, 10, 11) == bars_of(before, 10, 11)  # the return keeps its bars


def test_a_piece_plays_the_line_up_of_one_of_your_files(
    tiny_bundles: dict[str, Path],
) -> None:
    bundle = load_bundle(tiny_bundles["lstm"])
    assert bundle.form is not None and len(bundle.form.lineups) == len(bundle.form.forms)
    learned = bundle.voices
    assert len(learned) >= 3  # the chorales' singers
    # A corpus whose files are all duets of its two most played voices.
    duet = tuple(sorted(learned[:2], key=VOICES.index))
    bundle.form = replace(bundle.form, lineups=(duet,) * len(bundle.form.forms))
    composer = Composer(bundle)
    (everyone,) = compose(composer, lineup="all", seed=3)
    (files,) = compose(composer, lineup="files", seed=3)
    (plain,) = compose(composer, form="none", length=120, seed=3)  # the line-up needs no form
    assert {VOICES[v] for v in np.unique(files.notes.voice)} == set(duet)
    assert {VOICES[v] for v in np.unique(plain.notes.voice)} <= set(duet)
    assert len(np.unique(everyone.notes.voice)) > 2
    # parts chosen by the musician come first: the line-up steps aside
    (keys,) = compose(composer, constraints=Constraints(parts=("keys",)), seed=3)
    assert len(np.unique(keys.notes.voice)) > 2


def test_a_piece_is_in_the_meter_of_the_file_its_form_comes_from(
    tiny_bundles: dict[str, Path],
) -> None:
    from musicstudio.core.compose.regenerate import RegenerateSettings, regenerate
    from musicstudio.core.music.midi import midi_bytes, parse_midi_bytes

    bundle = load_bundle(tiny_bundles["wavenet"])
    assert bundle.form is not None and len(bundle.form.meters) == len(bundle.form.forms)
    assert {(4, 4), (3, 4)} <= set(bundle.form.meters)  # the chorales' own, learned in training
    # A corpus of waltzes: every file in 3/4.
    bundle.form = replace(bundle.form, meters=((3, 4),) * len(bundle.form.forms))
    composer = Composer(bundle)
    (waltz,) = compose(composer, seed=5)
    assert waltz.notes.time_signature == (3, 4)
    bars = round(waltz.sections[-1].end / 3.0)  # the sections end on 3/4 bar lines
    want = default_length(bundle.form, (3, 4))
    assert want == bundle.form.median_bars  # every file a waltz: the folder's median
    assert abs(bars - want) <= 0.25 * want
    assert waltz.notes.onset.max() < bars * 3.0
    assert parse_midi_bytes(midi_bytes(waltz.notes)).time_signature == (3, 4)
    (timed,) = compose(composer, minutes=0.5, tempo=90, seed=5)  # 45 quarters: 15 bars of 3/4
    assert timed.sections[-1].end == 45.0
    # a form typed by the musician is in the corpus's meter; regenerating keeps the piece's
    (typed,) = compose(composer, form="A B A", bars=6, seed=5)
    assert typed.notes.time_signature == (4, 4) and typed.sections[-1].end == 24.0
    result = regenerate(
        composer,
        waltz.notes,
        RegenerateSettings(first_bar=2, last_bar=3, sampling=SamplingSettings(seed=2)),
    )
    assert composer.time_signature == (3, 4) and result.notes.time_signature == (3, 4)


def default_length(profile: FormProfile, meter: tuple[int, int]) -> float:
    """The default length in bars of a piece in `meter` (every file of it has the same)."""
    return float(dict(zip(profile.meters, profile.default_bars(), strict=True))[meter])


def test_a_default_piece_is_in_each_meter_as_often_as_the_files_and_as_long_as_they_are() -> None:
    # 4/4 songs of 8 bars, 2/4 marches of 16, 3/4 waltzes of 12: a length in bars common to all
    # (the folder's median, 12) would only ever make waltzes.
    lengths = {(4, 4): 8, (2, 4): 16, (3, 4): 12, (6, 8): 20}
    meters = [(4, 4)] * 12 + [(2, 4)] * 10 + [(3, 4)] * 6 + [(6, 8)]
    bars = [lengths[m] + k % 2 for k, m in enumerate(meters)]  # 8–9 bars, 16–17, …
    profile = FormProfile(
        ("A A",) * len(meters),
        (4,) * len(meters),
        tuple(bars),
        (30.0,) * len(meters),
        0.5,
        0.3,
        0.4,
        {},
        meters=tuple(meters),
    )
    rng = np.random.default_rng(0)
    plans = [corpus_plan(profile, None, rng) for _ in range(900)]
    for meter in [(4, 4), (2, 4), (3, 4)]:
        mine = [p for p in plans if p.time_signature == meter]
        share = meters.count(meter) / len(meters)
        assert abs(len(mine) / len(plans) - share) < 0.06, meter
        assert {p.bars for p in mine} == {lengths[meter]}  # the median of the meter's files
    # a meter of one file: the folder's median piece (34 quarters) in its bars
    assert default_length(profile, (6, 8)) == round(34 / 3)


def test_a_profile_keeps_every_file_s_meter_and_refuses_a_damaged_one() -> None:
    profile = FormProfile(
        ("A A", "A B"), (4, 4), (8, 8), (16.0, 12.0), 0.5, 0.3, 0.4, {}, meters=((6, 8), (2, 4))
    )
    back = FormProfile.from_json(profile.to_json())
    assert back is not None and back.meters == ((6, 8), (2, 4))
    damaged = profile.to_json() | {"meters": [[6, 7], [2, 4]]}
    old = {k: v for k, v in profile.to_json().items() if k != "meters"}
    for raw in (damaged, old):
        kept = FormProfile.from_json(raw)
        assert kept is not None and kept.meters == () and kept.forms == profile.forms
    # a plan takes its file's meter; minutes become bars of that meter
    plan = corpus_plan(back, None, np.random.default_rng(0), quarters=24.0)
    assert (plan.time_signature, plan.bars) in {((6, 8), 8), ((2, 4), 12)}


def pitched(notes: NoteArray, first: int, last: int) -> list[tuple[float, int]]:
    """(onset within the passage, pitch) of the pitched notes starting in bars first..last."""
    lo, hi = (first - 1) * BAR, last * BAR
    sel = (notes.onset >= lo - 1e-9) & (notes.onset < hi - 1e-9) & (notes.parts != DRUMS)
    return sorted(
        (round(float(o) - lo, 4), int(p))
        for o, p in zip(notes.onset[sel], notes.pitch[sel], strict=True)
    )


def test_a_section_in_its_own_key_keeps_to_it_and_a_return_is_transposed(
    composer: Composer,
) -> None:
    [piece] = compose(composer, form="A(C major) B(F# major) A(D major)", bars=12, seed=4)
    assert piece.form == "A(C major) B(F# major) A(D major)"
    assert [m.name for m in piece.sections] == ["A (C major)", "B (F# major)", "A (D major)"]
    c_major, f_sharp = set(scale_of(0, "major")), set(scale_of(6, "major"))
    first, middle, last = (
        pitched(piece.notes, 1, 4),
        pitched(piece.notes, 5, 8),
        pitched(piece.notes, 9, 12),
    )
    assert first and middle and last
    assert {p % 12 for _, p in first} <= c_major
    assert {p % 12 for _, p in middle} <= f_sharp
    # the return is the first A a tone up: note for note where the vocabulary has the chord
    moved = {(o, p + 2) for o, p in first}
    assert {o for o, _ in last} <= {o for o, _ in first}  # the rhythm of A, never new notes
    assert sum(n in moved for n in last) >= 0.8 * len(last)


def test_a_key_that_is_not_one_is_refused_with_the_word(composer: Composer) -> None:
    with pytest.raises(ComposeError, match=r"'B\(H\)': 'H' is not a key"):
        compose(composer, form="A B(H) A")


@pytest.mark.parametrize("family", ["wavenet", "lstm"])
def test_varied_bars_are_as_alike_to_their_source_as_the_plan_says(family: str) -> None:
    # The shipped models (the session's tiny ones play a handful of notes a bar: too coarse)
    bundle = load_bundle(sample_models_dir() / f"sample-{family}.msb")
    assert bundle.form is not None
    # Every file's map: a new bar, then bars that repeat it in part, then near, in turn.
    codes = tuple([NEW] + [repeat_code(0, PARTIAL_REPEAT), repeat_code(0, NEAR_REPEAT)] * 8)
    n = len(bundle.form.forms)
    bundle.form = replace(
        bundle.form, bars=(len(codes),) * n, repeats=(codes,) * n, forms=("A",) * n
    )
    composer = Composer(bundle)
    alike = {PARTIAL_REPEAT: [], NEAR_REPEAT: []}
    used = 0
    for seed in range(8):
        [piece] = compose(composer, bars=len(codes), seed=seed)
        if (piece.notes.onset < BAR).sum() < 8:
            continue  # a first bar of a few notes (a rest, a held chord) leaves little to vary
        used += 1
        sim = similarity_matrix(piece.notes, len(codes))
        for bar, code in enumerate(codes[1:], 1):
            alike[code % 4].append(sim[bar, 0])
    assert used >= 3
    partial, near = np.array(alike[PARTIAL_REPEAT]), np.array(alike[NEAR_REPEAT])
    # without the re-draws, a quarter of the partial repeats came out near (>= 0.5); with them
    # 95-96 %; copying less after draws that all came out too alike, every one (8 seeds)
    assert np.mean(partial < 0.5) >= 0.98
    assert np.mean(partial >= 0.2) >= 0.9  # and still in part alike: a motif that comes back
    assert np.mean((near >= 0.5) & (near < 1.0)) >= 0.8


def test_bar_similarity_of_event_rows_is_the_form_measure(composer: Composer) -> None:
    [piece] = compose(composer, form="A A′ B A′", bars=8, seed=2)
    rows, vocab = piece.tokens, composer.bundle.vocab
    bar = 48  # grid steps of a 4/4 bar
    sim = similarity_matrix(piece.notes, 8)
    similarity = bar_similarity(vocab)
    for i, j in [(0, 2), (1, 3), (0, 4), (4, 6)]:
        a, b = bar_of(rows, i * bar, bar), bar_of(rows, j * bar, bar)
        assert similarity(a, b) == pytest.approx(sim[i, j])


@pytest.mark.parametrize("family", ["wavenet", "lstm"])
def test_the_bar_before_a_return_is_the_candidate_that_leads_into_it_best(
    family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As regenerate chooses a passage: of the last bar's candidates, the one under which the
    returning section's first bars are most likely is kept (the joining score)."""
    composer = Composer(load_bundle(sample_models_dir() / f"sample-{family}.msb"))
    joined, joining = SectionComposer._joined_bar, SectionComposer._joining
    seen: list[tuple[np.ndarray, np.ndarray]] = []

    def spy(self, cursor, masks, span, joins):  # type: ignore[no-untyped-def]
        scores: list[np.ndarray] = []

        def record(inner, c, j, m):  # type: ignore[no-untyped-def]
            scores.append(joining(inner, c, j, m))
            return scores[-1]

        monkeypatch.setattr(SectionComposer, "_joining", record)
        bars = joined(self, cursor, masks, span, joins)
        monkeypatch.setattr(SectionComposer, "_joining", joining)
        seen.append((scores[0], joining(self, cursor, joins, masks)))  # after the kept bar
        return bars

    monkeypatch.setattr(SectionComposer, "_joined_bar", spy)
    for seed in range(4):
        [piece] = compose(composer, form="A B A", bars=12, seed=seed)
        assert bars_of(piece.notes, 9, 12) == bars_of(piece.notes, 1, 4)  # the return, exact
    assert len(seen) == 4  # B's last bar, once a piece
    for candidates, kept in seen:
        assert len(candidates) == JOIN_CANDIDATES
        assert kept[0] == pytest.approx(candidates.max(), abs=1e-3)  # float32, batch 4 vs 1
    assert any(np.ptp(c) > 1.0 for c, _ in seen)  # the candidates do differ in how they lead on
