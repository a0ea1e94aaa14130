"""File → Export audio (WAV) and Export MusicXML: the piece on the Compose step, written off the UI thread."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog

from tests.gui.test_shaping import compose_with_sample


def answer_save_dialog(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The save dialog returns `path` at once; the folders it was opened in are kept."""
    asked: list[str] = []

    def get_save_file_name(*args: object, **kwargs: object) -> tuple[str, str]:
        asked.append(str(args[2]))
        return str(path), "WAV audio (*.wav)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save_file_name))
    return asked


def test_export_audio_writes_the_piece_as_a_wav_that_sounds(  # type: ignore[no-untyped-def]
    window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose_with_sample(window, qtbot)
    piece, _ = window.compose.current_piece()
    dest = tmp_path / "for a friend" / "piece"  # no suffix typed: .wav is added
    asked = answer_save_dialog(monkeypatch, dest)
    lines: list[str] = []
    window.statusBar().messageChanged.connect(lines.append)
    window.act_export_audio.trigger()
    assert window.audio_export.handle is not None  # rendering in the background …
    assert asked and asked[0].endswith("composition.wav")
    qtbot.waitUntil(lambda: window.audio_export.handle is None, timeout=120_000)
    out = dest.with_name("piece.wav")
    assert out.is_file() and any(line.startswith("Rendering piece.wav") for line in lines)
    assert f"Exported {out}" in lines and not window.banner.isVisible()
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)
        audio = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
    end = float(np.max(piece.notes.onset + piece.notes.duration)) * 60 / piece.notes.tempo_qpm
    assert end - 0.5 <= len(audio) / 2 / 44100 <= end + 3.5
    assert np.sqrt(np.mean(audio**2)) > 0.05  # not silent
    window.act_export_audio.trigger()  # the next export starts where this one went
    qtbot.waitUntil(lambda: window.audio_export.handle is None, timeout=120_000)
    assert asked[1] == str(out.parent / "composition.wav")


def test_a_failed_export_says_why(window, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    compose_with_sample(window, qtbot, length=60)
    blocker = tmp_path / "a file"
    blocker.write_text("")
    answer_save_dialog(monkeypatch, blocker / "piece.wav")
    window.act_export_audio.trigger()
    qtbot.waitUntil(lambda: window.audio_export.handle is None, timeout=60_000)
    assert window.banner.isVisible()
    assert "Could not export audio" in window.banner.text.text()
    assert "is a file, not a folder" in window.banner.text.text()


def test_export_musicxml_is_written_in_the_engine_with_a_staff_per_voice(  # type: ignore[no-untyped-def]
    window, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """music21 takes seconds on a long piece: the window hands the writing to the engine."""
    from music21 import converter

    compose_with_sample(window, qtbot)
    piece, _ = window.compose.current_piece()
    dest = tmp_path / "score"  # no suffix typed: .musicxml is added
    asked = answer_save_dialog(monkeypatch, dest)
    lines: list[str] = []
    window.statusBar().messageChanged.connect(lines.append)
    window.compose.export_xml.click()
    assert window.compose.xml_export.handle is not None  # writing in the background …
    assert asked and asked[0].endswith("composition.musicxml")
    qtbot.waitUntil(lambda: window.compose.xml_export.handle is None, timeout=120_000)
    out = dest.with_name("score.musicxml")
    assert f"Exported {out}" in lines and not window.banner.isVisible()
    staves = converter.parse(str(out)).parts
    assert len(staves) == len(np.unique(piece.notes.voices))  # a staff per voice that plays
    written = sum(
        len(n.pitches)
        for s in staves
        for n in s.recurse().notes
        if not n.tie or n.tie.type == "start"
    )
    assert written > 0.9 * len(piece.notes)  # the piece's notes (tied over bar lines once)
