"""Live MIDI out: the exact message stream, its timing through a recording port, stop, no ports.

No MIDI device is needed: a fake port records (perf_counter, message). The one test that
wants a real system output skips where pygame.midi lists none (no ALSA sequencer, no
snd-virmidi, no DAW's virtual port), which is the case on the CI machines.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from musicstudio.core.music.midi import NoteArray, read_midi, write_midi
from musicstudio.core.music.parts import BASS, DRUMS, KEYS
from musicstudio.core.sound import midi_out
from musicstudio.core.sound.midi_out import (
    NO_OUTPUTS,
    MidiOutError,
    MidiOutput,
    midi_messages,
    open_port,
    outputs,
)
from tests.conftest import sample_files


class RecordingPort:
    """A port that keeps (perf_counter, message) of everything sent to it."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, bytes]] = []
        self.closed = False

    def send(self, message: bytes) -> None:
        self.sent.append((time.perf_counter(), bytes(message)))

    def close(self) -> None:
        self.closed = True


class Recorder(MidiOutput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[str] = []

    def on_started(self, name: str) -> None:
        self.events.append(f"started {name}")

    def on_finished(self) -> None:
        self.events.append("finished")

    def on_failed(self, message: str) -> None:
        self.events.append(f"failed: {message}")


def band(tempo: float = 120.0) -> NoteArray:
    """Keys (piano), bass (finger bass) and drums: two quarters of a tiny band."""
    rows = [  # onset, duration, pitch, velocity, program, part
        (0.0, 1.0, 60, 90, 0, KEYS),
        (0.0, 1.0, 64, 80, 0, KEYS),
        (0.0, 2.0, 36, 100, 33, BASS),
        (0.0, 0.25, 36, 110, 0, DRUMS),  # bass drum
        (1.0, 0.25, 38, 105, 0, DRUMS),  # snare
        (1.0, 1.0, 67, 70, 0, KEYS),
    ]
    on, du, pi, ve, pr, pa = zip(*rows, strict=True)
    return NoteArray(
        onset=np.array(on, np.float64),
        duration=np.array(du, np.float64),
        pitch=np.array(pi, np.int16),
        velocity=np.array(ve, np.int16),
        program=np.array(pr, np.int16),
        tempo_qpm=tempo,
        part=np.array(pa, np.int8),
    )


def test_message_stream_is_exact() -> None:
    # 120 qpm: a quarter is 0.5 s. Keys on channel 1, bass on 3, drums on 10 (status low nibble 9).
    assert midi_messages(band()) == [
        (0.0, bytes([0xC0, 0])),  # program changes first: piano on channel 1
        (0.0, bytes([0xC2, 33])),  # finger bass on channel 3
        (0.0, bytes([0xC9, 0])),  # standard kit on channel 10
        (0.0, bytes([0x90, 60, 90])),
        (0.0, bytes([0x90, 64, 80])),
        (0.0, bytes([0x92, 36, 100])),
        (0.0, bytes([0x99, 36, 110])),
        (0.125, bytes([0x89, 36, 0])),
        (0.5, bytes([0x80, 60, 0])),  # note-offs before the note-ons at the same time
        (0.5, bytes([0x80, 64, 0])),
        (0.5, bytes([0x90, 67, 70])),
        (0.5, bytes([0x99, 38, 105])),
        (0.625, bytes([0x89, 38, 0])),
        (1.0, bytes([0x80, 67, 0])),
        (1.0, bytes([0x82, 36, 0])),
    ]


def test_from_a_point_and_with_parts_muted() -> None:
    messages = midi_messages(band(), from_quarters=1.0, muted_parts=[DRUMS])
    assert messages == [
        (0.0, bytes([0xC0, 0])),
        (0.0, bytes([0xC2, 33])),  # no drum channel at all: drums are muted
        (0.0, bytes([0x90, 67, 70])),
        (0.0, bytes([0x92, 36, 100])),  # the bass note sounding at quarter 1 plays its rest
        (0.5, bytes([0x80, 67, 0])),
        (0.5, bytes([0x82, 36, 0])),
    ]
    assert midi_messages(band(), muted_parts=[KEYS, BASS, DRUMS]) == []


def test_re_struck_notes_and_unisons_never_stick() -> None:
    """A real chorale merges four voices into one part: doubled and re-struck pitches abound.
    Every key must go on, off, on, off… and end off, or a synth holds notes forever."""
    notes = read_midi(sample_files(1)[0])
    messages = midi_messages(notes)
    assert [t for t, _ in messages] == sorted(t for t, _ in messages)
    down: set[tuple[int, int]] = set()
    ons = 0
    for _, m in messages:
        key = (m[0] & 0x0F, m[1])
        if m[0] & 0xF0 == 0x90:
            assert key not in down, key
            down.add(key)
            ons += 1
        elif m[0] & 0xF0 == 0x80:
            assert key in down, key
            down.discard(key)
    assert not down
    distinct = {(float(o), int(p)) for o, p in zip(notes.onset, notes.pitch, strict=True)}
    assert ons == len(distinct)  # every (onset, pitch) sounds once
    # A zero-length note still goes on before it goes off.
    blip = midi_messages(NoteArray.from_lists([0.0], [0.0], [60]))
    assert [m for _, m in blip][-2:] == [bytes([0x90, 60, 90]), bytes([0x80, 60, 0])]


def test_messages_go_out_on_time() -> None:
    # 300 qpm: an eighth is 0.1 s; twelve eighths on two parts take 1.2 s.
    n = 12
    notes = NoteArray.from_lists(
        [i * 0.5 for i in range(n)] * 2,
        [0.5] * (2 * n),
        [60 + i for i in range(n)] + [36] * n,
        tempo_qpm=300.0,
        part=[KEYS] * n + [DRUMS] * n,
    )
    port = RecordingPort()
    player = Recorder("Fake synth", port=port)
    player.play_notes(notes)
    while player.is_playing:
        time.sleep(0.02)
        player.poll()
    expected = midi_messages(notes)
    assert [m for _, m in port.sent] == [m for _, m in expected]
    lateness = [
        sent - (player.started_at + due)
        for (sent, _), (due, _) in zip(port.sent, expected, strict=True)
    ]
    assert min(lateness) > -0.001, min(lateness)  # never early
    assert statistics.median(lateness) < 0.015, lateness
    assert max(lateness) < 0.050, lateness
    assert player.finished and player.events == ["started Fake synth", "finished"]
    assert player.position == pytest.approx(expected[-1][0])


def test_stop_silences_every_channel_used_and_sends_nothing_more() -> None:
    notes = NoteArray.from_lists(
        [0, 0, 0, 4],
        [8, 8, 8, 1],
        [48, 60, 38, 72],
        tempo_qpm=120.0,
        part=[BASS, KEYS, DRUMS, KEYS],
    )
    port = RecordingPort()
    player = Recorder("Fake synth", port=port)
    player.play_notes(notes)
    time.sleep(0.2)
    assert player.is_playing and 0.1 < player.position < 0.5
    before = len(port.sent)
    player.stop()
    tail = [m for _, m in port.sent[before:]]
    assert set(tail[:3]) == {bytes([0x82, 48, 0]), bytes([0x80, 60, 0]), bytes([0x89, 38, 0])}
    for channel in (0, 2, 9):
        assert bytes([0xB0 | channel, 123, 0]) in tail  # all notes off
        assert bytes([0xB0 | channel, 120, 0]) in tail  # all sound off
    assert len(tail) == 3 + 2 * 3
    count = len(port.sent)
    time.sleep(0.3)
    player.poll()
    assert len(port.sent) == count  # nothing after stop: the quarter-4 note never comes
    assert not player.is_playing and player.position == 0.0
    assert player.events == ["started Fake synth"]  # stop fires no finished
    player.close()
    assert port.closed


def test_a_midi_file_through_a_write_short_port(tmp_path: Path) -> None:
    """pygame.midi's Output has write_short(status, data1, data2): an opener may return one."""
    notes = NoteArray.from_lists([0, 0.5], [0.5, 0.5], [60, 62], tempo_qpm=600.0)
    path = write_midi(tmp_path / "a.mid", notes)
    sent: list[tuple[int, ...]] = []
    short = SimpleNamespace(write_short=lambda *b: sent.append(b))
    opened: list[str] = []
    player = MidiOutput("Synth", opener=lambda name: opened.append(name) or short)
    player.play(path)
    while player.is_playing:
        time.sleep(0.01)
        player.poll()
    assert opened == ["Synth"]
    assert [bytes(b) for b in sent] == [m for _, m in midi_messages(read_midi(path))]


def fake_pygame_midi(devices: list[tuple[bytes, int, int]], fail_open: bool = False) -> Any:
    """pygame.midi's device list: (name, is_input, is_output) per device."""

    def output(device_id: int, latency: int = 0) -> Any:
        if fail_open:
            raise RuntimeError("Host error")
        return SimpleNamespace(write_short=lambda *b: None, close=lambda: None, id=device_id)

    return SimpleNamespace(
        get_count=lambda: len(devices),
        get_device_info=lambda i: (b"ALSA", devices[i][0], devices[i][1], devices[i][2], 0),
        Output=output,
    )


def test_no_ports_is_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(outputs(), list)  # this machine's real list: never raises
    for midi in (None, fake_pygame_midi([]), fake_pygame_midi([(b"Keyboard in", 1, 0)])):
        monkeypatch.setattr(midi_out, "_pygame_midi", lambda midi=midi: midi)
        assert outputs() == []
        with pytest.raises(MidiOutError) as caught:
            open_port("Synth")
        assert str(caught.value) == NO_OUTPUTS and "\n" not in NO_OUTPUTS
        assert "no MIDI outputs found" in NO_OUTPUTS and "virtual port" in NO_OUTPUTS
    player = Recorder("Synth")
    with pytest.raises(MidiOutError):
        player.play_notes(band())
    assert player.events == [f"failed: {NO_OUTPUTS}"] and not player.is_playing


def test_outputs_and_a_port_that_cannot_be_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    devices = [(b"Keyboard in", 1, 0), (b"FluidSynth virtual port", 0, 1), (b"Midi Through", 0, 1)]
    monkeypatch.setattr(midi_out, "_pygame_midi", lambda: fake_pygame_midi(devices))
    assert outputs() == ["FluidSynth virtual port", "Midi Through"]
    port = open_port("Midi Through")
    assert port._port.id == 2  # type: ignore[attr-defined]
    port.close()
    with pytest.raises(MidiOutError, match="'Gone' is not connected .*Midi Through"):
        open_port("Gone")
    monkeypatch.setattr(midi_out, "_pygame_midi", lambda: fake_pygame_midi(devices, True))
    with pytest.raises(MidiOutError, match="cannot open MIDI output 'Midi Through': Host error"):
        open_port("Midi Through")


@pytest.mark.skipif(
    not outputs(),
    reason="no MIDI output on this machine (pygame.midi lists none: no ALSA sequencer,"
    " no snd-virmidi, no DAW virtual port)",
)
def test_a_real_system_port() -> None:
    name = outputs()[0]
    player = Recorder(name)
    player.play_notes(NoteArray.from_lists([0, 0.5], [0.5, 0.5], [60, 64], tempo_qpm=600.0))
    while player.is_playing:
        time.sleep(0.01)
        player.poll()
    player.close()
    assert player.events == [f"started {name}", "finished"]
