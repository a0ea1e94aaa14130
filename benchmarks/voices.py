"""What a round trip keeps of multi-track files: every track its own voice (representation 3)
against one line per part (representation 2, replayed), side by side in one run.

    python benchmarks/voices.py [DIR ...] [--band 40] [--quartets 8]

Each file goes through what `musicstudio roundtrip` does (read, encode, tokenize at the default
threshold with the file's own vocabulary, decode, write MIDI), and both files are read again
as a synthesizer hears them (tests/core/raw_midi.py: a note-on of a sounding channel and
pitch ends that note). Counting each distinct note once, per (grid onset, pitch, instrument
family) — a unison doubling inside one family is not a loss:
- onset + pitch: distinct (onset, pitch) of the original heard in the written file;
- family: distinct (onset, pitch, GM family or drums) back in the same family;
- duration: of those, the length within a grid step (1/12 quarter) or 12.5 %;
- velocity: of those, the velocity within 16 (one velocity class);
- tracks kept: the original's instruments (distinct programs, and drums) in the written file;
- coll.: files whose written bytes have note-ons on a channel and pitch that already sounds;
  src: files whose original has them (their lengths are ambiguous: a synthesizer ends the
  sounding note, a parser may pair the note-offs otherwise); dur.clear: the duration figure
  over the files without them.
Folders: the shipped band corpus, synthetic band files (benchmarks/bandmidi.py: two guitars,
piano + organ, pad + strings, a unison doubling, "cont." tracks) and string quartets from the
music21 corpus (never looked at while the voice slots were chosen), plus any DIR given.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from bandmidi import write_band_folder

from musicstudio.core.music.constants import GRID
from musicstudio.core.music.learned import as_learned
from musicstudio.core.music.midi import NoteArray, midi_bytes, read_midi
from musicstudio.core.music.voices import FIRST_VOICE

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.core.raw_midi import heard_notes  # noqa: E402

QUARTETS = [
    f"{work}/movement{m}.mxl"
    for work in ("beethoven/opus18no1", "beethoven/opus59no1", "haydn/opus74no1", "mozart/k80")
    for m in (1, 2, 3, 4)
]


def file_notes(data: bytes) -> tuple[dict[str, np.ndarray], int]:
    """Every note of a MIDI file as a synthesizer hears it (a note-on of a sounding channel and
    pitch ends that note): onset step, pitch, family, length (quarters), velocity, and the
    instrument (program, or 128 for drums on channel 10); and the file's collisions."""
    heard, collisions, tpq = heard_notes(data)
    drum = np.array([n.channel == 9 for n in heard], bool)
    program = np.array([n.program for n in heard], np.int64)
    on = np.array([n.on for n in heard], np.int64)
    notes = {
        "on": np.round(on * GRID / tpq).astype(np.int64),
        "pitch": np.array([n.pitch for n in heard], np.int64),
        "family": np.where(drum, 16, program // 8),
        "len": (np.array([n.off for n in heard], np.int64) - on) / tpq,
        "vel": np.array([n.velocity for n in heard], np.int64),
        "inst": np.where(drum, 128, program),
    }
    return notes, collisions


def _by_key(keys: np.ndarray) -> dict[int, list[int]]:
    """The notes (indices) of every distinct key."""
    out: dict[int, list[int]] = {}
    for i, k in enumerate(keys.tolist()):
        out.setdefault(k, []).append(i)
    return out


def measure(original: bytes, written: bytes) -> dict[str, float]:
    (a, source_collisions), (b, collisions) = file_notes(original), file_notes(written)
    mine, theirs = (_by_key((n["on"] * 128 + n["pitch"]) * 17 + n["family"]) for n in (a, b))
    found = [k for k in mine if k in theirs]
    op_a = np.unique(a["on"] * 128 + a["pitch"])
    op_b = np.unique(b["on"] * 128 + b["pitch"])
    dur_ok = vel_ok = 0
    for k in found:  # the original's notes of this key (a doubling: any of them) against ours
        pairs = [(m, j) for m in mine[k] for j in theirs[k]]
        dur_ok += any(
            abs(b["len"][j] - a["len"][m]) <= max(1 / GRID, 0.125 * a["len"][m]) for m, j in pairs
        )
        vel_ok += any(abs(b["vel"][j] - a["vel"][m]) <= 16 for m, j in pairs)
    kept = set(a["inst"].tolist())
    return {
        "notes": float(len(mine)),
        "onset_pitch": float(np.isin(op_a, op_b).mean()),
        "family": len(found) / max(1, len(mine)),
        "duration": dur_ok / max(1, len(found)),
        "velocity": vel_ok / max(1, len(found)),
        "tracks": len(kept & set(b["inst"].tolist())) / max(1, len(kept)),
        "collisions": float(collisions),
        "source_collisions": float(source_collisions),
    }


def as_parts(notes: NoteArray) -> NoteArray:
    """Representation 2 replayed: every note on its part's one line."""
    merged = notes.select(np.arange(len(notes)))
    object.__setattr__(merged, "voice", FIRST_VOICE[notes.parts.astype(np.int64)])
    return merged


def round_trip(path: Path, parts_only: bool) -> bytes:
    notes = read_midi(path)
    learned, _ = as_learned(as_parts(notes) if parts_only else notes)
    return midi_bytes(learned)


def quartet_folder(folder: Path, count: int) -> list[Path]:
    """Up to `count` quartet movements of the music21 corpus as MIDI (written once)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in QUARTETS:
        if len(paths) == count:
            break
        path = folder / (name.replace("/", "_").removesuffix(".mxl") + ".mid")
        if not path.exists():
            from music21 import corpus

            try:
                corpus.parse(name).write("midi", fp=str(path))
            except Exception as e:  # a movement music21 cannot write (its repeats): skipped
                print(f"skipped {name}: {e}", file=sys.stderr)
                continue
        paths.append(path)
    return paths


def report(label: str, paths: list[Path]) -> None:
    for parts_only, rep in ((True, "2 (parts)"), (False, "3 (voices)")):
        rows, t0 = [], time.perf_counter()
        for path in paths:
            rows.append(measure(path.read_bytes(), round_trip(path, parts_only)))
        weight = np.array([r["notes"] for r in rows])

        def mean(name: str, rows: list = rows, weight: np.ndarray = weight) -> float:
            return float(np.average([r[name] for r in rows], weights=weight))

        tracks = float(np.mean([r["tracks"] for r in rows]))
        collided = sum(r["collisions"] > 0 for r in rows)
        ambiguous = sum(r["source_collisions"] > 0 for r in rows)
        clear = [r for r in rows if r["source_collisions"] == 0]
        clear_duration = (
            f"{np.average([r['duration'] for r in clear], weights=[r['notes'] for r in clear]):.4f}"
            if clear
            else "-"
        )
        print(
            f"{label:<16} {rep:<11} {len(paths):>4} {int(weight.sum()):>8,} "
            f"{mean('onset_pitch'):>8.4f} {mean('family'):>8.4f} {mean('duration'):>8.4f} "
            f"{mean('velocity'):>8.4f} {tracks:>8.4f} {collided:>6} {ambiguous:>6} "
            f"{clear_duration:>9} "
            f"{(time.perf_counter() - t0) / len(paths) * 1000:>7.1f}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--band", type=int, default=40, help="synthetic band files")
    ap.add_argument("--quartets", type=int, default=8, help="music21 string quartets")
    args = ap.parse_args()
    data = ROOT / "bench_data"
    folders = [("band corpus", sorted((ROOT / "resources/band_corpus").glob("*.mid")))]
    folders.append(("synthetic band", write_band_folder(data / "voices_band", args.band)))
    if args.quartets:
        folders.append(("quartets (held)", quartet_folder(data / "quartets", args.quartets)))
    folders += [(d.name, sorted(d.rglob("*.mid"))) for d in args.dirs]
    print(
        f"{'folder':<16} {'repr.':<11} {'files':>4} {'notes':>8} {'on+pitch':>8} {'family':>8} "
        f"{'duration':>8} {'velocity':>8} {'tracks':>8} {'coll.':>6} {'src':>6} {'dur.clear':>9} "
        f"{'ms/file':>7}"
    )
    for label, paths in folders:
        if paths:
            report(label, paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
