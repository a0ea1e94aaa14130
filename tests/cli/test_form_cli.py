"""`musicstudio compose` with form and `regenerate` of a section, from fresh processes."""

from __future__ import annotations

import json
from pathlib import Path

from musicstudio.core.music.midi import read_markers, read_midi
from tests.cli.test_compose_cli import run


def test_a_default_compose_is_a_whole_piece_with_section_markers(tmp_path: Path) -> None:
    out = tmp_path / "new" / "piece.mid"
    proc = run("compose", "lstm", "--seed", "1", "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    markers = read_markers(out)
    assert summary["form"] == " ".join(name for _, name in markers)
    assert 12 <= summary["bars"] <= 20  # the chorales' median piece is 16 bars (±25 %)
    assert "form_words" in summary["metrics"]
    assert summary["obeys"] == ""  # Key 'like your files': chorales keep to no one scale
    assert read_midi(out).onset.max() < summary["bars"] * 4


def test_regenerating_bars_of_a_section_changes_its_returns_or_makes_a_variant(
    tmp_path: Path,
) -> None:
    piece = tmp_path / "aba.mid"
    proc = run(
        "compose", "lstm", "--form", "A B A", "--bars", "12", "--seed", "3", "--out", str(piece)
    )
    assert proc.returncode == 0, proc.stderr
    assert "form A B A (12 bars)" in proc.stdout
    linked, here = tmp_path / "linked.mid", tmp_path / "here.mid"
    for out, extra in ((linked, []), (here, ["--only-here"])):
        proc = run(
            "regenerate",
            str(piece),
            "lstm",
            "--bars",
            "2-3",
            "--seed",
            "5",
            "--out",
            str(out),
            "--json",
            *extra,
        )
        assert proc.returncode == 0, proc.stderr
    before, after, alone = (read_midi(p) for p in (piece, linked, here))

    def bars(notes, first: int, last: int) -> list[tuple[float, int]]:  # type: ignore[no-untyped-def]
        sel = (notes.onset >= (first - 1) * 4 - 1e-6) & (notes.onset < last * 4 - 1e-6)
        return sorted(
            zip(
                (notes.onset[sel] - (first - 1) * 4).round(3).tolist(),
                notes.pitch[sel].tolist(),
                strict=True,
            )
        )

    assert bars(after, 2, 3) != bars(before, 2, 3)
    assert bars(after, 10, 11) == bars(after, 2, 3)  # the return of A follows
    assert [n for _, n in read_markers(linked)] == ["A", "B", "A"]
    assert bars(alone, 10, 11) == bars(before, 10, 11)  # only here: the return stays …
    assert [n for _, n in read_markers(here)] == ["A′", "B", "A"]  # … and this A is a variant
