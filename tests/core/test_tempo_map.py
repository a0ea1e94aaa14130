"""A piece's tempo map in playback and audio: the map's seconds, not tempo_qpm's."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from musicstudio.core.music.midi import NoteArray, midi_bytes
from musicstudio.core.music.tempo_map import quarters_at, seconds_at, tempo_map_from
from musicstudio.core.sound.midi_out import midi_messages
from musicstudio.core.sound.render import midi_of, render_wav
from tests.core.test_render import read_wav

#: 4 quarters at 60 qpm (4 s), then 4 at 240 (1 s): 5 s, where tempo_qpm's 120 would say 4 s.
MAP = ((0.0, 60.0), (4.0, 240.0))


def mapped() -> NoteArray:
    notes = NoteArray.from_lists(range(8), [1.0] * 8, [60 + i for i in range(8)], program=0)
    return dataclasses.replace(notes, tempo_map=MAP)


def test_quarters_and_seconds_follow_the_map() -> None:
    q = np.array([0.0, 2.0, 4.0, 6.0, 8.0])
    assert np.allclose(seconds_at(q, MAP, 120.0), [0.0, 2.0, 4.0, 4.5, 5.0])
    assert np.allclose(quarters_at(seconds_at(q, MAP, 120.0), MAP, 120.0), q)
    assert np.allclose(seconds_at(q, (), 120.0), q / 2)  # no map: the steady tempo
    assert np.allclose(seconds_at(3.0, ((2.0, 60.0),), 120.0), 2.0)  # 120 until the first change
    assert tempo_map_from(MAP, 120.0, 5.0) == ((0.0, 240.0),)
    assert tempo_map_from(MAP, 120.0, 2.0) == ((0.0, 60.0), (2.0, 240.0))
    assert tempo_map_from((), 120.0, 2.0) == ()


def test_a_piece_with_a_tempo_map_renders_for_the_maps_seconds(tmp_path: Path) -> None:
    notes = mapped()
    assert midi_of(notes)[1] == pytest.approx(5.0)
    audio, rate = read_wav(render_wav(notes, tmp_path / "mapped.wav"))
    assert 5.0 <= len(audio) / rate <= 5.0 + 3.5  # plus the release tail
    assert np.abs(audio[int(4.6 * rate) : int(4.9 * rate)]).max() > 0.01  # the last note sounds
    steady = dataclasses.replace(notes, tempo_map=())
    assert midi_of(steady)[1] == pytest.approx(4.0)


def test_a_written_map_that_starts_late_keeps_the_tempo_before_it() -> None:
    from symusic import Score

    notes = dataclasses.replace(mapped(), tempo_map=((4.0, 240.0),))
    assert Score.from_midi(midi_bytes(notes)).to("second").end() == pytest.approx(3.0)


def test_a_midi_output_plays_the_map() -> None:
    ons = [t for t, m in midi_messages(mapped()) if m[0] & 0xF0 == 0x90]
    assert np.allclose(ons, [0, 1, 2, 3, 4, 4.25, 4.5, 4.75])
    later = [t for t, m in midi_messages(mapped(), from_quarters=6.0) if m[0] & 0xF0 == 0x90]
    assert np.allclose(later, [0.0, 0.25])


def test_in_app_playback_lasts_the_maps_seconds(tmp_path: Path) -> None:
    """pygame's synthesizer plays the tempo events midi_bytes writes: 7 s, not tempo_qpm's 4 s."""
    import json
    import os
    import subprocess
    import sys

    from musicstudio.core.music.midi import write_midi
    from tests.core.test_playback import PLAY

    notes = dataclasses.replace(mapped(), tempo_map=((0.0, 240.0), (4.0, 40.0)))
    mid = write_midi(tmp_path / "mapped.mid", notes)
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(tmp_path / "out.raw"))
    env.pop("MUSICSTUDIO_SOUNDFONT", None)
    out = subprocess.run(
        [sys.executable, "-c", PLAY, str(mid)], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    first = json.loads(out.stdout.strip().splitlines()[-1])["first"]
    assert first["finished"] and 6.5 < first["end"] < 9.0, first["end"]
