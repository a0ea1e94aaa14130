"""The vocabulary: counts, threshold, rare-chord splitting that keeps every note, JSON format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musicstudio.core.music.events import decode, encode
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.recall import note_recall
from musicstudio.core.music.vocab import REST, START, Vocabulary, VocabularyError


def progression() -> NoteArray:
    # C major triad 5 times, then a rare C major 7th (C E G B) once.
    on, pi = [], []
    for i in range(5):
        on += [i] * 3
        pi += [60, 64, 67]
    on += [5] * 4
    pi += [60, 64, 67, 71]
    return NoteArray.from_lists(on, [1] * len(on), pi)


def test_rare_chord_is_split_into_frequent_sub_chord_and_note() -> None:
    notes = progression()
    ev = encode(notes)
    vocab = Vocabulary.build([ev], threshold=3)
    names = [vocab.name(i) for i in range(len(vocab))]
    assert "C4.E4.G4" in names and "C4.E4.G4.B4" not in names
    toks = vocab.tokenize(ev).tokens
    assert toks[0, 0] == START
    # The rare chord became the triad plus B4 at the same onset (step 0 between them).
    last_two = [vocab.name(int(t)) for t in toks[-2:, 0]]
    assert last_two == ["C4.E4.G4", "B4"]
    assert toks[-2, 2] == 0
    assert note_recall(notes, decode(vocab.detokenize(toks))).strict == 1.0


def test_threshold_changes_size_and_coverage() -> None:
    ev = encode(progression())
    strict = Vocabulary.build([ev], threshold=10)
    loose = strict.with_threshold(1)
    assert len(loose) == len(strict) + 2  # the triad and the 7th chord come back
    assert loose.coverage() == 1.0 and strict.coverage() == 0.0
    assert list(loose.histogram()) == [5, 1]


def test_chord_names_from_music21() -> None:
    vocab = Vocabulary.build([encode(progression())], threshold=1)
    tok = [i for i in range(len(vocab)) if vocab.name(i) == "C4.E4.G4"][0]
    assert "major triad" in vocab.chord_name(tok)
    assert vocab.name(REST) == "<rest>"


def test_json_round_trip_and_version_check(tmp_path: Path) -> None:
    vocab = Vocabulary.build([encode(progression())], threshold=2)
    vocab.save(tmp_path / "v.json")
    again = Vocabulary.load(tmp_path / "v.json")
    assert [again.name(i) for i in range(len(again))] == [vocab.name(i) for i in range(len(vocab))]
    data = json.loads((tmp_path / "v.json").read_text())
    data["format"] = 99
    (tmp_path / "v.json").write_text(json.dumps(data))
    with pytest.raises(VocabularyError, match="format 99"):
        Vocabulary.load(tmp_path / "v.json")


def test_tokenize_many_matches_one_by_one() -> None:
    a = encode(progression())
    b = encode(NoteArray.from_lists([0, 0, 1], [1, 1, 1], [62, 66, 69]))
    vocab = Vocabulary.build([a, b], threshold=2)
    many = vocab.tokenize_many([a, b])
    assert (many[0].tokens == vocab.tokenize(a).tokens).all()
    assert (many[1].tokens == vocab.tokenize(b).tokens).all()
