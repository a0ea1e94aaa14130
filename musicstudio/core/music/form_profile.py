"""A corpus's form profile: how long its pieces are, how their sections return, who repeats.

Made from the form of every file (form.py) when a model is trained, kept in the bundle, and
drawn from when composing: a composition takes the form of one of the corpus's pieces (its
letters, not its notes), so it repeats itself as the user's files do; and that piece's line-up
(the voices that play in it), so it has as many instruments as the user's pieces, not every
voice any of them used; and its meter, so a jig's form makes a piece in 6/8. It also keeps how
much of each file lies in one scale: where most files keep to one, so do the pieces (the Key
'like your files', constraints.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from musicstudio.core.music.constants import GRID
from musicstudio.core.music.events import EventStream, decode
from musicstudio.core.music.form import (
    FORM_BARS,
    MAX_BARS,
    PRIME,
    FormFeatures,
    analyse,
    bar_count,
    bar_steps,
    features_of_matrix,
    phrase_bars,
    repeat_map,
    sections_of,
    similarity_matrix,
    valid_code,
    voice_repeats,
)
from musicstudio.core.music.metric import MIN_METER_FILES, MeterClasses
from musicstudio.core.music.metrics import polyphony
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import PARTS
from musicstudio.core.music.theory import pitch_class_histogram
from musicstudio.core.music.tonality import scale_share
from musicstudio.core.music.voices import VOICES

#: Forms kept in a profile (a bundle stays small; more say nothing new).
MAX_FORMS = 256
#: Bars of each file's repeat map kept (a longer plan repeats from the start).
MAX_PLAN_BARS = 256
#: A corpus keeps to one scale when half of its files have this share of their notes in one
#: diatonic scale or more (benchmarks/README.md, "Form": fiddle tunes 1.00, the band corpus
#: 0.97, chorales 0.95).
KEEPS_SCALE = 0.99


@dataclass(frozen=True)
class FormProfile:
    """The forms of a corpus's files and the figures that describe them."""

    forms: tuple[str, ...]  # one form string per file ("A A B A′")
    phrase_bars: tuple[int, ...]  # bars per section of each file
    bars: tuple[int, ...]  # bars of each file
    seconds: tuple[float, ...]  # length of each file at its own tempo
    near_repeat: float  # mean over files (first 32 bars)
    exact_repeat: float
    lag_similarity: float
    voices: dict[str, float]  # part name -> mean near-repeat share of that voice alone
    #: Each file's repeat map (form.repeat_map), its first MAX_PLAN_BARS bars.
    repeats: tuple[tuple[int, ...], ...] = ()
    #: Each file's line-up: the voices that play in it (voices.VOICES names).
    lineups: tuple[tuple[str, ...], ...] = ()
    #: Each file's meter (time signature): a piece in its form is in its meter.
    meters: tuple[tuple[int, int], ...] = ()
    #: Each file's share of its notes in one diatonic scale (tonality.scale_share).
    in_scale: tuple[float, ...] = ()
    #: Each file's notes per onset (1.0: never two notes at once).
    polyphony: tuple[float, ...] = ()

    @property
    def one_line(self) -> bool:
        """Whether every file is one line: one voice, never two notes at once (folk songs), so
        a piece is one too (Composer.masks)."""
        return (
            bool(self.polyphony)
            and len(self.lineups) == len(self.polyphony)
            and all(len(v) == 1 for v in self.lineups)
            and max(self.polyphony) <= 1.0
        )

    @property
    def keeps_scale(self) -> bool:
        """Whether most files keep to one scale (fiddle tunes; not chromatic chorales): then a
        piece does too, unless the musician asks for another key (constraints.py, 'files')."""
        return bool(self.in_scale) and float(np.median(self.in_scale)) >= KEEPS_SCALE

    @property
    def median_bars(self) -> int:
        return int(np.median(self.bars)) if self.bars else 32

    def default_bars(self) -> np.ndarray:
        """Each file's default piece length in bars: the median length of the files in its
        meter (a waltz as long as the folder's waltzes, a 2/4 march as long as its marches); for
        a meter of fewer than MIN_METER_FILES files, the folder's median length in quarters, in
        bars of that meter. Without meters (an older profile): the median bars, every file."""
        bars = np.asarray(self.bars, np.float64)
        if len(self.meters) != len(bars) or not len(bars):
            return np.full(len(bars), float(self.median_bars))
        meters = np.asarray(self.meters, np.int64).reshape(-1, 2)
        bar_quarters = meters[:, 0] * 4.0 / meters[:, 1]
        folder = float(np.median(bars * bar_quarters))  # the median piece in quarters
        out = np.maximum(1.0, np.round(folder / bar_quarters))
        for meter in set(self.meters):
            mine = np.all(meters == meter, axis=1)
            if mine.sum() >= MIN_METER_FILES:
                out[mine] = np.floor(np.median(bars[mine]))
        return out

    @property
    def median_seconds(self) -> float:
        return float(np.median(self.seconds)) if self.seconds else 60.0

    @property
    def returning_share(self) -> float:
        """Share of sections (after the first of each file) that repeat an earlier one."""
        labels = [f.split() for f in self.forms]
        later = [lab for ls in labels for lab in ls[1:]]
        seen = [
            lab
            for ls in labels
            for k, lab in enumerate(ls[1:], 1)
            if _root(lab) in map(_root, ls[:k])
        ]
        return len(seen) / len(later) if later else 0.0

    def describe(self) -> str:
        """The profile in words (the Dataset panel, `scan`)."""
        if not self.forms:
            return "no form: no file is long enough"
        minutes, secs = divmod(int(round(self.median_seconds)), 60)
        common = max(set(self.phrase_bars), key=self.phrase_bars.count)
        words = (
            f"sections of {common} bars; {self.returning_share:.0%} of sections return;"
            f" {self.near_repeat:.0%} of bars nearly repeat an earlier bar"
            f" ({self.exact_repeat:.0%} exactly); median piece {self.median_bars} bars"
            f" ({minutes}:{secs:02d})"
        )
        if len(self.voices) > 1:
            ranked = sorted(self.voices.items(), key=lambda kv: -kv[1])
            top, low = ranked[0], ranked[-1]
            words += f"; {top[0]} repeats most ({top[1]:.0%}), {low[0]} least ({low[1]:.0%})"
        if self.keeps_scale:
            words += "; most files keep to one scale"
        return words

    def compare(self, piece: FormFeatures) -> str:
        """How a piece repeats itself next to these files, in words (the metrics line)."""
        mine, theirs = piece.near_repeat, self.near_repeat
        if mine == 0 and theirs > 0:
            return f"never repeats a bar; your files repeat {theirs:.0%}"
        figures = f"{mine:.0%} of its bars come back; in your files {theirs:.0%}"
        if abs(mine - theirs) <= 0.35 * max(theirs, 0.05):
            return f"repeats itself like your files ({figures})"
        return f"repeats itself {'more' if mine > theirs else 'less'} than your files ({figures})"

    def to_json(self) -> dict[str, Any]:
        return {
            "forms": list(self.forms),
            "phrase_bars": list(self.phrase_bars),
            "bars": list(self.bars),
            "seconds": list(self.seconds),
            "near_repeat": self.near_repeat,
            "exact_repeat": self.exact_repeat,
            "lag_similarity": self.lag_similarity,
            "voices": self.voices,
            "repeats": [list(r) for r in self.repeats],
            "lineups": [list(v) for v in self.lineups],
            "meters": [list(m) for m in self.meters],
            "in_scale": list(self.in_scale),
            "polyphony": list(self.polyphony),
        }

    @classmethod
    def from_json(cls, raw: Any) -> FormProfile | None:
        """A profile from a manifest, or None when it is missing or damaged (never raises)."""
        if not isinstance(raw, dict):
            return None
        try:
            forms = tuple(str(f) for f in raw["forms"])[:MAX_FORMS]
            phrase = tuple(int(b) for b in raw["phrase_bars"])[:MAX_FORMS]
            bars = tuple(int(b) for b in raw["bars"])[:MAX_FORMS]
            seconds = tuple(float(s) for s in raw["seconds"])[:MAX_FORMS]
            figures = [float(raw[k]) for k in ("near_repeat", "exact_repeat", "lag_similarity")]
            voices = {str(k): float(v) for k, v in dict(raw.get("voices", {})).items()}
            repeats = tuple(
                tuple(int(c) for c in r[:MAX_PLAN_BARS]) for r in raw.get("repeats", [])
            )[:MAX_FORMS]
            lineups = tuple(
                tuple(str(v) for v in voices if v in VOICES) for voices in raw.get("lineups", [])
            )[:MAX_FORMS]
            meters = tuple((int(m[0]), int(m[1])) for m in raw.get("meters", []) if len(m) == 2)[
                :MAX_FORMS
            ]
            in_scale = tuple(float(v) for v in raw.get("in_scale", []))[:MAX_FORMS]
            poly = tuple(float(v) for v in raw.get("polyphony", []))[:MAX_FORMS]
        except (KeyError, TypeError, ValueError):
            return None
        if len(in_scale) != len(forms) or not all(0.0 <= v <= 1.0 for v in in_scale):
            in_scale = ()  # older or damaged: no scale is kept
        if len(poly) != len(forms) or not all(1.0 <= v <= 128.0 for v in poly):
            poly = ()  # older or damaged: not known to be one line
        if len(meters) != len(forms) or not all(valid_meter(m) for m in meters):
            meters = ()  # older or damaged: the corpus's meter
        if repeats and (
            len(repeats) != len(forms)
            or not all(valid_code(c, i) for r in repeats for i, c in enumerate(r))
        ):
            repeats = ()  # a damaged map: plans fall back to the sections
        if len(lineups) != len(forms) or not all(lineups):
            lineups = ()  # older or damaged: every learned voice may play
        ok = len(forms) == len(phrase) == len(bars) == len(seconds)
        ok = ok and all(0 < b <= 64 for b in phrase) and all(0 < b <= 100_000 for b in bars)
        if not ok or not all(0.0 <= f <= 1.0 for f in figures):
            return None
        near, exact, lag = figures
        return cls(
            forms,
            phrase,
            bars,
            seconds,
            near,
            exact,
            lag,
            voices,
            repeats,
            lineups,
            meters,
            in_scale,
            poly,
        )


def valid_meter(meter: tuple[int, int]) -> bool:
    """A time signature a piece can be composed in: 1-32 beats of a whole to a 32nd."""
    return 1 <= meter[0] <= 32 and meter[1] in (1, 2, 4, 8, 16, 32)


def _root(label: str) -> str:
    return label.rstrip(PRIME)


def profile_of(pieces: Sequence[NoteArray]) -> FormProfile:
    """The form profile of a corpus's pieces (files with fewer than two bars are left out);
    at most MAX_FORMS files, spread over the corpus."""
    usable = [p for p in pieces if bar_count(p) >= 2]
    step = -(-len(usable) // MAX_FORMS) if usable else 1
    sample = usable[::step][:MAX_FORMS]
    forms, features, repeats = [], [], []
    per_voice: dict[str, list[float]] = {}
    for notes in sample:
        sim = similarity_matrix(notes, min(bar_count(notes), MAX_BARS))
        forms.append(sections_of(sim, phrase_bars(notes.time_signature)))
        features.append(features_of_matrix(sim[:FORM_BARS, :FORM_BARS]))
        repeats.append(tuple(repeat_map(sim[:MAX_PLAN_BARS, :MAX_PLAN_BARS])))
        for part, share in voice_repeats(notes).items():
            per_voice.setdefault(PARTS[part], []).append(share)

    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else 0.0

    return FormProfile(
        forms=tuple(str(f) for f in forms),
        phrase_bars=tuple(phrase_bars(p.time_signature) for p in sample),
        bars=tuple(f.bars for f in forms),
        seconds=tuple(
            round(f.bars * bar_steps(p.time_signature) / GRID * 60 / p.tempo_qpm, 2)
            for f, p in zip(forms, sample, strict=True)
        ),
        near_repeat=mean([f.near_repeat for f in features]),
        exact_repeat=mean([f.exact_repeat for f in features]),
        lag_similarity=mean([f.lag_similarity for f in features]),
        voices={k: mean(v) for k, v in per_voice.items()},
        repeats=tuple(repeats),
        lineups=tuple(lineup_of(p) for p in sample),
        meters=tuple(
            (int(p.time_signature[0]), int(p.time_signature[1]))
            if valid_meter(p.time_signature)
            else (4, 4)
            for p in sample
        ),
        in_scale=tuple(round(scale_share(pitch_class_histogram(p)), 4) for p in sample),
        polyphony=tuple(round(max(1.0, polyphony(p)), 4) for p in sample),  # empty: 1.0
    )


def lineup_of(notes: NoteArray) -> tuple[str, ...]:
    """The voices that play in a piece, in slot order (VOICES names)."""
    if notes.voice is None or not len(notes):
        return ()
    return tuple(VOICES[v] for v in np.unique(notes.voice).tolist())


def profile_of_streams(streams: Sequence[EventStream]) -> FormProfile:
    """The form profile of a scanned corpus's event streams (at 120 BPM: streams keep no tempo)."""
    return profile_of([decode(s) for s in streams])


@dataclass(frozen=True)
class CorpusForm:
    """The form of every file of a scanned corpus, and the corpus's profile."""

    forms: dict[str, str]  # path of each usable file -> its form string
    profile: FormProfile

    def to_json(self) -> dict[str, Any]:
        """For `scan --json`: the profile's figures and words, and every file's form."""
        figures = self.profile.to_json()
        figures.pop("repeats")
        return {"profile": figures, "words": self.profile.describe(), "files": self.forms}


def corpus_form(paths: Sequence[str], streams: Sequence[EventStream]) -> CorpusForm:
    """Every file's form string and the profile (the Dataset panel and `scan` show both)."""
    pieces = [decode(s) for s in streams]
    return CorpusForm(
        {path: str(analyse(notes)) for path, notes in zip(paths, pieces, strict=True)},
        profile_of(pieces),
    )


def meters_of(form: FormProfile | None) -> MeterClasses | None:
    """The meter classes of a model's folder (metric.py); None, every meter its own, for a
    profile that does not keep its files' meters."""
    return MeterClasses.of_folder(form.meters) if form is not None and form.meters else None
