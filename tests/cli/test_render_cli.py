"""`musicstudio render` from a fresh process: a WAV as long as the piece, mistakes in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from tests.conftest import sample_files


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "musicstudio", "render", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_render_writes_a_wav_as_long_as_the_piece_that_is_not_silent(tmp_path: Path) -> None:
    from symusic import Score

    source = sample_files(2)[1]
    out = tmp_path / "sent to a friend" / "chorale.wav"
    proc = run(str(source), str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["out"] == str(out)
    with wave.open(str(out)) as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        audio = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
    assert (rate, channels, width) == (44100, 2, 2)
    length = float(Score(str(source)).to("second").end())
    assert length - 0.5 <= len(audio) / 2 / rate <= length + 3.5  # plus the release tail
    assert np.sqrt(np.mean(audio**2)) > 0.05


def test_mistakes_are_one_line_and_exit_2(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not music")
    chorale = str(sample_files(1)[0])
    for args, words in (
        ((str(tmp_path / "missing.mid"), str(tmp_path / "x.wav")), "cannot render missing.mid"),
        ((str(text), str(tmp_path / "x.wav")), "not a MIDI file"),
        ((chorale, str(text / "x.wav")), "is a file, not a folder"),
        ((chorale, str(tmp_path / "x.mp3")), "not a .wav file name"),
        ((chorale, str(tmp_path / "x.wav"), "--soundfont", str(text)), "not a SoundFont"),
    ):
        proc = run(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, proc.stderr)
        assert lines[0].startswith("musicstudio: ") and proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
