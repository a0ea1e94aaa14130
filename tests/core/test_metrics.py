"""Composition metrics on hand-made inputs whose right answers are known, and on real chorales."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from musicstudio.core.music.events import decode, encode
from musicstudio.core.music.metrics import (
    CorpusProfile,
    copy_rate,
    evaluate_composition,
    histogram_distance,
    in_key_share,
    longest_repeat,
    pitch_range,
    polyphony,
)
from musicstudio.core.music.midi import NoteArray, read_midi
from musicstudio.core.music.tonality import estimate_key
from musicstudio.core.music.vocab import N_STREAMS, REST, START, TokenStream, Vocabulary
from tests.conftest import sample_files

KEYS = {
    "longest_repeat",
    "corpus_longest_repeat",
    "pitch_class_distance",
    "duration_distance",
    "step_distance",
    "pitch_range",
    "polyphony",
    "in_key",
    "copy_rate",
    "key",
    "parts",
}


def rows(pitch_tokens: list[int], step: int = 6) -> np.ndarray:
    """Token rows with the given pitch tokens: eighth-note durations and steps, velocity 5."""
    t = np.zeros((len(pitch_tokens), N_STREAMS), np.int64)
    t[:, 0], t[:, 1], t[:, 2], t[:, 3] = pitch_tokens, 5, step, 5
    return t


def melody(pitches: list[int], duration: float = 1.0) -> NoteArray:
    return NoteArray.from_lists(
        [i * duration for i in range(len(pitches))], [duration] * len(pitches), pitches
    )


C_MAJOR = [60, 62, 64, 65, 67, 69, 71, 72]


def test_longest_repeat_counts_identical_tokens_not_rests_or_start() -> None:
    toks = rows([START, 7, 5, 5, 5, 5, 5, 8, 8, REST, REST, REST, REST, REST, REST, 5])
    assert longest_repeat(toks) == 5
    assert longest_repeat(TokenStream(toks.astype(np.int32))) == 5
    assert longest_repeat(rows([START])) == 0


@given(st.lists(st.integers(1, 4), max_size=60))
def test_longest_repeat_matches_a_plain_loop(tokens: list[int]) -> None:
    best = run = 0
    previous = None
    for t in tokens:
        run = run + 1 if t == previous else 1
        previous = t
        if t != REST:
            best = max(best, run)
    assert longest_repeat(rows(tokens)) == best


def test_histogram_distance_known_values() -> None:
    assert histogram_distance([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)
    assert histogram_distance([1, 0, 0], [0, 1, 1]) == pytest.approx(1.0)
    # JS([1, 0], [.5, .5]) = (log2(4/3) + (.5 log2(2/3) + .5 log2 2)) / 2
    assert histogram_distance([1, 0], [1, 1]) == pytest.approx(0.311278, abs=1e-6)
    assert np.isnan(histogram_distance([0, 0], [1, 1]))


def test_c_major_scale_is_in_c_major() -> None:
    scale = melody(C_MAJOR)
    tonic, mode = estimate_key(np.bincount(scale.pitch % 12, minlength=12).astype(float))
    assert (tonic, mode) == (0, "major")
    assert in_key_share(scale, tonic, mode) == 1.0
    assert pitch_range(scale) == 12 and polyphony(scale) == 1.0
    with_f_sharp = melody([*C_MAJOR, 66])
    assert in_key_share(with_f_sharp, 0, "major") == pytest.approx(8 / 9)


def test_the_key_profiles_are_music21s() -> None:
    """The profiles written out in tonality.py are the ones music21's key finder uses."""
    from music21.analysis.discrete import KrumhanslSchmuckler

    from musicstudio.core.music.tonality import MAJOR_PROFILE, MINOR_PROFILE

    ks = KrumhanslSchmuckler()
    assert MAJOR_PROFILE.tolist() == ks.getWeights("major")
    assert MINOR_PROFILE.tolist() == ks.getWeights("minor")


def test_minor_uses_the_natural_minor_scale_of_the_key_lock() -> None:
    a_minor = melody([57, 59, 60, 62, 64, 65, 67, 69, 64, 57, 69, 57], duration=1.0)
    m = evaluate_composition(rows([START, 2]), a_minor, CorpusProfile.from_tokens([rows([2])]))
    assert m.key == "A minor" and m.in_key == 1.0  # G belongs, G# would not
    assert in_key_share(melody([68]), 9, "minor") == 0.0
    assert in_key_share(melody([67]), 9, "minor") == 1.0


def test_polyphony_is_notes_per_onset() -> None:
    chords = NoteArray.from_lists([0, 0, 0, 0, 1, 1], [1] * 6, [48, 60, 64, 67, 62, 65])
    assert polyphony(chords) == 3.0 and pitch_range(chords) == 19


def test_copy_rate_counts_verbatim_phrases_within_files() -> None:
    rng = np.random.default_rng(0)
    a = rows(list(rng.integers(2, 60, 40)))
    b = rows(list(rng.integers(60, 120, 40)))
    profile = CorpusProfile.from_tokens([np.vstack([rows([START]), a]), b])
    assert copy_rate(a[5:25], profile.ngram_hashes) == 1.0  # copied from the corpus
    assert copy_rate(rows(list(rng.integers(120, 200, 30))), profile.ngram_hashes) == 0.0
    half = np.vstack([a[10:30], rows(list(rng.integers(120, 200, 20)))])  # 33 phrases
    assert copy_rate(half, profile.ngram_hashes) == pytest.approx(13 / 33)
    # A phrase that straddles two corpus files was never in the corpus.
    assert copy_rate(np.vstack([a[-4:], b[:4]]), profile.ngram_hashes) == 0.0
    changed = a[0:8].copy()
    changed[7, 3] = 0  # one velocity differs: not verbatim
    assert copy_rate(changed, profile.ngram_hashes) == 0.0
    assert copy_rate(a[:7], profile.ngram_hashes) == 0.0  # too short for one phrase


def test_composition_copied_from_real_chorales() -> None:
    streams = [encode(read_midi(p)) for p in sample_files(3)]
    vocab = Vocabulary.build(streams, threshold=2)
    tokens = vocab.tokenize(streams[0]).tokens[1:]  # a whole corpus file, START dropped
    notes = decode(vocab.detokenize(tokens))
    m = evaluate_composition(tokens, notes, CorpusProfile.from_events(streams, vocab))
    assert set(m.to_json()) == KEYS
    assert m.copy_rate == 1.0
    assert int(m.longest_repeat) <= int(m.corpus_longest_repeat)
    assert float(m.in_key) > 0.9 and str(m.key).endswith(("major", "minor"))
    assert 2.0 < float(m.polyphony) <= 4.0  # four voices, some moving alone
    assert 20 <= int(m.pitch_range) <= 48
    # Against a profile of that one file, the token-side and note-side histograms agree.
    alone = evaluate_composition(tokens, notes, CorpusProfile.from_events(streams[:1], vocab))
    for k in ("pitch_class_distance", "duration_distance", "step_distance"):
        assert getattr(alone, k) == pytest.approx(0.0, abs=1e-9), k
    assert alone.longest_repeat == alone.corpus_longest_repeat


def test_a_foreign_composition_is_far_from_the_corpus() -> None:
    streams = [encode(read_midi(p)) for p in sample_files(3)]
    vocab = Vocabulary.build(streams, threshold=2)
    profile = CorpusProfile.from_events(streams, vocab)
    # Whole-tone sixteenth-note runs, high up: nothing like a chorale.
    notes = NoteArray.from_lists(
        [i * 0.25 for i in range(64)], [0.25] * 64, [84 + 2 * (i % 6) for i in range(64)]
    )
    own_vocab = Vocabulary.build([encode(notes)], threshold=1)  # the corpus has no such pitches
    tokens = own_vocab.tokenize(encode(notes)).tokens
    m = evaluate_composition(tokens, notes, profile)
    assert m.copy_rate == 0.0 and float(m.in_key) < 0.9
    assert float(m.pitch_class_distance) > 0.1 and float(m.duration_distance) > 0.5


def test_profile_without_vocabulary_skips_only_the_pitch_class_distance() -> None:
    profile = CorpusProfile.from_tokens([rows([START, 2, 3, 4, 5, 6, 7, 8, 9, 10])])
    m = evaluate_composition(rows([2, 3, 4, 5, 6, 7, 8, 9, 10]), melody(C_MAJOR), profile)
    assert np.isnan(m.pitch_class_distance)
    assert m.copy_rate == 1.0 and m.duration_distance == 0.0 and m.step_distance == 0.0
