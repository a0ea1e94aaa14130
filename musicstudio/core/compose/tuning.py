"""Sampling tuned to the corpus: the temperatures at which a model's pieces sound most like it.

How cool to sample is not one number for every model: a model of chorales sounds most like
chorales cooler than a model of string quartets does, whose note lengths and chords collapse to
the most common ones when sampled too cool (benchmarks/README.md, "Sampling tuned per model").
So as the last stage of the train job (app/catalog.py), the model composes a few pieces at each pair of a small grid of pitch and
rhythm temperatures, every pair from the same seeds, and the pair whose pieces are closest to
the corpus (closeness.py: the mean over the features and the weakest feature, half each) is
kept in the bundle and used unless the user sets a temperature. When the best pair sits on an
end of the grid, one pair a step further out is tried too. The pieces are composed as Compose
makes them, whole and with form: their returns add no new notes, so a temperature chosen on
straight-on excerpts made pieces with form narrower than the files. The corpus is the training
folder, validation and training files both: against the few validation files alone the choice
was mostly noise (benchmarks/README.md, "Sampling tuned per model").

Then the pitch head's nucleus. Top-p 0.9 cuts the tail of every head, and with it the notes
outside the scale: a model of madrigals, whose files keep 94 % of their notes in their scale,
composed pieces with 99.7 % in it and too few distinct pitches (a fiddle tune's 100 % is met at
any nucleus). So at the chosen temperatures the pieces are composed again with wider pitch
nuclei (PITCH_TOP_PS), and the narrowest whose pieces leave their scale about as often as the
files (within IN_SCALE_SLACK; else the closest) is kept. The criterion is the share in the
scale alone: the closeness above preferred 0.9 on most folders, madrigals included, whose
held-out files prefer a wider nucleus (benchmarks/README.md, "Your own small folder").
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.cancel import Cancelled, CancelToken
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.learn.bundle_info import TOP_P, Tuning
from musicstudio.core.music.closeness import Reference, closeness
from musicstudio.core.music.metrics import Tokens
from musicstudio.core.music.vocab import STREAMS

STEP = STREAMS.index("step")

#: The grid tried (pitch temperature × rhythm temperature), pieces per pair and their length.
TEMPERATURES = (0.55, 0.65, 0.75, 0.85)
RHYTHM_TEMPERATURES = (0.75, 0.9, 1.0)
PIECES = 40
EVENTS = 256
#: Pieces are composed as Compose makes them, with form, in this many batches (each batch
#: follows one form plan: several give several forms).
BATCHES = 8
#: How far past an end of the grid the tuning looks when the best pair sits on it.
EDGE_STEP = 0.15
#: The pitch head's nuclei tried, narrowest first (wider than 0.98 takes in the mass label
#: smoothing spreads over every choice: training.py, 0.1).
PITCH_TOP_PS = (TOP_P, 0.95, 0.98)
#: A nucleus whose pieces' median share of notes in their scale is this close to the files'
#: is close enough: the narrowest such is kept.
IN_SCALE_SLACK = 0.01


def tune_sampling(
    bundle: Any,
    corpus: Sequence[Tokens],
    cancel: CancelToken | None = None,
    report: Callable[[int, int], None] = lambda done, total: None,
) -> Tuning | None:
    """The grid pair whose pieces are closest to the corpus's token streams (None when they
    give too few excerpts to tell)."""
    from musicstudio.core.compose.composer import Composer, ComposeSettings

    t0 = time.perf_counter()
    cancel = cancel or CancelToken()
    reference = Reference.from_tokens(corpus, bundle.vocab, bundle.time_signature)
    if len(reference.windows) < 2:
        return None
    composer = Composer(bundle)
    bars = bars_for(reference.length_for(EVENTS), reference, bundle)
    tried: list[dict[str, float]] = []
    grid = list(itertools.product(TEMPERATURES, RHYTHM_TEMPERATURES))

    def measure(temperature: float, rhythm: float, total: int, nucleus: float = TOP_P) -> bool:
        """Compose at one pair and note how close it came (False: too few excerpts)."""
        report(len(tried), total)
        cancel.raise_if_cancelled()
        pieces = []
        for seed in range(BATCHES):  # the same seeds, so the same plans, for every pair
            sampling = SamplingSettings(
                temperature=temperature, rhythm_temperature=rhythm, seed=seed, pitch_top_p=nucleus
            )
            settings = ComposeSettings(bars=bars, variations=PIECES // BATCHES, sampling=sampling)
            pieces += composer.compose(settings, cancel=cancel)
        near = closeness([p.tokens for p in pieces], reference)
        if near is None:
            return False
        tried.append(
            {
                "temperature": temperature,
                "rhythm_temperature": rhythm,
                "closeness": round(near.mean_overlap, 4),
                "weakest": round(near.weakest.overlap, 4),
                "pitch_top_p": nucleus,
                "in_scale": in_scale([p.notes for p in pieces]),
            }
        )
        return True

    if not all(measure(t, r, len(grid)) for t, r in grid):
        return None
    best = max(tried, key=score)
    # The best pair on the grid's edge: one step further out in that direction (the grid's
    # optimum may lie beyond it); the better of the two is kept.
    beyond = (
        _beyond(best["temperature"], TEMPERATURES),
        _beyond(best["rhythm_temperature"], RHYTHM_TEMPERATURES),
    )
    further = [
        (t, r)
        for t, r in [(beyond[0], best["rhythm_temperature"]), (best["temperature"], beyond[1])]
        if t is not None and r is not None
    ]
    total = len(grid) + len(further) + len(PITCH_TOP_PS) - 1
    for temperature, rhythm in further:
        if not measure(temperature, rhythm, total):
            return None
    best = max(tried, key=score)
    files = _files_in_scale(bundle)
    if files is not None:
        for nucleus in PITCH_TOP_PS[1:]:
            if not measure(best["temperature"], best["rhythm_temperature"], total, nucleus):
                return None
        at_best = [
            t
            for t in tried
            if (t["temperature"], t["rhythm_temperature"])
            == (best["temperature"], best["rhythm_temperature"])
        ]
        best = pitch_nucleus(at_best, files)
    return Tuning(
        best["temperature"],
        best["rhythm_temperature"],
        best["closeness"],
        tried,
        time.perf_counter() - t0,
        best["pitch_top_p"],
    )


def pitch_nucleus(rows: Sequence[dict[str, float]], files: float) -> dict[str, float]:
    """Of the rows of one temperature pair at each pitch nucleus, the narrowest whose pieces'
    share in their scale is within IN_SCALE_SLACK of the files', else the closest."""
    rows = sorted(rows, key=lambda r: r["pitch_top_p"])
    near = [r for r in rows if abs(r["in_scale"] - files) <= IN_SCALE_SLACK]
    return near[0] if near else min(rows, key=lambda r: abs(r["in_scale"] - files))


def in_scale(pieces: Sequence[Any]) -> float:
    """The median share of the pieces' notes in the scale each keeps to most (tonality.py)."""
    from musicstudio.core.music.theory import pitch_class_histogram
    from musicstudio.core.music.tonality import scale_share

    shares = [scale_share(pitch_class_histogram(p)) for p in pieces if len(p)]
    return round(float(np.median(shares)), 4) if shares else 1.0


def _files_in_scale(bundle: Any) -> float | None:
    """The median share of the training files' notes in their scale (the model's form
    profile), or None for a model without one."""
    form = getattr(bundle, "form", None)
    if form is None or not form.in_scale:
        return None
    return float(np.median(form.in_scale))


def tune_bundle(
    path: Path,
    corpus: Sequence[Tokens],
    cancel: CancelToken | None = None,
    report: Callable[[int, int], None] = lambda done, total: None,
) -> Tuning | None:
    """The train job's last stage: tune the sampling of the model file at `path` to its
    training folder and write it back (None, file untouched: too few excerpts, or cancelled)."""
    from musicstudio.core.learn.bundle import load_bundle

    bundle = load_bundle(path)
    try:
        tuning = tune_sampling(bundle, corpus, cancel, report)
    except Cancelled:
        return None
    if tuning is not None:
        bundle.sampling = tuning
        bundle.save(path)
    return tuning


def _beyond(value: float, grid: Sequence[float]) -> float | None:
    """One grid step past `value` when it is at an end of the grid (None: inside it)."""
    if value == grid[-1]:
        return round(value + EDGE_STEP, 2)
    if value == grid[0]:
        return round(max(0.05, value - EDGE_STEP), 2)
    return None


def bars_for(events: int, reference: Reference, bundle: Any) -> int | None:
    """Bars that hold about `events` events of the corpus, the whole piece at most (None: the
    form's own length, the corpus's median piece)."""
    from musicstudio.core.music.form import bar_steps

    steps = [int(w[:events, STEP].sum()) for w in reference.windows if len(w) >= events]
    if not steps:
        return None
    bars = int(np.ceil(np.median(steps) / bar_steps(bundle.time_signature)))
    whole = bundle.form.median_bars if bundle.form is not None else None
    return max(1, bars if whole is None else min(bars, whole))


def score(tried: dict[str, float]) -> float:
    """What the tuning maximises: the mean closeness and the weakest feature's, half each."""
    return (tried["closeness"] + tried["weakest"]) / 2
