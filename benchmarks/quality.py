"""Does it sound like the corpus? Compositions against held-out pieces, feature by feature.

    python benchmarks/quality.py [DIR ...] [--minutes 3] [--pieces 20] [--json]
                                 [--families wavenet lstm]

Without DIR: the Bach chorales we ship, and classical string quartets from music21's bundled
corpus (Haydn, Mozart, Beethoven; written to MIDI once under bench_data/quartets).

Per corpus, files are split into train and test (Corpus.split, --test-share); the models see
only train (our families hold a validation share of it out for early stopping). Every row is
a set of --pieces pieces of one length (--events, or less when a quarter of the test files
are shorter), compared with excerpts of that length of the test files (one per file, or
several non-overlapping ones per file when the files are fewer than MIN_REFERENCE) by the
Yang & Lerch closeness of musicstudio/core/music/quality.py (overlap area, OA: 1 = alike):
  ceiling          excerpts of the training files themselves (real music that is not the test)
  ours FAMILY      trained for --minutes with the app's defaults, composed with default sampling
  notebook FAMILY  the original notebooks' models (replicas in train.py), same train files and
                   budget, best epoch by validation loss as the notebooks' checkpoint kept it,
                   generated as the notebooks did: greedy argmax on the pitch-token stream, one
                   event per quarter, each a quarter long
  random           uniform random pitch tokens, durations, steps, velocities (the corpus's parts)
Columns: mean OA over features, the weakest feature, copy rate (share of 8-event phrases found
verbatim in the training files; none for the ceiling, whose phrases are those files'), longest run of one repeated pitch token (the corpus's own in
the header), held-out pitch perplexity on the test files (ours: averaged over every window
position, short contexts included; the notebooks': full windows; random: uniform).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from train import replica_lstm, replica_wavenet, windows

from musicstudio.core.learn.dataset import TrainingData
from musicstudio.core.learn.tensorflow_setup import load_tensorflow
from musicstudio.core.music.constants import DURATION_VALUES, GRID, MAX_STEP, VELOCITY_BINS
from musicstudio.core.music.corpus import Corpus, ScanOptions, scan
from musicstudio.core.music.events import decode, velocity_class
from musicstudio.core.music.metrics import CorpusProfile, copy_rate, longest_repeat, token_rows
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.quality import (
    FEATURE_LABELS,
    FEATURES,
    PieceFeatures,
    SetCloseness,
    compare_sets,
)
from musicstudio.core.music.quality import piece_features as features_of
from musicstudio.core.music.vocab import N_STREAMS, START, STREAM_SIZES, TokenStream, Vocabulary

ROOT = Path(__file__).resolve().parents[1]
QUARTETS = ("haydn", "mozart", "beethoven")
#: Left out: a piano sonata among Mozart's quartets, and a quartet music21 takes more than ten
#: minutes to convert.
NOT_QUARTETS = ("k545", "opus18no4")
#: Fewest test excerpts: with few test files, long ones give several (non-overlapping) excerpts,
#: so that the intra-set distances are a distribution and not a handful of numbers.
MIN_REFERENCE = 40


def say(*parts: object) -> None:
    """Progress on stderr, so that --json leaves stdout to the JSON."""
    print(*parts, file=sys.stderr, flush=True)


def quartets_folder(out: Path = ROOT / "bench_data" / "quartets", limit: float = 600) -> Path:
    """Classical string quartet movements of music21's corpus as MIDI files (written once).

    Each file converts in a child process with a time limit, so that a score music21 cannot
    convert ends its child, not the benchmark (the file is left out and named).
    """
    from music21 import corpus

    out.mkdir(parents=True, exist_ok=True)
    for composer in QUARTETS:
        # A movement can be there as .krn and .mxl: the .mxl comes first, the .krn is skipped.
        for source in sorted(corpus.getComposer(composer), key=lambda p: Path(p).suffix != ".mxl"):
            rel = Path(str(source).split("/corpus/")[-1]).with_suffix("")
            target = out / f"{'_'.join(rel.parts)}.mid"
            skipped = target.with_suffix(".skipped")
            if target.exists() or skipped.exists() or any(x in str(rel) for x in NOT_QUARTETS):
                continue
            say(f"writing {target.name} …")
            cmd = [sys.executable, __file__, "--write-midi", str(source), str(target)]
            try:
                subprocess.run(cmd, timeout=limit, check=True, capture_output=True)
            except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as e:
                skipped.write_text(f"{type(e).__name__}\n")
                say(f"  left out {rel}: {type(e).__name__}")
    return out


def write_midi(source: str, target: Path) -> None:
    """One score of music21's corpus to MIDI; badly formed repeats are played straight through."""
    from music21 import corpus, repeat

    score = corpus.parse(source)
    try:
        score.write("midi", fp=target)
    except repeat.ExpanderException:
        for m in score.recurse().getElementsByClass("Measure"):
            m.leftBarline = m.rightBarline = None
        for mark in list(score.recurse().getElementsByClass("RepeatExpression")):
            mark.activeSite.remove(mark)
        score.write("midi", fp=target)
    string_programs(target)


#: GM programs of the string instruments, by the word in a track's name.
STRING_PROGRAMS = {"violin": 40, "viola": 41, "cello": 42, "contrabass": 43}


def string_programs(path: Path) -> None:
    """Tracks named for a string instrument get its program (music21 writes 0, a piano)."""
    from symusic import Score

    score = Score(str(path))
    for track in score.tracks:
        name = str(track.name).lower()
        programs = [p for word, p in STRING_PROGRAMS.items() if word in name]
        if track.program == 0 and not track.is_drum and programs:
            track.program = programs[0]
    score.dump_midi(str(path))


@dataclass
class Piece:
    """One piece of a row: its token rows (for copy rate and runs) and its notes (features)."""

    rows: np.ndarray
    notes: NoteArray


@dataclass
class Bench:
    """One corpus split for the benchmark: what the models learn from and what they are judged by."""

    name: str
    corpus: Corpus
    train_idx: list[int]
    test_idx: list[int]
    data: TrainingData  # our families' train (fit) and validation streams, all from train_idx
    plain_train: list[TokenStream]  # data's files without augmentation (the notebooks had none)
    plain_validation: list[TokenStream]
    length: int  # events per piece
    profile: CorpusProfile  # of the training files: phrases for the copy rate, longest run
    test: list[Piece] = field(default_factory=list)  # excerpts of the test files
    test_features: list[PieceFeatures] = field(default_factory=list)
    #: The features compared: all but the drum figure for a corpus without drums (every set,
    #: random notes included, would score 1 on it and lift the mean for nothing).
    features: tuple[str, ...] = FEATURES

    @property
    def vocab(self) -> Vocabulary:
        return self.corpus.vocab

    def piece(self, rows: np.ndarray, index: int | None = None) -> Piece:
        """Token rows as a piece, in the time signature of file `index` (else the corpus's)."""
        ts = (
            self.corpus.streams[index].time_signature
            if index is not None
            else tuple(self.corpus.stats["time_signature"])
        )
        return Piece(rows, decode(self.vocab.detokenize(rows, time_signature=ts)))


def excerpts(
    bench: Bench, indices: list[int], count: int, rng: np.random.Generator, every_file: bool
) -> list[Piece]:
    """About `count` excerpts of bench.length events, from as many files as possible.

    Files shorter than the length are left out (unless all are). A file gives more than one
    excerpt, none overlapping, only when the files are fewer than the excerpts asked for;
    `every_file` takes an excerpt from every file even when that makes more than `count`.
    """
    rows_of = dict(zip(indices, map(token_rows, bench.corpus.token_streams(indices)), strict=True))
    length = bench.length
    files = [i for i in indices if len(rows_of[i]) >= length] or list(indices)
    if not every_file and count <= len(files):
        files = sorted(int(i) for i in rng.choice(files, count, replace=False))
    per_file = max(1, math.ceil(count / len(files)))
    out = []
    for i in files:
        rows = rows_of[i]
        k = min(per_file, max(1, len(rows) // length))
        segment = len(rows) // k
        for j in range(k):
            start = j * segment + int(rng.integers(0, max(1, segment - length + 1)))
            out.append(bench.piece(rows[start : start + length], i))
    return out if every_file else out[:count]


def prepare(name: str, folder: Path, args: argparse.Namespace) -> Bench:
    """Scan, split by file, and cut the test files into excerpts of one length."""
    corpus = scan([folder], ScanOptions(transpose=args.transpose))
    train_idx, test_idx = corpus.split(args.test_share, args.seed)
    train_only = replace(
        corpus,
        streams=[corpus.streams[i] for i in train_idx],
        ok_paths=[corpus.ok_paths[i] for i in train_idx],
    )
    data = TrainingData.from_corpus(train_only, seed=args.seed)
    # The split from_corpus makes (whole files: these corpora have 20 files or more).
    fit_idx, val_idx = train_only.split(0.1, args.seed)
    test_lengths = [len(corpus.streams[i]) for i in test_idx]
    length = int(min(args.events, max(32, np.percentile(test_lengths, 25))))
    profile = CorpusProfile.from_tokens(corpus.token_streams(train_idx))
    bench = Bench(
        name,
        corpus,
        train_idx,
        test_idx,
        data,
        train_only.token_streams(fit_idx),
        train_only.token_streams(val_idx),
        length,
        profile,
    )
    bench.test = excerpts(bench, test_idx, MIN_REFERENCE, np.random.default_rng(args.seed), True)
    bench.test_features = [features_of(p.notes) for p in bench.test]
    drums = any(DRUMS in t.tokens[1:, 4] for t in bench.plain_train) or any(
        f.drum_onsets_per_bar > 0 for f in bench.test_features
    )
    bench.features = FEATURES if drums else tuple(f for f in FEATURES if f != "drum_onsets_per_bar")
    return bench


def ours(bench: Bench, family: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from musicstudio.core.compose.composer import Composer, ComposeSettings
    from musicstudio.core.compose.sampling import SamplingSettings
    from musicstudio.core.compose.tuning import tune_sampling
    from musicstudio.core.learn.bundle import load_bundle
    from musicstudio.core.learn.evaluation import evaluate
    from musicstudio.core.learn.models import default_config
    from musicstudio.core.learn.trainer import train
    from musicstudio.core.learn.training import TrainSettings

    folder = Path(args.bundles) if args.bundles else tmp
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{bench.name.replace(' ', '-')}-{family}.msb"
    if args.bundles and path.is_file():  # a sampling sweep on models trained before
        result = None
    else:
        settings = TrainSettings(
            epochs=100_000, minutes=args.minutes, seed=args.seed, **train_overrides(args)
        )
        result = train(bench.data, default_config(family), settings, path)
    bundle = load_bundle(path)
    if not bundle.sampling:  # a model trained before sampling was tuned per model
        tuning = tune_sampling(bundle, [*bench.data.validation, *bench.data.train])
        bundle.sampling = tuning
        bundle.save(path)
    held_out = evaluate(bundle, bench.corpus.token_streams(bench.test_idx))
    sampling = SamplingSettings(seed=args.seed, **sampling_overrides(args))
    if args.untuned:
        sampling = sampling.tuned(None)  # the app's defaults, not the model's tuning
    made = Composer(bundle).compose(
        ComposeSettings(length=bench.length, variations=args.pieces, sampling=sampling)
    )
    return {
        "pieces": [Piece(token_rows(c.tokens), c.notes) for c in made],
        "perplexity": held_out["perplexity_pitch"],
        "train_seconds": result.seconds if result else None,
        "epochs": result.epochs if result else bundle.epochs,
        "best_epoch": result.best_epoch if result else None,
        "stop_reason": result.stop_reason if result else "reused",
        "temperatures": list(made[0].temperatures),
    }


def train_overrides(args: argparse.Namespace) -> dict[str, float]:
    """--train weight_decay=1e-4 --train label_smoothing=0.1 … (TrainSettings fields)."""
    out: dict[str, float] = {}
    for pair in args.train or []:
        key, _, value = pair.partition("=")
        out[key] = int(value) if value.isdigit() else float(value)
    return out


def sampling_overrides(args: argparse.Namespace) -> dict[str, float]:
    """The sampling settings given on the command line (the others keep the app's defaults)."""
    names = ("temperature", "rhythm_temperature", "top_p", "repetition_penalty")
    return {k: getattr(args, k) for k in names if getattr(args, k) is not None}


def notebook(bench: Bench, family: str, args: argparse.Namespace) -> dict[str, Any]:
    """The notebooks' model: trained on the pitch tokens, greedy, one quarter note per beat."""
    import keras

    size = len(bench.vocab)
    window = 32 if family == "wavenet" else 50
    batch = 256 if family == "wavenet" else 72
    train_tok = np.concatenate([t.tokens[:, 0] for t in bench.plain_train])
    val_tok = np.concatenate([t.tokens[:, 0] for t in bench.plain_validation])
    test_tok = np.concatenate([t.tokens[:, 0] for t in bench.corpus.token_streams(bench.test_idx)])

    def inputs(x: np.ndarray) -> np.ndarray:
        return x if family == "wavenet" else x[..., None] / size  # the LSTM's scaled indices

    x, y = windows(train_tok, window)
    vx, vy = windows(val_tok, window)
    keras.utils.set_random_seed(args.seed)
    model = replica_wavenet(size) if family == "wavenet" else replica_lstm(size)
    budget = args.minutes * 60

    class KeepBest(keras.callbacks.Callback):  # the notebooks' ModelCheckpoint(save_best_only)
        def __init__(self) -> None:
            super().__init__()
            self.t0, self.best, self.weights, self.epochs = time.perf_counter(), math.inf, None, 0

        def on_train_batch_end(self, batch_i, logs=None):  # type: ignore[no-untyped-def]
            if time.perf_counter() - self.t0 > budget:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):  # type: ignore[no-untyped-def]
            self.epochs += 1
            if (logs or {}).get("val_loss", math.inf) < self.best:
                self.best, self.weights = logs["val_loss"], self.model.get_weights()

    keep = KeepBest()
    model.fit(
        inputs(x),
        y,
        batch_size=batch,
        epochs=100_000,
        validation_data=(inputs(vx), vy),
        callbacks=[keep],
        verbose=0,
    )
    seconds = time.perf_counter() - keep.t0
    if keep.weights is not None:
        model.set_weights(keep.weights)
    tx, ty = windows(test_tok, window)
    loss = model.evaluate(inputs(tx), ty, batch_size=512, verbose=0)[0]
    # Primers: random training windows (the corpus primers our Composer uses too).
    rng = np.random.default_rng(args.seed)
    seq = x[rng.integers(0, len(x), args.pieces)].astype(np.int64)
    out = np.zeros((args.pieces, bench.length), np.int64)
    for t in range(bench.length):
        probs = np.array(model(inputs(seq), training=False))
        probs[:, START] = -1.0  # the notebooks had no start token
        out[:, t] = probs.argmax(axis=1)
        seq = np.concatenate([seq[:, 1:], out[:, t : t + 1]], axis=1)
    return {
        "pieces": [notebook_piece(bench, tokens) for tokens in out],
        "perplexity": float(math.exp(min(50.0, loss))),
        "train_seconds": seconds,
        "epochs": keep.epochs,
    }


def main_part(bench: Bench) -> int:
    parts = np.concatenate([t.tokens[1:, 4] for t in bench.plain_train])
    return int(np.bincount(parts).argmax())


def notebook_piece(bench: Bench, pitch_tokens: np.ndarray) -> Piece:
    """Pitch tokens as the notebooks wrote them: a quarter note on every beat, one instrument."""
    rows = np.zeros((len(pitch_tokens), N_STREAMS), np.int64)
    rows[:, 0] = pitch_tokens
    rows[:, 1] = int(np.flatnonzero(DURATION_VALUES == GRID)[0])
    rows[:, 2] = GRID
    rows[:, 3] = int(velocity_class(np.array([90]))[0])  # music21's default velocity
    rows[:, 4] = main_part(bench)
    return bench.piece(rows)


def random_row(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    parts = np.unique(np.concatenate([t.tokens[1:, 4] for t in bench.plain_train]))
    n, size = bench.length, len(bench.vocab)
    pieces = []
    for _ in range(args.pieces):
        rows = np.stack(
            [
                rng.integers(START + 1, size, n),  # rests and every pitch set alike
                rng.integers(0, STREAM_SIZES["duration"], n),
                rng.integers(0, MAX_STEP + 1, n),
                rng.integers(0, VELOCITY_BINS, n),
                rng.choice(parts, n),
            ],
            axis=1,
        )
        pieces.append(bench.piece(rows))
    return {"pieces": pieces, "perplexity": float(size - 1)}


def score(bench: Bench, model: str, made: dict[str, Any]) -> dict[str, Any]:
    """The row of one set of pieces: closeness to the test excerpts, copy rate, runs."""
    pieces: list[Piece] = made.pop("pieces")
    closeness: SetCloseness = compare_sets(
        [features_of(p.notes) for p in pieces], bench.test_features, bench.features
    )
    copies = [copy_rate(p.rows, bench.profile.ngram_hashes, bench.profile.ngram) for p in pieces]
    return {
        "model": model,
        "mean_oa": closeness.mean_overlap,
        "min_oa": closeness.weakest.overlap,
        "weakest": closeness.weakest.feature,
        "copy_rate": float(np.mean(copies)),
        "longest_run": max(longest_repeat(p.rows) for p in pieces),
        "events": float(np.mean([len(p.rows) for p in pieces])),
        "features": [asdict(f) for f in closeness.features],
        **made,
    }


def run_corpus(name: str, folder: Path, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    bench = prepare(name, folder, args)
    test_copy = np.mean(
        [copy_rate(p.rows, bench.profile.ngram_hashes, bench.profile.ngram) for p in bench.test]
    )
    say(
        f"{name}: {len(bench.corpus.streams)} files, {len(bench.train_idx)} train /"
        f" {len(bench.test_idx)} test, excerpts of {bench.length} events"
    )
    rng = np.random.default_rng(args.seed + 1)
    ceiling = excerpts(bench, bench.train_idx, args.pieces, rng, every_file=False)
    rows = [score(bench, "ceiling (train files)", {"pieces": ceiling})]
    rows[0]["copy_rate"] = None  # its phrases are the training files': 100 % by construction
    load_tensorflow()  # once, without TensorFlow's start-up notices
    for family in args.families:
        say(f"  training ours {family} for {args.minutes:g} min …")
        rows.append(score(bench, f"ours {family}", ours(bench, family, args, tmp)))
    for family in args.families if not args.ours_only else ():
        say(f"  training notebook {family} for {args.minutes:g} min …")
        rows.append(score(bench, f"notebook {family}", notebook(bench, family, args)))
    if not args.ours_only:
        rows.append(score(bench, "random", random_row(bench, args)))
    return {
        "corpus": name,
        "folder": str(folder),
        "files": len(bench.corpus.streams),
        "train_files": len(bench.train_idx),
        "test_files": len(bench.test_idx),
        "test_excerpts": len(bench.test),
        "events_per_piece": bench.length,
        "pieces": args.pieces,
        "minutes": args.minutes,
        "sampling": sampling_overrides(args),
        "training": {**train_overrides(args), "transpose": args.transpose},
        "corpus_longest_run": bench.profile.longest_repeat,
        "test_copy_rate": float(test_copy),
        "seconds": time.perf_counter() - t0,
        "rows": rows,
    }


def cell(value: Any, fmt: str) -> str:
    return (
        "—"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else fmt.format(value)
    )


def print_tables(result: dict[str, Any]) -> None:
    """The summary table, OA per feature, and the mean of each one-number feature per row."""
    r = result
    print(
        f"\n{r['corpus']} ({r['folder']}): {r['files']} files, {r['train_files']} train /"
        f" {r['test_files']} test; {r['pieces']} pieces of {r['events_per_piece']} events vs"
        f" {r['test_excerpts']} test excerpts; {r['minutes']:g} min per model"
        + "".join(f"; {k} {v:g}" for k, v in r.get("sampling", {}).items())
    )
    print(
        f"corpus's longest run {r['corpus_longest_run']}; test excerpts' copy rate vs train"
        f" {r['test_copy_rate']:.1%}; {r['seconds'] / 60:.1f} min in all"
    )
    print(
        f"{'model':<22} {'mean OA':>7} {'min OA (feature)':<26} {'copy':>6} {'run':>4}"
        f" {'pitch ppl':>9}  epochs"
    )
    for row in r["rows"]:
        weakest = f"{row['min_oa']:.2f} ({FEATURE_LABELS[row['weakest']]})"
        epochs = cell(row.get("epochs"), "{}")
        if row.get("stop_reason"):
            epochs += f" ({row['stop_reason']}, kept {row['best_epoch']})"
        print(
            f"{row['model']:<22} {row['mean_oa']:>7.3f} {weakest:<26}"
            f" {cell(row['copy_rate'], '{:.1%}'):>6} {row['longest_run']:>4}"
            f" {cell(row.get('perplexity'), '{:.1f}'):>9}  {epochs}"
        )
    short = [row["model"].replace("notebook", "nb").split(" (")[0] for row in r["rows"]]
    print(f"\n{'OA per feature':<20}" + "".join(f"{m:>13}" for m in short))
    for k, first in enumerate(r["rows"][0]["features"]):
        oa = (row["features"][k]["overlap"] for row in r["rows"])
        print(f"{FEATURE_LABELS[first['feature']]:<20}" + "".join(f"{v:>13.3f}" for v in oa))
    print(f"\n{'mean value':<20}{'test':>13}" + "".join(f"{m:>13}" for m in short))
    for k, first in enumerate(r["rows"][0]["features"]):
        if cell(first["reference_mean"], "") == "—":
            continue  # a histogram: no one number
        means = [first["reference_mean"]] + [row["features"][k]["set_mean"] for row in r["rows"]]
        print(f"{FEATURE_LABELS[first['feature']]:<20}" + "".join(f"{v:>13.2f}" for v in means))


def main(folders: list[Path], args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    # Corpus.split hashes the file paths: paths relative to the repository split alike in any
    # checkout (and from any directory).
    folders = [Path(os.path.abspath(f)) for f in folders]  # symbolic links kept as they are
    folders = [f.relative_to(ROOT) if f.is_relative_to(ROOT) else f for f in folders]
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            name = folder.name.replace("_", " ")
            results.append(run_corpus(name, folder, args, Path(tmp)))
            if not args.json:
                print_tables(results[-1])
    return results


def jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    return value


def cli() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("dirs", nargs="*", type=Path, help="MIDI folders (default: chorales, quartets)")
    ap.add_argument("--minutes", type=float, default=3.0, help="training budget per model")
    ap.add_argument("--pieces", type=int, default=40, help="compositions per model")
    ap.add_argument("--events", type=int, default=256, help="longest piece, in events")
    ap.add_argument(
        "--families",
        nargs="+",
        default=["wavenet", "lstm"],
        choices=["wavenet", "lstm"],
    )
    ap.add_argument("--test-share", type=float, default=0.2, help="share of files held out")
    ap.add_argument("--seed", type=int, default=0)
    for flag in ("--temperature", "--rhythm-temperature", "--top-p", "--repetition-penalty"):
        ap.add_argument(flag, type=float, help="our families' sampling (default: the app's)")
    ap.add_argument(
        "--train", action="append", metavar="FIELD=VALUE", help="a TrainSettings field for ours"
    )
    ap.add_argument("--transpose", type=int, default=0, help="augment: transpose ± semitones")
    ap.add_argument(
        "--untuned",
        action="store_true",
        help="our families sample at the app's default temperatures, not their model's tuning",
    )
    ap.add_argument("--ours-only", action="store_true", help="leave out the notebooks and random")
    ap.add_argument(
        "--bundles", help="keep our trained models here, and reuse them when present (sweeps)"
    )
    ap.add_argument("--json", action="store_true", help="print every figure as JSON")
    ap.add_argument("--write-midi", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write_midi:
        write_midi(args.write_midi[0], Path(args.write_midi[1]))
        return 0
    folders = args.dirs or [ROOT / "resources" / "sample_corpus", quartets_folder()]
    results = main(folders, args)
    if args.json:
        print(json.dumps(jsonable(results), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(cli())
