"""Synthetic multi-track band MIDI with the layouts that lose instruments when tracks merge.

Every file has drums, a bass, two guitars (rhythm and lead, other programs), a piano and an
organ, a pad and strings, a melody doubled in unison on a second piano track, and (every other
file) a lead guitar continued on a "cont." track. Same-family tracks play overlapping notes of
one pitch (the organ holds what the piano strikes, the pad what the strings bow). Onsets are
on the grid; lengths are not always (a player's legato and staccato).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from musicstudio.core.music.theory import SCALES

TPQ = 480
MAJOR = np.array(SCALES["major"])
PROGRESSIONS = [[0, 7, 9, 5], [0, 5, 7, 5], [9, 5, 0, 7], [0, 9, 5, 7]]


def band_score(seed: int, bars: int = 24):  # type: ignore[no-untyped-def]
    """A symusic Score of one band file."""
    from symusic import Note, Score, Tempo, TimeSignature, Track

    rng = np.random.default_rng(seed)
    key = int(rng.integers(0, 12))
    prog = PROGRESSIONS[seed % len(PROGRESSIONS)]
    score = Score(TPQ)
    score.tempos.append(Tempo(0, float(rng.integers(80, 150))))
    score.time_signatures.append(TimeSignature(0, 4, 4))
    tracks: dict[str, list[tuple[int, int, int, int]]] = {}
    bar = 4 * TPQ

    def add(name: str, onset: int, length: int, pitch: int, velocity: int) -> None:
        tracks.setdefault(name, []).append((onset, max(1, length), pitch, velocity))

    def vel(low: int, high: int) -> int:
        return int(rng.integers(low, high))

    for b in range(bars):
        root = key + prog[b % 4]
        minor = prog[b % 4] == 9
        chord = [root % 12, (root + (3 if minor else 4)) % 12, (root + 7) % 12]
        t0 = b * bar
        for s in range(16):
            add(
                "Drums",
                t0 + s * TPQ // 4,
                TPQ // 8,
                36 if s % 8 == 0 else 38 if s % 8 == 4 else 42,
                vel(60, 110),
            )
        for e in range(8):
            add("Bass", t0 + e * TPQ // 2, TPQ // 2 - 25, 36 + root % 12, vel(75, 100))
        for e in range(8):  # rhythm guitar: eighth-note power chords, staccato
            for p in (52 + chord[0] % 12, 52 + chord[0] % 12 + 7):
                add("Rhythm Gtr", t0 + e * TPQ // 2, TPQ // 3, p, vel(70, 95))
        for q in range(4):  # piano: chords on the beat; the organ holds the same notes
            for p in chord:
                add("Piano", t0 + q * TPQ, TPQ - 40, 60 + p, vel(55, 85))
        for p in chord:
            add("Organ", t0, bar - 60, 60 + p, vel(50, 70))
            add("Strings", t0 + TPQ, 2 * TPQ, 55 + p, vel(50, 75))
            add("Pad", t0, bar, 55 + p, vel(40, 60))  # overlaps the strings' notes
        lead = "Lead Gtr" if (seed % 2 == 0 or b < bars // 2) else "Lead Gtr (cont.)"
        t = 0
        while t < bar:  # lead guitar: eighths and quarters
            step = int(rng.choice([TPQ // 2, TPQ]))
            add(
                lead,
                t0 + t,
                step - 20,
                64 + (key + MAJOR[int(rng.integers(0, 7))]) % 12,
                vel(80, 110),
            )
            t += step
        t = 0
        while t < bar:  # the melody, doubled in unison on a second piano track
            step = int(rng.choice([TPQ // 2, TPQ // 4, TPQ]))
            pitch = 72 + (key + MAJOR[int(rng.integers(0, 7))]) % 12
            v = vel(85, 115)
            add("Melody", t0 + t, step, pitch, v)
            add("Melody double", t0 + t, step, pitch, v)
            t += step
    programs = {
        "Drums": (0, True),
        "Bass": (33, False),
        "Rhythm Gtr": (29, False),
        "Lead Gtr": (27, False),
        "Lead Gtr (cont.)": (27, False),
        "Piano": (0, False),
        "Organ": (16, False),
        "Strings": (48, False),
        "Pad": (89, False),
        "Melody": (1, False),
        "Melody double": (1, False),
    }
    for name, notes in tracks.items():
        program, drum = programs[name]
        track = Track(name, program, drum)
        t, d, p, v = (np.array(c) for c in zip(*notes, strict=True))
        track.notes = Note.from_numpy(
            t.astype(np.int32), d.astype(np.int32), p.astype(np.int8), v.astype(np.int8)
        )
        score.tracks.append(track)
    return score


def write_band_folder(folder: Path, files: int, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(files):
        path = folder / f"band_{seed + i:04d}.mid"
        if not path.exists():
            path.write_bytes(bytes(band_score(seed + i).dumps_midi()))
        paths.append(path)
    return paths
