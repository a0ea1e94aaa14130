"""Repairing MIDI files that the fast parser refuses for out-of-range data bytes.

Real collections hold files written by sloppy tools: a note-on with velocity 128, a
controller value of 226, a program change to 255. Lenient readers (music21, the original
notebooks) play them; symusic refuses them ("Get velocity=128"). This pass walks the raw
track chunks the way a parser does (delta time, status or running status, data bytes by
count; meta and sysex events skipped by their lengths) and puts every channel-message data
byte back into 0..127: velocities, pitches and controller values are clamped to 127, an
impossible program becomes 0 (piano). It never adds or removes a byte, so chunk lengths stay
valid. A file it cannot walk is left as it was (and stays unreadable).

Written by hand because no MIDI library offers a lenient pass over raw bytes: they either
refuse such files or decode them into their own objects, losing what symusic needs.
"""

from __future__ import annotations

from collections import Counter

#: Data bytes per channel message, by the status's high nibble.
_DATA_BYTES = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
#: What each data byte of a channel message is, for the report.
_NAMES = {
    (0x8, 0): "pitch",
    (0x8, 1): "velocity",
    (0x9, 0): "pitch",
    (0x9, 1): "velocity",
    (0xA, 0): "pitch",
    (0xA, 1): "pressure",
    (0xB, 0): "controller number",
    (0xB, 1): "controller value",
    (0xC, 0): "program",
    (0xD, 0): "pressure",
    (0xE, 0): "pitch bend",
    (0xE, 1): "pitch bend",
}


def repair_midi_bytes(data: bytes) -> tuple[bytes, str]:
    """The bytes with every out-of-range data byte fixed, and what was fixed ("" if nothing)."""
    buf = bytearray(data)
    fixes: Counter[str] = Counter()
    if data[:4] != b"MThd" or len(data) < 8:
        return data, ""
    pos = 8 + int.from_bytes(data[4:8], "big")  # the first chunk after the header
    while pos + 8 <= len(buf):
        length = int.from_bytes(buf[pos + 4 : pos + 8], "big")
        start, end = pos + 8, min(len(buf), pos + 8 + length)
        if buf[pos : pos + 4] == b"MTrk":
            _repair_track(buf, start, end, fixes)
        pos = start + length
    if not fixes:
        return data, ""
    text = ", ".join(
        f"{n} {what} value{'s' if n > 1 else ''} out of 0..127" for what, n in sorted(fixes.items())
    )
    return bytes(buf), f"repaired: {text}"


def _vlq(buf: bytearray, pos: int, end: int) -> tuple[int, int]:
    """A variable-length quantity at pos: its value and the position after it."""
    value = 0
    for _ in range(4):
        if pos >= end:
            raise IndexError("truncated")
        byte = buf[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos
    raise IndexError("variable-length quantity too long")


def _repair_track(buf: bytearray, pos: int, end: int, fixes: Counter[str]) -> None:
    """Fix data bytes of one track chunk in place; stop quietly where the track stops making sense."""
    running = 0
    try:
        while pos < end:
            _, pos = _vlq(buf, pos, end)  # delta time
            if pos >= end:
                return
            status = buf[pos]
            if status == 0xFF:  # meta event: type, length, data
                length, pos = _vlq(buf, pos + 2, end)
                pos += length
                continue
            if status in (0xF0, 0xF7):  # sysex: length, data
                length, pos = _vlq(buf, pos + 1, end)
                pos += length
                running = 0
                continue
            if status >= 0x80:
                running = status
                pos += 1
            elif not running:
                return  # data where a status must be: not a track we can walk
            kind = running >> 4
            for i in range(_DATA_BYTES.get(kind, 0)):
                if pos >= end:
                    return
                if buf[pos] > 0x7F:
                    what = _NAMES.get((kind, i), "data")
                    buf[pos] = 0 if what == "program" else 0x7F
                    fixes[what] += 1
                pos += 1
    except IndexError:
        return
