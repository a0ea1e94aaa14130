"""Playback: real, non-silent samples out of pygame's synthesizer; clear errors otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.midi import NoteArray, write_midi
from musicstudio.core.playback import PlaybackError, find_soundfont

PLAY = """
import sys, time
from musicstudio.core.playback import MidiPlayer
p = MidiPlayer()
events = []
p.on_finished = lambda: events.append("finished")
p.play(sys.argv[1])
positions = []
t = time.time()
while p.is_playing and time.time() - t < 15:
    time.sleep(0.05)
    positions.append(p.position)
    p.poll()
p.close()
print(max(positions), max(positions) > positions[0], events)
"""


def test_plays_real_non_silent_samples(tmp_path: Path) -> None:
    notes = NoteArray.from_lists([0, 0.5, 1, 1.5, 2], [0.5] * 5, [60, 64, 67, 72, 76], [100] * 5)
    mid = write_midi(tmp_path / "a.mid", notes, tempo_qpm=120)
    raw = tmp_path / "out.raw"
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw))
    out = subprocess.run(
        [sys.executable, "-c", PLAY, str(mid)], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    furthest, advanced, events = out.stdout.strip().split(" ", 2)
    assert advanced == "True" and "finished" in events  # the position moved, the end was noticed
    assert float(furthest) > 0.8
    samples = np.fromfile(raw, np.int16)
    assert samples.size > 44100  # over half a second of stereo audio
    rms = float(np.sqrt(np.mean(samples.astype(float) ** 2)))
    assert rms > 100, rms


def test_missing_soundfont_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICSTUDIO_SOUNDFONT", str(tmp_path / "nope.sf2"))
    with pytest.raises(PlaybackError, match="does not exist"):
        find_soundfont()
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(PlaybackError, match="not a SoundFont"):
        find_soundfont(tmp_path / "x.txt")
    monkeypatch.delenv("MUSICSTUDIO_SOUNDFONT")
    assert find_soundfont().suffix == ".sf3"


def test_cli_play_without_audio_device_says_so(tmp_path: Path) -> None:
    mid = write_midi(tmp_path / "a.mid", NoteArray.from_lists([0], [1], [60]))
    env = dict(os.environ, SDL_AUDIODRIVER="nonexistent_driver")
    out = subprocess.run(
        [sys.executable, "-m", "musicstudio", "play", str(mid)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "no audio device" in out.stderr and "Traceback" not in out.stderr
