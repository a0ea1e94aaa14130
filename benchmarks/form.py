"""Does it have form? Repeated bars of compositions against held-out files, before and after.

    python benchmarks/form.py [CORPUS ...] [--pieces 20] [--minutes 3] [--json]

Corpora (benchmarks/form_corpora.py): chorales and band (shipped), folk (Ryan's Mammoth
Collection from music21's corpus), palestrina (mass movements from music21's corpus) and
trecento (music21's corpus: never used to choose anything). Each is split into train and
test files; a WaveNet and an LSTM are trained on train with the app's defaults for --minutes
(once: bench_data/form/models/, reused after). Every row is --pieces pieces, each cut to its
first 32 bars, compared with the test files' first 32 bars:
  test      the held-out files themselves (their figures; the reference of every OA)
  ceiling   the training files (real music that is not the test)
  before    the model composing straight on, as long as the form plan (form 'none')
  form      the model's default Compose: a whole piece in a form drawn from the corpus profile
Columns: near-repeat share, exact-repeat share, lag similarity (form.py), the overlap area (OA)
of each of the three, the mean OA over the note, track and form features with the weakest, the
copy rate against the training files (8-event phrases found verbatim), and the median bars and
seconds of the pieces. The done-when checks of "Songs with form" follow each corpus's table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from form_corpora import OUT, prepare

from musicstudio.core.compose.avoid_copies import avoid_copies
from musicstudio.core.compose.composer import Composer, ComposeSettings
from musicstudio.core.compose.novelty import build_index
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle import ModelBundle, load_bundle
from musicstudio.core.music.corpus import Corpus, ScanOptions, scan
from musicstudio.core.music.form import FORM_BARS, FORM_FEATURES, bar_steps, form_features
from musicstudio.core.music.form_profile import profile_of_streams
from musicstudio.core.music.metrics import CorpusProfile, copy_rate
from musicstudio.core.music.midi import NoteArray, read_midi
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.quality import FEATURES, compare_sets, piece_features

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("wavenet", "lstm")


def say(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def first_bars(notes: NoteArray, bars: int = FORM_BARS) -> NoteArray:
    """The notes that start in the first `bars` bars."""
    end = bars * bar_steps(notes.time_signature) / 12
    return notes.select(notes.onset < end)


@dataclass
class Piece:
    notes: NoteArray
    tokens: np.ndarray | None = None
    seconds: float = 0.0  # at its tempo
    bars: float = 0.0  # of the whole piece (its notes are its first FORM_BARS bars)


def bars_of(notes: NoteArray) -> float:
    """Bars from the start to the last onset's bar line (at least one)."""
    if not len(notes):
        return 0.0
    return float(np.floor(notes.onset.max() / (bar_steps(notes.time_signature) / 12)) + 1)


def bundle_for(corpus: str, family: str, minutes: float, reprofile: bool = False) -> ModelBundle:
    """The benchmark's model of a corpus (trained once with the CLI), with its form profile."""
    path = OUT / "models" / f"{corpus}-{family}.msb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        say(f"training {path.name} for {minutes} min …")
        cmd = [sys.executable, "-m", "musicstudio", "train", str(OUT / corpus / "train")]
        cmd += ["--model", family, "--minutes", str(minutes), "--seed", "0", "--out", str(path)]
        subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    bundle = load_bundle(path)
    form = bundle.form
    if (
        reprofile
        or form is None
        or not form.lineups
        or not form.meters
        or not form.in_scale
        or not form.polyphony
    ):  # trained before form profiles (or their line-ups, meters, scales): as the trainer makes it
        options = ScanOptions(threshold=int(bundle.vocab.threshold))
        bundle.form = profile_of_streams(scan([OUT / corpus / "train"], options).streams)
        bundle.save(path)
    return bundle


def real_pieces(folder: Path) -> list[Piece]:
    pieces = []
    for f in sorted(folder.glob("*.mid")):
        notes = read_midi(f)
        if len(notes):
            pieces.append(Piece(first_bars(notes), bars=bars_of(notes)))
    return pieces


def composed(bundle: ModelBundle, n: int, form: str, guard: Corpus | None = None) -> list[Piece]:
    """n default compositions (seeds 0..n-1); `form` 'none': straight on, as long as the plan.
    With `guard` (the training files), each piece's copies of them are composed again, as the
    app's Compose does (the Avoid copies setting, on by default: app/catalog.py)."""
    composer = Composer(bundle)
    index = build_index(guard.streams, guard.ok_paths) if guard is not None else None
    out = []
    for seed in range(n):
        settings = ComposeSettings(sampling=SamplingSettings(seed=seed))
        if form == "none":  # the same length as the default Compose would have
            plan = composer.plan(settings, np.random.default_rng(seed))
            settings = replace(settings, form="none", bars=float(plan.bars if plan else 32))
        [c] = composer.compose(settings)
        if index is not None:
            avoid_copies(composer, c, index, settings.sampling, settings.constraints)
        quarters = float(c.notes.onset.max() + c.notes.duration.max()) if len(c.notes) else 0.0
        out.append(
            Piece(first_bars(c.notes), c.tokens, quarters * 60 / settings.tempo, bars_of(c.notes))
        )
    return out


def row(name: str, pieces: list[Piece], test: list[Piece], corpus_hashes: Any) -> dict[str, Any]:
    form = [form_features(p.notes) for p in pieces]
    ref_form = [form_features(p.notes) for p in test]
    has_drums = any((p.notes.parts == DRUMS).any() for p in test)
    names = [f for f in FEATURES if has_drums or f != "drum_onsets_per_bar"]
    notes = compare_sets(
        [piece_features(p.notes) for p in pieces], [piece_features(p.notes) for p in test], names
    )
    forms = compare_sets(form, ref_form, FORM_FEATURES)
    every = list(notes.features) + list(forms.features)
    weakest = min(every, key=lambda f: f.overlap)
    bars = [p.bars for p in pieces if p.bars]  # the whole pieces', not their first 32 bars
    return {
        "row": name,
        **{f: float(np.mean([getattr(x, f) for x in form])) for f in FORM_FEATURES},
        **{f"oa_{f}": forms.overlap(f) for f in FORM_FEATURES},
        "mean_oa": float(np.mean([f.overlap for f in every])),
        "weakest": f"{weakest.label} {weakest.overlap:.2f}",
        "overlaps": {f.label: round(f.overlap, 3) for f in every},
        "weakest_oa": weakest.overlap,
        "copy_rate": (
            float(np.mean([copy_rate(p.tokens, corpus_hashes) for p in pieces]))
            if pieces and pieces[0].tokens is not None
            else None
        ),
        "bars": float(np.median(bars)) if bars else 0.0,
        "seconds": float(np.median([p.seconds for p in pieces])) if pieces[0].seconds else None,
    }


def fresh_compose(bundle_path: Path, minutes: float = 3.0, seeds: int = 5) -> dict[str, Any]:
    """A `minutes`-long piece from a fresh process, as a user of `musicstudio compose` gets it,
    once per seed 0..seeds-1 (pieces differ in length and line-up): the median and the worst."""
    runs = []
    for seed in range(seeds):
        out = Path(tempfile.mkdtemp()) / "piece.mid"
        cmd = [sys.executable, "-m", "musicstudio", "compose", str(bundle_path), "--minutes"]
        cmd += [str(minutes), "--seed", str(seed), "--out", str(out), "--json"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        summary = json.loads(done.stdout)
        runs.append((summary["bars"], summary["events"], summary["seconds"], wall))
    bars, events, compose_s, wall_s = (np.array(c, np.float64) for c in zip(*runs, strict=True))
    return {
        "bars": int(np.median(bars)),
        "events": int(np.median(events)),
        "compose_seconds": float(np.median(compose_s)),
        "command_seconds": round(float(np.median(wall_s)), 2),
        "worst_command_seconds": round(float(wall_s.max()), 2),
        "seeds": seeds,
    }


def checks(rows: dict[str, dict[str, Any]], median_bars: float) -> list[str]:
    """The done-when of 'Songs with form', per family: 'ok' or what falls short."""
    test, ceiling = rows["test"], rows["ceiling"]
    out = []
    for family in FAMILIES:
        r = rows.get(f"form {family}")
        if r is None:
            continue
        misses = []
        for f in ("near_repeat", "lag_similarity"):
            if test[f] > 0 and abs(r[f] - test[f]) > 0.35 * test[f]:
                misses.append(f"{f} {r[f]:.2f} vs {test[f]:.2f}")
        if not 0 < r["exact_repeat"] <= 2 * test["exact_repeat"]:
            misses.append(f"exact {r['exact_repeat']:.2f} vs {test['exact_repeat']:.2f}")
        misses += [f"OA {f} {r[f'oa_{f}']:.2f}" for f in FORM_FEATURES if r[f"oa_{f}"] < 0.80]
        if r["mean_oa"] < ceiling["mean_oa"] - 0.04:
            misses.append(f"mean OA {r['mean_oa']:.3f} vs ceiling {ceiling['mean_oa']:.3f}")
        if r["copy_rate"] is not None and r["copy_rate"] >= 0.05:
            misses.append(f"copy rate {r['copy_rate']:.1%}")
        if abs(r["bars"] - median_bars) > 0.25 * median_bars:
            misses.append(f"length {r['bars']:.0f} bars vs median {median_bars:.0f}")
        out.append(f"{family}: " + ("every bar met" if not misses else "; ".join(misses)))
    return out


def run_corpus(name: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    t0 = time.perf_counter()
    test = real_pieces(folder / "test")
    train = real_pieces(folder / "train")
    rows: dict[str, dict[str, Any]] = {}
    rows["test"] = row("test", test, test, None)
    rows["ceiling"] = row("ceiling", train, test, None)
    median_bars = 0.0
    fresh: dict[str, dict[str, Any]] = {}
    for family in args.families:
        bundle = bundle_for(name, family, args.minutes, args.reprofile)
        assert bundle.form is not None
        median_bars = float(bundle.form.median_bars)
        train_corpus = scan([folder / "train"], ScanOptions(threshold=int(bundle.vocab.threshold)))
        hashes = CorpusProfile.from_events(train_corpus.streams, bundle.vocab).ngram_hashes
        for form in ("none", "corpus"):
            label = f"{'before' if form == 'none' else 'form'} {family}"
            t = time.perf_counter()
            pieces = composed(bundle, args.pieces, form, train_corpus)
            rows[label] = row(label, pieces, test, hashes)
            rows[label]["compose_seconds"] = (time.perf_counter() - t) / args.pieces
            say(f"{name} {label}: {time.perf_counter() - t:.1f} s")
        if args.fresh:
            fresh[family] = fresh_compose(OUT / "models" / f"{name}-{family}.msb", seeds=args.fresh)
    return {
        "corpus": name,
        "test_files": len(test),
        "train_files": len(train),
        "median_bars": median_bars,
        "rows": list(rows.values()),
        "checks": checks(rows, median_bars),
        "three_minutes": fresh,
        "seconds": time.perf_counter() - t0,
    }


def table(result: dict[str, Any]) -> str:
    head = (
        f"\n{result['corpus']}: {result['train_files']} train / {result['test_files']} test files,"
        f" median piece {result['median_bars']:.0f} bars\n"
        "| row | near repeat | exact repeat | lag sim. | OA near / exact / lag | mean OA | weakest"
        " | copy rate | bars | seconds |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in result["rows"]:
        copy = "–" if r["copy_rate"] is None else f"{r['copy_rate']:.1%}"
        secs = "–" if r["seconds"] is None else f"{r['seconds']:.0f}"
        lines.append(
            f"| {r['row']} | {r['near_repeat']:.0%} | {r['exact_repeat']:.0%} | {r['lag_similarity']:.2f}"
            f" | {r['oa_near_repeat']:.2f} / {r['oa_exact_repeat']:.2f} / {r['oa_lag_similarity']:.2f}"
            f" | {r['mean_oa']:.3f} | {r['weakest']} | {copy} | {r['bars']:.0f} | {secs} |"
        )
    lines += [f"- {c}" for c in result["checks"]]
    for family, f in result["three_minutes"].items():
        lines.append(
            f"- 3-minute piece, fresh process, median of seeds 0–{f['seeds'] - 1}, {family}:"
            f" {f['bars']} bars, {f['events']} events composed in {f['compose_seconds']:.2f} s;"
            f" the whole command {f['command_seconds']:.2f} s (worst {f['worst_command_seconds']:.2f} s)"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "corpora", nargs="*", default=["chorales", "band", "folk", "palestrina", "trecento"]
    )
    ap.add_argument("--pieces", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--fresh", type=int, default=5, help="3-minute pieces timed from a fresh process (0: none)"
    )
    ap.add_argument("--reprofile", action="store_true", help="find the models' form profiles again")
    args = ap.parse_args()
    folders = prepare()
    results = [run_corpus(name, folders[name], args) for name in args.corpora]
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results:
            print(table(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
