"""Live MIDI out: a piece as timed MIDI messages, sent to a system MIDI output (a DAW, a synth).

Qt-free, like playback.py: `MidiOutput` has the same surface and hook methods as `MidiPlayer`
(play, play_notes, stop, poll, position, on_started/on_finished/on_failed), so the thin Qt
player can hand a piece to either. The messages are a pure function of the notes
(`midi_messages`); a background thread sends them on a `time.perf_counter` schedule, each
message at its own due time from one start instant, so lateness never accumulates.

Ports come from pygame.midi (PortMidi, bundled in the pygame wheel): no new dependency.
Anything with `send(bytes)` or pygame's `write_short(status, data1, data2)` is a port, which
is how tests record the stream without a device.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from musicstudio.core.music.midi import MidiError, NoteArray, read_midi
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.tempo_map import seconds_at
from musicstudio.core.sound.player import PlaybackError, Player

#: (seconds from the start, one MIDI channel message).
Message = tuple[float, bytes]

NOTE_OFF, NOTE_ON, CONTROL, PROGRAM = 0x80, 0x90, 0xB0, 0xC0
ALL_SOUND_OFF, ALL_NOTES_OFF = 120, 123
DRUM_CHANNEL = 9  # General MIDI channel 10
#: A note that would end where it starts still sounds this long (its off must follow its on).
MIN_SECONDS = 0.005

NO_OUTPUTS = (
    "no MIDI outputs found: connect a synth or start a virtual port (e.g. a DAW's),"
    " or play with the built-in player"
)


class MidiOutError(PlaybackError):
    """A MIDI output that cannot be used (none at all, unplugged, busy), said in one line."""


class Port(Protocol):
    """Where messages go: one MIDI channel message per call."""

    def send(self, message: bytes) -> None: ...

    def close(self) -> None: ...


def channel_of(part: int) -> int:
    """One channel per part: part i on channel i, drums on channel 10 (index 9)."""
    return DRUM_CHANNEL if part == DRUMS else int(part)


def midi_messages(
    notes: NoteArray, from_quarters: float = 0.0, muted_parts: Iterable[int] = ()
) -> list[Message]:
    """The timed messages that play `notes` from `from_quarters` on, with muted parts left out.

    Program changes for the channels used come first (at 0 s), then notes in time order, a
    note-off before a note-on at the same time. A note already sounding at `from_quarters`
    starts at 0 for the rest of its length. A note re-struck on the same channel and pitch
    ends where the next one starts (else its late note-off would cut the next one short),
    and unisons on one channel are played once (a synth holds one voice per key).
    """
    parts = notes.parts.astype(np.int64)
    ends = notes.onset + notes.duration
    later = (ends > from_quarters) | (notes.onset >= from_quarters)  # zero-length notes too
    keep = ~np.isin(parts, np.fromiter(muted_parts, np.int64)) & later
    if not keep.any():
        return []
    channel = np.array([channel_of(p) for p in parts[keep]], np.int64)
    pitch = np.clip(notes.pitch[keep].astype(np.int64), 0, 127)
    velocity = np.clip(notes.velocity[keep].astype(np.int64), 1, 127)
    clock = notes.tempo_map, float(notes.tempo_qpm)  # seconds follow the tempo map
    zero = seconds_at(from_quarters, *clock)
    start = np.maximum(seconds_at(notes.onset[keep], *clock) - zero, 0.0)
    end = seconds_at(ends[keep], *clock) - zero
    program = notes.program[keep].astype(np.int64) % 128

    out: list[Message] = []
    for ch in np.unique(channel):
        most = int(np.bincount(program[channel == ch]).argmax())
        out.append((0.0, bytes([PROGRAM | int(ch), most])))

    rows = sorted(
        zip(
            channel.tolist(),
            pitch.tolist(),
            start.tolist(),
            end.tolist(),
            velocity.tolist(),
            strict=True,
        ),
        key=lambda n: (n[0], n[1], n[2], -n[3]),  # by key and onset, the longest unison first
    )
    kept: list[list[Any]] = []  # [channel, pitch, start, end, velocity]
    for ch, p, t0, t1, v in rows:
        prev = kept[-1] if kept and kept[-1][:2] == [ch, p] else None
        if prev is not None and prev[2] == t0:
            continue
        if prev is not None and prev[3] > t0:
            prev[3] = t0
        kept.append([ch, p, t0, max(t1, t0 + MIN_SECONDS), v])
    timed = [(t0, 1, ch, p, v) for ch, p, t0, _, v in kept]
    timed += [(t1, 0, ch, p, 0) for ch, p, _, t1, _ in kept]
    timed.sort(key=lambda m: m[:4])
    for t, on, ch, p, v in timed:
        out.append((t, bytes([(NOTE_ON if on else NOTE_OFF) | ch, p, v])))
    return out


# -- system ports (pygame.midi) ---------------------------------------------------------------
_open_ports = 0  # pygame.midi ports open now: the device list is re-read only when none is


def _pygame_midi() -> Any:
    """pygame.midi, initialised; None where it cannot start (no MIDI subsystem, no pygame)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame.midi

        if _open_ports == 0 and pygame.midi.get_init():
            pygame.midi.quit()  # PortMidi reads the device list once per init: refresh it
        pygame.midi.init()
    except Exception:  # ImportError, pygame.midi.MidiException, pygame.error: no MIDI here
        return None
    return pygame.midi


def _output_ids(midi: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(midi.get_count()):
        info = midi.get_device_info(i)
        if info is not None and info[3]:  # (interface, name, is_input, is_output, opened)
            name = info[1].decode("utf-8", "replace") if isinstance(info[1], bytes) else info[1]
            found.setdefault(str(name), i)
    return found


def outputs() -> list[str]:
    """The names of the system's MIDI outputs; [] where there are none or no MIDI subsystem."""
    midi = _pygame_midi()
    if midi is None:
        return []
    try:
        return list(_output_ids(midi))
    except Exception:  # a backend that fails while listing: nothing to offer
        return []


def open_port(name: str) -> Port:
    """Open the system MIDI output called `name`, or MidiOutError saying why it cannot be."""
    global _open_ports
    midi = _pygame_midi()
    ids = _output_ids(midi) if midi is not None else {}
    if not ids:
        raise MidiOutError(NO_OUTPUTS)
    if name not in ids:
        raise MidiOutError(f"MIDI output {name!r} is not connected (outputs now: {', '.join(ids)})")
    try:
        port = _ShortPort(midi.Output(ids[name], latency=0), counted=True)
    except Exception as e:  # pygame.midi.MidiException: busy, unplugged since listing
        raise MidiOutError(f"cannot open MIDI output {name!r}: {e}") from e
    _open_ports += 1
    return port


class _ShortPort:
    """An object with pygame's write_short(status, data1, data2) as a Port."""

    def __init__(self, port: Any, counted: bool = False) -> None:
        self._port, self._counted = port, counted  # counted: a pygame.midi port we opened

    def send(self, message: bytes) -> None:
        self._port.write_short(*message)

    def close(self) -> None:
        global _open_ports
        if self._port is not None:
            getattr(self._port, "close", lambda: None)()
            self._port = None
            _open_ports -= self._counted


def as_port(port: Any) -> Port:
    """Anything with send(bytes) or write_short(status, d1, d2) as a Port."""
    if hasattr(port, "send"):
        return port  # type: ignore[no-any-return]
    if hasattr(port, "write_short"):
        return _ShortPort(port)
    raise TypeError(f"{type(port).__name__} has neither send() nor write_short()")


# -- the sender -------------------------------------------------------------------------------
class MidiOutput(Player):
    """The MIDI-out backend: plays pieces on one MIDI output from a background thread.

    `port` is an open port (tests pass a recorder); otherwise `opener` (default open_port)
    opens the output called `name` at open() or the first play.
    """

    def __init__(
        self,
        name: str,
        port: Any = None,
        opener: Callable[[str], Any] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__()
        self.name = name
        self._port: Port | None = None if port is None else as_port(port)
        self._opener = opener
        self._clock = clock
        self._lock = threading.Lock()  # one message at a time on the port
        self._thread: threading.Thread | None = None
        self._halted = threading.Event()
        self._sounding: set[tuple[int, int]] = set()
        self._channels: set[int] = set()
        self._send_error = ""  # set by the sending thread when the port fails
        self._length = 0.0
        self.started_at = 0.0  # perf_counter() of the start: message i is due at started_at + t_i

    def open(self) -> None:
        """Open the port now (choosing an output says at once when it cannot be used)."""
        if self._port is None:
            self._port = as_port((self._opener or open_port)(self.name))

    def play_notes(  # type: ignore[override]
        self, notes: NoteArray, from_quarters: float = 0.0, muted_parts: Iterable[int] = ()
    ) -> None:
        """Send notes from `from_quarters` on, muted parts left out (stops what was playing)."""
        self.play_messages(midi_messages(notes, from_quarters, muted_parts))

    def play_messages(self, messages: list[Message]) -> None:
        """Send timed messages from now on (stops what was playing)."""
        self._start(lambda: self._start_messages(messages))

    def _start_file(self, path: Path) -> str:
        try:
            notes = read_midi(path)
        except MidiError as e:  # the file is gone or damaged
            raise PlaybackError(f"cannot play {path.name}: {e}") from e
        return self._start_messages(midi_messages(notes))

    def _start_messages(self, messages: list[Message]) -> str:
        self._send_error = ""
        self.open()
        self._halted = threading.Event()
        self._length = messages[-1][0] if messages else 0.0
        self.started_at = self._clock()
        self._thread = threading.Thread(
            target=self._send_all, args=(messages, self._halted), name="midi-out", daemon=True
        )
        self._thread.start()
        return self.name

    def _send_all(self, messages: list[Message], halt: threading.Event) -> None:
        try:
            for t, message in messages:
                # Sleep until due from the one start instant (no drift); stop ends the wait.
                wait = self.started_at + t - self._clock()
                if wait > 0 and halt.wait(wait):
                    return
                if halt.is_set():
                    return
                self._send(message)
        except Exception as e:  # the port failed (unplugged): poll() reports it
            self._send_error = f"MIDI output {self.name!r} failed: {e}"

    def _send(self, message: bytes) -> None:
        with self._lock:
            if self._port is None:
                return
            self._port.send(message)
            kind, channel = message[0] & 0xF0, message[0] & 0x0F
            self._channels.add(channel)
            if kind == NOTE_ON and message[2] > 0:
                self._sounding.add((channel, message[1]))
            elif kind in (NOTE_ON, NOTE_OFF):
                self._sounding.discard((channel, message[1]))

    def silence(self) -> None:
        """Note-offs for the notes sounding, then all-sound-off and all-notes-off per channel used."""
        try:
            for channel, pitch in sorted(self._sounding):
                self._send(bytes([NOTE_OFF | channel, pitch, 0]))
            for channel in sorted(self._channels):
                self._send(bytes([CONTROL | channel, ALL_SOUND_OFF, 0]))
                self._send(bytes([CONTROL | channel, ALL_NOTES_OFF, 0]))
        except Exception as e:  # the port is gone: nothing sounds on it any more
            self._send_error = f"MIDI output {self.name!r} failed: {e}"
        self._sounding.clear()
        self._channels.clear()

    @property
    def error(self) -> str:
        """Why the port failed while sending ("" when it did not)."""
        return self._send_error

    # -- the backend ------------------------------------------------------------------------------
    def _halt(self) -> None:
        if self._thread is not None:
            self._halted.set()
            self._thread.join(timeout=1.0)
            self._thread = None
            self.silence()

    def _busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _elapsed(self) -> float:
        return min(self._clock() - self.started_at, self._length)

    def _failure(self) -> str:
        self._thread = None
        if self._send_error:
            self.silence()
        return self._send_error

    def _release(self) -> None:
        with self._lock:
            if self._port is not None:
                self._port.close()
                self._port = None
