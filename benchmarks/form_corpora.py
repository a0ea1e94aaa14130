"""The corpora of the form benchmark, split into train and test folders (written once).

    python benchmarks/form_corpora.py            # writes bench_data/form/<corpus>/{train,test}

- chorales: the Bach chorales we ship (resources/sample_corpus);
- band: the mixed band corpus we ship (resources/band_corpus);
- folk: fiddle tunes of music21's bundled Ryan's Mammoth Collection, written to MIDI with their
  repeats played out. Held out until the second pass of the form work, whose tuning change was
  found on its weakest feature (benchmarks/README.md, "Form");
- palestrina: mass movements of music21's bundled Palestrina collection (4–6 voices), added
  after that pass; its pieces repeated far more than its files, which showed that a varied bar
  must be checked against every earlier bar (so it is not held out any more either);
- trecento: music21's bundled trecento collection (Italian 14th-century songs, 2–3 voices),
  added after that and never used to choose anything: the held-out collection now;
- essen: 200 German folk songs of the Essen collection in music21's corpus (one voice, in
  their books' ABC), added in round 4 to check the scale rule ('Key: like your files', chosen
  on folk and the chorales) on songs it was not chosen on;
- monteverdi: the madrigals of music21's bundled Monteverdi collection (5 voices, MusicXML
  only; the RomanText analyses beside them are left out), added in the last round for the small
  folder benchmark and never used to choose anything.

Every fifth file (by a hash of its name) is a test file; the test files are the reference the
compositions are judged against and are never trained on.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from musicstudio.core.base.files import atomic_copy

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench_data" / "form"
SHIPPED = {
    "chorales": ROOT / "resources" / "sample_corpus",
    "band": ROOT / "resources" / "band_corpus",
}
FOLK_TUNES = 160
#: German folk songs of the Essen collection in music21's corpus (Erk's books, then the ballads).
ESSEN_BOOKS = ("erk5", "erk10", "erk20", "erk30", "ballad10", "ballad20")
TEST_EVERY = 5


def folk_sources(limit: int = FOLK_TUNES) -> Path:
    """The first `limit` tunes of Ryan's Mammoth Collection as MIDI files (written once)."""
    return music21_sources("ryansMammoth", "folk", limit)


def music21_sources(collection: str, name: str, limit: int, suffix: str = "") -> Path:
    """The first `limit` works of one of music21's bundled collections (those whose files end
    with `suffix`) as MIDI (written once)."""
    from music21 import corpus

    out = ROOT / "bench_data" / name
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(
        p for p in corpus.getPaths() if f"/{collection}/" in str(p) and str(p).endswith(suffix)
    )[:limit]
    for source in paths:
        target = out / f"{Path(source).stem}.mid"
        skipped = target.with_suffix(".skipped")
        if target.exists() or skipped.exists():
            continue
        write_midi(lambda source=source: corpus.parse(source), target, Path(source).name)
    return out


def write_midi(score: Callable[[], Any], target: Path, name: str) -> None:
    """Write a music21 score (parsed by `score`) as MIDI, whole or not at all (a half-written
    file would be kept as written by the next run); one music21 cannot read or write is left
    out, named once, and a `.skipped` file beside it says why."""
    written: Path | None = None
    try:
        written = Path(score().write("midi"))  # a temporary file of music21's
        atomic_copy(written, target)
    except Exception as e:
        target.with_suffix(".skipped").write_text(f"{type(e).__name__}: {e}\n")
        print(f"left out {name}: {type(e).__name__}: {e}", file=sys.stderr)
    finally:
        if written is not None:  # music21's temporary file goes, copied or not
            written.unlink(missing_ok=True)


def music21_opus_sources(collection: str, name: str, limit: int, books: tuple[str, ...]) -> Path:
    """The first `limit` tunes of some books of one of music21's bundled collections, where a
    book (an ABC file) holds many tunes, as one MIDI file per tune (written once)."""
    from music21 import corpus

    out = ROOT / "bench_data" / name
    out.mkdir(parents=True, exist_ok=True)
    if len(list(out.glob("*.mid"))) + len(list(out.glob("*.skipped"))) >= limit:
        return out
    written = 0
    for book in books:
        [path] = [p for p in corpus.getPaths() if str(p).endswith(f"/{collection}/{book}.abc")]
        for number, score in enumerate(corpus.parse(path).scores, 1):
            if written >= limit:
                return out
            target = out / f"{book}-{number:03d}.mid"
            written += 1
            if target.exists():
                continue
            write_midi(lambda score=score: score, target, target.stem)
    return out


def is_test(name: str) -> bool:
    return zlib.crc32(name.encode()) % TEST_EVERY == 0


def split(name: str, source: Path) -> Path:
    """Copy `source`'s MIDI files into OUT/name/train and OUT/name/test."""
    target = OUT / name
    for sub in ("train", "test"):
        (target / sub).mkdir(parents=True, exist_ok=True)
    for f in sorted(source.glob("*.mid")):
        dest = target / ("test" if is_test(f.name) else "train") / f.name
        if not dest.exists():
            shutil.copyfile(f, dest)
    return target


def prepare() -> dict[str, Path]:
    """Every corpus, split (the folder of each)."""
    sources = dict(
        SHIPPED,
        folk=folk_sources(),
        palestrina=music21_sources("palestrina", "palestrina", 160),
        trecento=music21_sources("trecento", "trecento", 160),
        monteverdi=music21_sources("monteverdi", "monteverdi", 160, ".mxl"),
        essen=music21_opus_sources("essenFolksong", "essen", 200, ESSEN_BOOKS),
    )
    return {name: split(name, src) for name, src in sources.items()}


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__).parse_args()
    for name, folder in prepare().items():
        n_train = len(list((folder / "train").glob("*.mid")))
        n_test = len(list((folder / "test").glob("*.mid")))
        print(f"{name}: {n_train} train, {n_test} test files in {folder}")
