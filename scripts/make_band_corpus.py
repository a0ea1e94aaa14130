"""Write a small multi-instrument sample corpus from music21's bundled corpus (resources/band_corpus/).

Why: the app learns one stream per "part" (keys, strings, winds, ... from each track's General
MIDI program; see musicstudio/core/parts.py), but the Bach-chorale sample corpus is four voices
of one timbre, so it exercises a single part. This script picks the real, public-domain pieces of
music21's corpus whose instruments fall into at least two parts (Bach chorales with horns,
trumpets, oboes, recorders, timpani or continuo; Lieder and arias with piano; a piano trio; a trio
sonata; a clarinet concertino) and writes them to MIDI with each part's real instrument as its
GM program. Nothing is downloaded: music21's corpus ships with the package.

music21 gives many of these parts a bare Instrument with no MIDI program (or a wrong one), so the
program is taken from the part's name (Horn, Oboe d'amore, Continuo, Soprano, ...) and, for names
it does not know, from music21's instrument. Every written file is read back with the app's own
reader and kept only with >= 2 parts and >= 200 notes; identical pieces (the same encoding under two
names) are kept once. The same music21 version gives the same files. Usage:
    python3 scripts/make_band_corpus.py [--out DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Corpus folders skipped without parsing: every piece in them is one instrument family
#: (unaccompanied voices, string quartets, solo folk melodies) or a test fragment, so none
#: could give two parts, and parsing them (thousands of files) would take many minutes.
SKIP_DIRS = frozenset(
    {
        "airdsAirs",
        "beethoven",  # string quartets
        "ciconia",
        "demos",
        "essenFolksong",
        "haydn",  # string quartets
        "josquin",
        "luca",
        "lusitano",
        "miscFolk",
        "monteverdi",
        "mozart",  # string quartets (and one piano exposition)
        "nottingham-dataset",
        "oneills1850",
        "palestrina",
        "ryansMammoth",
        "theoryExercises",
        "trecento",
    }
)
SKIP_PATHS = ("schumann_robert/opus41",)  # string quartets
#: Bach pieces with four parts or fewer are the SATB chorales without instruments.
BACH_MIN_PARTS = 5
MIN_NOTES = 200
MIN_PARTS = 2

#: GM program of a part from the words of its name: the first row with a word in the name
#: decides. Voices come first: "Bass Continuo" or "Soprano Oboe 1 Violin1" is a vocal line
#: doubled by instruments. Continuo comes before violone: "Violone e Organo" (Corelli) is the
#: basso continuo, realised on the organ (GM 19, church organ).
VOICE, SOLO_VOICE = 52, 53  # GM choir aahs, voice oohs
NAME_PROGRAMS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("soprano", "alto", "tenor", "bass", "canto", "tenore", "basso", "choir", "chorus"), VOICE),
    (("voice", "gesang", "vocal", "vocalist", "singstimme"), SOLO_VOICE),
    (("continuo", "organ", "organo", "orgel"), 19),  # church organ
    (("piano", "pianoforte", "klavier"), 0),
    (("harpsichord", "cembalo"), 6),
    (("violin", "violino", "violins", "viloin"), 40),  # "viloin": a typo in bwv41.6/bwv171.6
    (("viola",), 41),
    (("cello", "violoncello"), 42),
    (("violone", "contrabass", "kontrabass"), 43),
    (("timpani", "pauken"), 47),
    (("trumpet", "trumpets", "tromba", "cornet", "cornetto"), 56),  # no cornetto in GM
    (("horn", "horns", "corno"), 60),
    (("oboe",), 68),
    (("bassoon", "fagotto"), 70),
    (("clarinet", "klarinette"), 71),
    (("flute", "flutes", "flauto", "traverso"), 73),
    (("recorder", "recorders"), 74),
)
#: Names the word rows would get wrong. Oboe da caccia: the tenor oboe that became the
#: cor anglais (GM 69).
SPECIAL_NAMES = {"oboe da caccia": 69, "english horn": 69, "bass clarinet": 71}


def program_from_name(name: str) -> int | None:
    """The GM program a part name says (None: the name names no instrument we know)."""
    low = name.lower()
    for phrase, program in SPECIAL_NAMES.items():
        if phrase in low:
            return program
    words = set(re.findall(r"[a-z]+", low))
    for names, program in NAME_PROGRAMS:
        if words.intersection(names):
            return program
    return None


def part_programs(score: Any) -> list[tuple[str, int]]:
    """(name, GM program) per part of a music21 score; sets that program on its instruments."""
    from music21 import instrument

    out = []
    for part in score.parts:
        inst = part.getInstrument()
        name = (part.partName or inst.instrumentName or "").replace("\r", " ").replace("\n", " ")
        program = program_from_name(name)
        if program is None:
            program = program_from_name(inst.instrumentName or "")
        if program is None:
            program = inst.midiProgram if inst.midiProgram is not None else 0
        found = list(part.recurse().getElementsByClass(instrument.Instrument))
        if not found:
            part.insert(0, inst)
            found = [inst]
        for each in found:
            each.midiProgram = program
        out.append((name.strip(), program))
    return out


def candidates() -> list[tuple[str, dict]]:
    """Corpus paths worth parsing (sorted), with their cached metadata; no score is parsed."""
    from music21 import corpus

    bundle = corpus.corpora.CoreCorpus().metadataBundle
    bundle.read()
    seen: dict[str, dict] = {}
    for entry in bundle:
        if entry.metadata is None:
            continue
        meta: dict = {}
        for key, value in entry.metadata.all():
            meta.setdefault(key, value)
        path = str(meta.get("corpusFilePath") or "")
        if not path or path.split("/")[0] in SKIP_DIRS or path.startswith(SKIP_PATHS):
            continue
        parts, notes = meta.get("numberOfParts") or 0, meta.get("noteCount") or 0
        min_parts = BACH_MIN_PARTS if path.startswith("bach/") else MIN_PARTS
        if parts < min_parts or notes < MIN_NOTES:
            continue
        seen.setdefault(path, meta)
    return sorted(seen.items())


def composer_of(meta: dict, score: Any) -> str:
    name = meta.get("composer") or getattr(score.metadata, "composer", None) or ""
    return " ".join(str(name).split())


def title_of(meta: dict, score: Any) -> str:
    md = score.metadata
    for value in (
        getattr(md, "title", None),
        getattr(md, "movementName", None),
        meta.get("title"),
        meta.get("movementName"),
    ):
        if value and not str(value).lower().endswith((".mxl", ".xml", ".musicxml", ".krn")):
            return " ".join(str(value).split())
    return ""


#: Work titles for the README where the encodings give none or only part of one.
WORKS = {
    "beach/prayer_of_a_tired_child.musicxml": "Prayer of a Tired Child, Op. 75 No. 4 "
    "(women's chorus and piano)",
    "corelli/opus3no1/1grave.xml": "Trio sonata (sonata da chiesa) Op. 3 No. 1, I. Grave",
    "handel/rinaldo/Lascia_chio_pianga.mxl": "Lascia ch'io pianga, from Rinaldo HWV 7 "
    "(voice and piano)",
    "liliuokalani/aloha_oe.mxl": "Aloha ʻOe",
    "schubert/Lindenbaum.xml": "Der Lindenbaum, from Winterreise D. 911",
    "schumann_clara/opus17/movement3.xml": "Piano Trio in G minor, Op. 17, 3rd movement",
    "schumann_robert/dichterliebe_no2.xml": "Dichterliebe, Op. 48 No. 2: "
    "Aus meinen Tränen sprießen",
    "weber/concertino_clarinet.mxl": "Clarinet Concertino, Op. 26 (clarinet and piano)",
}


def work_of(path: str, meta: dict, score: Any) -> str:
    """The work a corpus file holds: a known title, a Bach chorale's BWV number, or the metadata."""
    if path in WORKS:
        return WORKS[path]
    if path.startswith("bach/"):  # bwv248.42-4: BWV 248, movement 42
        number = re.match(r"bwv(\d+)(?:\.(\d+))?", Path(path).stem)
        if number:
            work, movement = number.groups()
            where = f"BWV {work}" + (f", movement {movement}" if movement else "")
            extra = " (Christmas Oratorio)" if work == "248" else ""
            return f"Chorale from {where}{extra}"
    return title_of(meta, score)


def known_composer(path: str, composer: str) -> str:
    """A readable composer for the README (the encodings spell them many ways, or not at all)."""
    folder = path.split("/")[0]
    names = {
        "bach": "Johann Sebastian Bach",
        "beach": "Amy Beach",
        "corelli": "Arcangelo Corelli",
        "handel": "George Frideric Handel",
        "liliuokalani": "Liliʻuokalani",
        "schubert": "Franz Schubert",
        "schumann_clara": "Clara Schumann",
        "schumann_robert": "Robert Schumann",
        "weber": "Carl Maria von Weber",
        "webern": "Anton Webern",
        "cpebach": "Carl Philipp Emanuel Bach",
    }
    return names.get(folder, composer or folder)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "band_corpus")
    ap.add_argument("--limit", type=int, default=60, help="at most N files (0 = no limit)")
    args = ap.parse_args(argv)

    import warnings

    from music21 import corpus

    from musicstudio.core.music.midi import read_midi

    warnings.filterwarnings("ignore")  # music21 warns about odd measures in a few encodings
    started = time.perf_counter()
    paths = candidates()
    print(f"{len(paths)} candidate scores (metadata), parsing...", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.mid"):
        old.unlink()
    kept: list[dict] = []
    digests: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (path, meta) in enumerate(paths, 1):
            if args.limit and len(kept) >= args.limit:
                break
            label = f"[{i}/{len(paths)}] {path}"
            try:
                score = corpus.parse(path)
                programs = part_programs(score)
                trial = Path(tmp) / "piece.mid"
                score.write("midi", fp=trial)
                notes = read_midi(trial)
            except Exception as e:  # a few encodings do not convert; say so and go on
                print(f"{label}: skipped ({type(e).__name__}: {e})", flush=True)
                continue
            per_part = notes.notes_per_part()
            if len(per_part) < MIN_PARTS or len(notes) < MIN_NOTES:
                print(f"{label}: skipped ({len(notes)} notes, parts {per_part})", flush=True)
                continue
            data = trial.read_bytes()
            key = hashlib.sha1(
                notes.onset.tobytes() + notes.pitch.tobytes() + notes.program.tobytes()
            ).hexdigest()
            if key in digests:
                print(f"{label}: skipped (the same notes as a piece already kept)", flush=True)
                continue
            digests.add(key)
            name = re.sub(r"[^A-Za-z0-9.-]+", "_", path.rsplit(".", 1)[0].replace("/", "_"))
            (args.out / f"{name}.mid").write_bytes(data)
            combo = "+".join(sorted(per_part))
            kept.append(
                {
                    "file": f"{name}.mid",
                    "path": path,
                    "composer": known_composer(path, composer_of(meta, score)),
                    "title": work_of(path, meta, score),
                    "rights": " ".join(str(score.metadata.copyright or "").split()),
                    "instruments": programs,
                    "notes": len(notes),
                    "parts": per_part,
                    "combo": combo,
                }
            )
            print(f"{label}: {name}.mid  {len(notes)} notes  {combo}", flush=True)

    write_readme(args.out, kept)
    combos = Counter(k["combo"] for k in kept)
    size = sum((args.out / k["file"]).stat().st_size for k in kept)
    print(f"{len(kept)} MIDI files ({size / 1e6:.2f} MB) in {args.out}")
    for combo, n in combos.most_common():
        print(f"  {combo}: {n} files")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0 if kept else 1


#: What the rights statements embedded in some source files mean for the MIDI file.
RIGHTS_NOTES = (
    (
        "beach_prayer_of_a_tired_child.mid",
        "- `beach_prayer_of_a_tired_child.mid`: engraving © 2017 Michael Scott Cuthbert,\n"
        '  "CC-SA-BY" (Creative Commons Attribution-ShareAlike): keep the attribution and\n'
        "  share derivatives of this file under the same licence.",
    ),
    (
        "corelli_opus3no1_1grave.mid",
        "- `corelli_opus3no1_1grave.mid`: encoding © 2014 (arranger/encoder Michael Scott\n"
        "  Cuthbert), Creative Commons Attribution (CC BY): keep the attribution.",
    ),
    (
        "weber_concertino_clarinet.mid",
        "- `weber_concertino_clarinet.mid`: encoding by Oliver Seely, released to the public\n"
        "  domain in 1998.",
    ),
    (
        "liliuokalani_aloha_oe.mid",
        "- `liliuokalani_aloha_oe.mid`: encoding by MSAC (Michael Scott Asato Cuthbert), CC0.",
    ),
    (
        "schubert_Lindenbaum.mid",
        "- `schubert_Lindenbaum.mid` (encoder Luke Poeppel) and\n"
        '  `schumann_clara_opus17_movement3.mid` state only a bare "©" with no holder or\n'
        "  licence; they fall under the general terms of the corpus.",
    ),
)


def write_readme(out: Path, kept: list[dict]) -> None:
    from music21 import VERSION_STR

    combos = Counter(k["combo"] for k in kept)
    lines = [
        "# Band corpus: multi-instrument sample pieces",
        "",
        "Real, multi-instrument pieces from the corpus bundled with the music21 Python package",
        f"(music21 {VERSION_STR}), written to MIDI by `scripts/make_band_corpus.py`. Every file",
        "has instruments in at least two of the app's parts (General MIDI program families, see",
        "`musicstudio/core/parts.py`) and at least 200 notes, as read back by",
        "`musicstudio.core.music.midi.read_midi`. Each track carries its real instrument as its GM",
        "program, taken from the part's name where music21 gives none (voices: 52 choir /",
        "53 solo voice, which the app files under *strings*; basso continuo: 19 church organ,",
        "under *keys*; timpani: 47, under *strings*). Sung parts keep their words as MIDI lyric",
        "events.",
        "",
        "Regenerate (no network; the same music21 version gives the same files):",
        "",
        "    python3 scripts/make_band_corpus.py            # rewrites resources/band_corpus/",
        "    python3 scripts/make_band_corpus.py --out DIR --limit N",
        "",
        "## Licence",
        "",
        "**Music.** Every composition (and every sung text) is in the public domain: the",
        "composers died between 1713 (Corelli) and 1944 (Amy Beach), and the newest piece,",
        "Beach's *Prayer of a Tired Child*, was published in 1915 (G. Schirmer).",
        "",
        "**Encodings.** The files are derived from the encodings in music21's corpus. music21's",
        "code is BSD-3-Clause, but that licence does not cover the corpus: music21's README says",
        "the encoded scores have their own copyrights and licences, the music being believed",
        "public domain in the US, EU and Canada and the encodings public domain or used by",
        "permission; `music21/corpus/license.txt` says the corpus is distributed with the",
        "permission of the encoders, that music21 assumes no copyright or change in licensing",
        "for it, that some encodings may restrict use (for example commercial use), and that the",
        "licences embedded in individual files or folders apply. No folder used here has a",
        "licence file; the rights statement embedded in each source file is in the *Rights*",
        "column below. In particular:",
        "",
    ]
    files = {k["file"] for k in kept}
    lines += [note for file, note in RIGHTS_NOTES if file in files]
    lines += [
        "- Files whose source states no rights (the Bach chorales and the rest) fall under the",
        "  general terms of `music21/corpus/license.txt` quoted above.",
        "",
        f"## Pieces ({len(kept)} files)",
        "",
        "Part combinations: "
        + ", ".join(f"{combo} ({n})" for combo, n in sorted(combos.items(), key=lambda c: -c[1])),
        "",
        "| File | Composer | Work | music21 corpus path | Instruments (GM program) | Notes | Rights |",
        "|---|---|---|---|---|---|---|",
    ]
    for k in kept:
        insts = ", ".join(f"{name or '?'} ({prog})" for name, prog in k["instruments"])
        title = k["title"].replace("|", "/")
        rights = k["rights"].replace("|", "/") or "(none stated)"
        lines.append(
            f"| {k['file']} | {k['composer']} | {title} | `{k['path']}` | {insts} "
            f"| {k['notes']} | {rights} |"
        )
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
