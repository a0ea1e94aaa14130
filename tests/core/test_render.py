"""Audio export: real MIDI becomes a WAV as long as the piece, not silent, notes at their pitch."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.progress import Progress, Rendering
from musicstudio.core.music.midi import MidiError, NoteArray
from musicstudio.core.sound.render import RenderError, render_wav
from tests.conftest import sample_files


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """(frames, 2) floats in -1..1 and the sample rate, read back with the standard library."""
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 2 and w.getsampwidth() == 2
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
        return frames / 32768.0, w.getframerate()


def seconds_of(path: Path) -> float:
    from symusic import Score

    return float(Score(str(path)).to("second").end())


def test_a_chorale_renders_as_long_as_it_plays_and_sounds(tmp_path: Path) -> None:
    source = sample_files(1)[0]
    events: list[tuple[float, Progress]] = []
    out = render_wav(
        source,
        tmp_path / "new" / "folder" / "chorale.wav",
        progress=lambda f, e: events.append((f, e)),
    )
    audio, rate = read_wav(out)
    length = seconds_of(source)
    assert rate == 44100 and length > 20
    assert length - 0.5 <= len(audio) / rate <= length + 3.5  # plus the release tail
    assert np.sqrt(np.mean(audio**2)) > 0.05  # well above silence (the peak is at -1 dBFS)
    assert 0.85 < np.abs(audio).max() < 0.9
    for second in range(0, int(length) - 1, 5):  # no silent stretch inside the piece
        assert np.abs(audio[second * rate : (second + 1) * rate]).max() > 0.01, second
    fractions = [f for f, _ in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(e, Rendering) and e.total == pytest.approx(length) for _, e in events)
    assert [p.name for p in out.parent.iterdir()] == ["chorale.wav"]  # no temporary file left


@pytest.mark.parametrize("program", [0, 40, 73])  # piano, violin, flute
def test_a_note_comes_back_at_its_pitch(program: int, tmp_path: Path) -> None:
    """symusic 0.5.9's synthesizer fails this with the shipped SoundFont (785 Hz on the piano)."""
    a4 = NoteArray.from_lists([0.0], [4.0], [69], [100], program=program)  # 2 s at 120 bpm
    audio, rate = read_wav(render_wav(a4, tmp_path / "a4.wav"))
    held = audio[int(0.2 * rate) : int(1.2 * rate)].mean(axis=1)
    spectrum = np.abs(np.fft.rfft(held * np.hanning(len(held))))
    peak = np.fft.rfftfreq(len(held), 1 / rate)[int(np.argmax(spectrum))]
    assert peak == pytest.approx(440.0, rel=0.02)
    assert np.sqrt(np.mean(held**2)) > 0.05


def test_cancel_stops_the_render_and_writes_nothing(tmp_path: Path) -> None:
    token = CancelToken()

    def progress(fraction: float, event: Progress) -> None:
        if isinstance(event, Rendering) and event.seconds > 1.0:
            token.cancel()

    with pytest.raises(Cancelled):
        render_wav(sample_files(1)[0], tmp_path / "x.wav", progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_mistakes_are_refused_with_the_reason(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not music")
    with pytest.raises(MidiError, match="not a MIDI file"):
        render_wav(text, tmp_path / "x.wav")
    with pytest.raises(MidiError, match="cannot open"):
        render_wav(tmp_path / "missing.mid", tmp_path / "x.wav")
    with pytest.raises(RenderError, match="is a file, not a folder"):
        render_wav(sample_files(1)[0], text / "x.wav")
    with pytest.raises(RenderError, match="no notes"):
        render_wav(NoteArray.from_lists([], [], []), tmp_path / "x.wav")
    with pytest.raises(MusicStudioError, match="not a SoundFont"):
        render_wav(sample_files(1)[0], tmp_path / "x.wav", soundfont=text)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
