"""A minimal standard-MIDI-file reader for tests and benchmarks: every note as a synthesizer
hears it, straight from the bytes (channel, program, pitch, velocity, on and off ticks)."""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Heard:
    channel: int
    program: int  # the channel's program when the note starts
    pitch: int
    velocity: int
    on: int  # ticks
    off: int


def _varlen(data: bytes, i: int) -> tuple[int, int]:
    value = 0
    while True:
        byte = data[i]
        i += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, i


def heard_notes(data: bytes) -> tuple[list[Heard], int, int]:
    """Every note, the collisions (note-ons on a channel and pitch that already sounds: that
    note ends there, as a synthesizer ends it) and the ticks per quarter."""
    assert data[:4] == b"MThd"
    header_len = struct.unpack(">I", data[4:8])[0]
    tpq = struct.unpack(">H", data[12:14])[0]
    i = 8 + header_len
    notes: list[Heard] = []
    collisions = 0
    program = [0] * 16
    sounding: dict[tuple[int, int], tuple[int, int, int]] = {}  # (channel, pitch) -> on, vel, prog
    while i + 8 <= len(data):
        assert data[i : i + 4] == b"MTrk"
        length = struct.unpack(">I", data[i + 4 : i + 8])[0]
        i, end = i + 8, i + 8 + length
        tick, status = 0, 0
        while i < end:
            delta, i = _varlen(data, i)
            tick += delta
            if data[i] & 0x80:
                status = data[i]
                i += 1
            if status == 0xFF:
                i += 1
                size, i = _varlen(data, i)
                i += size
            elif status in (0xF0, 0xF7):
                size, i = _varlen(data, i)
                i += size
            else:
                kind, channel = status & 0xF0, status & 0x0F
                width = 1 if kind in (0xC0, 0xD0) else 2
                args = data[i : i + width]
                i += width
                if kind == 0xC0:
                    program[channel] = args[0]
                elif kind in (0x80, 0x90):
                    key = (channel, args[0])
                    starts = kind == 0x90 and args[1] > 0
                    if key in sounding:
                        on, vel, prog = sounding.pop(key)
                        notes.append(Heard(channel, prog, args[0], vel, on, tick))
                        collisions += starts
                    if starts:
                        sounding[key] = (tick, args[1], program[channel])
        i = end
    return notes, collisions, tpq


def channel_notes(data: bytes) -> tuple[list[tuple[int, int, int, int]], int]:
    """(channel, pitch, on tick, off tick) of every note, and the collisions."""
    notes, collisions, _ = heard_notes(data)
    return [(n.channel, n.pitch, n.on, n.off) for n in notes], collisions
