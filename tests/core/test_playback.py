"""Playback: real, non-silent samples out of pygame's synthesizer; clear errors otherwise.

pygame's mixer is process-wide state, so anything that opens it runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.music.midi import NoteArray, write_midi
from musicstudio.core.sound.playback import MidiPlayer, PlaybackError, find_soundfont

PLAY = """
import json, sys, time
from musicstudio.core.sound.playback import MidiPlayer

events = []
class Recorder(MidiPlayer):
    def on_started(self, path): events.append("started")
    def on_finished(self): events.append("finished")
    def on_failed(self, message): events.append("failed")

with Recorder() as p:
    p.play(sys.argv[1])
    positions, t = [], time.time()
    while p.is_playing and time.time() - t < 15:
        time.sleep(0.05)
        positions.append(p.position)
        p.poll()
    p.poll()  # polling after the end fires nothing more
    first = {"positions": positions, "finished": p.finished, "end": p.position}
    p.play(sys.argv[1])
    time.sleep(0.2)
    p.stop()
    p.poll()
    stopped = {"playing": p.is_playing, "finished": p.finished}
print(json.dumps({"first": first, "stopped": stopped, "events": events}))
"""


def test_plays_real_non_silent_samples(tmp_path: Path) -> None:
    notes = NoteArray.from_lists([0, 0.5, 1, 1.5, 2], [0.5] * 5, [60, 64, 67, 72, 76], [100] * 5)
    mid = write_midi(tmp_path / "a.mid", notes, tempo_qpm=120)  # 1.25 s of music
    raw = tmp_path / "out.raw"
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw))
    env.pop("MUSICSTUDIO_SOUNDFONT", None)  # the shipped SoundFont
    out = subprocess.run(
        [sys.executable, "-c", PLAY, str(mid)], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    first = result["first"]
    positions = first["positions"]
    assert first["finished"] and positions[-1] > positions[0]  # it moved and the end was seen
    assert 1.0 < first["end"] < 3.0, first["end"]
    assert result["events"] == ["started", "finished", "started"]  # stop() fires no finished
    assert result["stopped"] == {"playing": False, "finished": False}
    samples = np.fromfile(raw, np.int16).reshape(-1, 2)  # 44.1 kHz, signed 16-bit, stereo
    assert samples.shape[0] > 44100  # over a second of audio
    rms = float(np.sqrt(np.mean(samples.astype(float) ** 2)))
    assert rms > 300, rms  # FluidR3Mono piano at velocity 100 measured ~1,270


def test_missing_soundfont_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSICSTUDIO_SOUNDFONT", str(tmp_path / "nope.sf2"))
    with pytest.raises(PlaybackError, match="nope.sf2 does not exist"):
        find_soundfont()
    messages: list[str] = []

    class Recorder(MidiPlayer):
        def on_failed(self, message: str) -> None:
            messages.append(message)

    player = Recorder()
    mid = write_midi(tmp_path / "a.mid", NoteArray.from_lists([0], [1], [60]))
    with pytest.raises(PlaybackError, match="does not exist"):
        player.play(mid)  # fails before any audio device is opened
    assert messages and "nope.sf2" in messages[0] and not player.is_playing


def test_wrong_or_damaged_soundfont_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(PlaybackError, match="not a SoundFont"):
        find_soundfont(tmp_path / "x.txt")
    (tmp_path / "bad.sf2").write_bytes(b"junk that FluidSynth would play as silence")
    with pytest.raises(PlaybackError, match="damaged"):
        find_soundfont(tmp_path / "bad.sf2")


def test_no_shipped_soundfont_says_how_to_set_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MUSICSTUDIO_SOUNDFONT", raising=False)
    monkeypatch.setenv("MUSICSTUDIO_RESOURCES", str(tmp_path))
    with pytest.raises(PlaybackError, match="MUSICSTUDIO_SOUNDFONT"):
        find_soundfont()


def test_shipped_soundfont_and_licence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MUSICSTUDIO_SOUNDFONT", raising=False)
    sf = find_soundfont()
    assert sf.suffix == ".sf3" and sf.stat().st_size < 25_000_000
    licence = (sf.parent / "LICENSE-FluidR3Mono.txt").read_text()
    assert "Permission is hereby granted" in licence


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
