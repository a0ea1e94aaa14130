"""Form plans: the sections a composition is made of, drawn from the corpus or given by the user.

A plan is a list of sections with their bars, and for every bar what it repeats (a repeat map,
form.repeat_map's codes: NEW, an exact repeat of an earlier bar, or a varied one).

- Typed by the user ("A A B A′"): a section whose label comes for the first time is new music;
  one whose label came before returns as its first occurrence, bar for bar, exactly, or varied
  (A′: its first half the same, the rest composed again to lead on). A section may carry its
  own key ("A A B(E minor) A(D)"): its new bars keep to that key's scale, and a return in
  another key than its first occurrence is that occurrence transposed (section_keys.py).
- From a corpus's profile: the sections and the repeat map of one of its files of about the
  wanted length, cut or extended (repeating from the start) to exactly that length. So the
  riffs inside a phrase come back as the file's did, not only its sections: its letters, never
  its notes. The plan plays that file's line-up too (its voices), so a piece has as many
  instruments as the files, not every voice any file used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.music.form import EXACT, NEW, PRIME, repeat_code
from musicstudio.core.music.form_profile import FormProfile
from musicstudio.core.music.theory import NotationError, key_name, parse_key

#: Without a profile (an older model): A A B A of 4-bar sections, repeated to the length.
FALLBACK_FORM = "A A B A"
FALLBACK_PHRASE = 4
MAX_SECTIONS = 256
_LABEL = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(['′]?)(?:\(([^()]*)\))?$")
#: A word of a form: a label with its key in brackets, which may hold spaces ("B(E minor)").
_WORD = re.compile(r"[^\s,(]*\([^)]*\)?|[^\s,]+")


class FormError(MusicStudioError, ValueError):
    """A form the user typed that cannot be composed, with the reason."""


@dataclass(frozen=True)
class PlannedSection:
    """One section to compose: its label, its bars, and whether it returns (and how)."""

    label: str
    bars: int
    source: int | None = None  # index of the section it returns as (its first occurrence)
    varied: bool = False  # a varied return (A′): the first bars again, the rest new
    key: str | None = None  # its own key ("E minor"); None: the piece's

    @property
    def name(self) -> str:
        """How the piece's markers name it: "A", "B′", "A (D major)"."""
        name = self.label + (PRIME if self.varied else "")
        return f"{name} ({self.key})" if self.key else name

    @property
    def written(self) -> str:
        """As the form is written: "A", "B′", "A(D major)" (it parses back)."""
        name = self.label + (PRIME if self.varied else "")
        return f"{name}({self.key})" if self.key else name


@dataclass(frozen=True)
class FormPlan:
    """The sections of a composition, in order, and what each of its bars repeats."""

    sections: tuple[PlannedSection, ...]
    repeats: tuple[int, ...] = ()  # one code per bar (form.repeat_map); () : from the sections
    lineup: tuple[str, ...] = ()  # the voices that play (VOICES names); () : every learned voice
    time_signature: tuple[int, int] | None = None  # its file's meter; None: the corpus's

    def __post_init__(self) -> None:
        if not self.repeats:
            object.__setattr__(self, "repeats", tuple(_section_repeats(self.sections)))
        if len(self.repeats) != self.bars:
            raise FormError(f"a plan of {self.bars} bars with {len(self.repeats)} bar repeats")

    @property
    def bars(self) -> int:
        return sum(s.bars for s in self.sections)

    def __str__(self) -> str:
        return " ".join(s.written for s in self.sections)

    def starts(self) -> list[int]:
        """The first bar (0-based) of every section."""
        return [int(x) for x in np.cumsum([0] + [s.bars for s in self.sections])[:-1]]


def _section_repeats(sections: tuple[PlannedSection, ...]) -> list[int]:
    """The repeat map of typed sections: a return repeats its first occurrence bar for bar
    (a variant only its first half); new sections are new bars."""
    starts = np.cumsum([0] + [s.bars for s in sections])
    codes: list[int] = []
    for section in sections:
        copied = 0
        if section.source is not None:
            copied = min(section.bars, sections[section.source].bars)
            copied = copied // 2 if section.varied else copied
        first = int(starts[section.source]) if section.source is not None else 0
        codes += [repeat_code(first + t, EXACT) for t in range(copied)]
        codes += [NEW] * (section.bars - copied)
    return codes


#: A section as typed: its label, whether it is a variant (A′), its own key (None: the piece's).
Label = tuple[str, bool, str | None]


def parse_labels(text: str) -> list[Label]:
    """ "A A B(E minor) A′" -> [(label, varied, key)]; raises FormError with the offending word."""
    words = _WORD.findall(text)
    if not words:
        raise FormError('a form needs at least one section, e.g. "A A B A"')
    if len(words) > MAX_SECTIONS:
        raise FormError(f"a form has at most {MAX_SECTIONS} sections, not {len(words)}")
    out = []
    for w in words:
        m = _LABEL.match(w)
        if not m:
            raise FormError(
                f"{w!r} is not a section label (use letters or words, A′ or A' for a variant,"
                " B(E minor) for a section in its own key)"
            )
        word = m.group(1)
        label = word.upper() if len(word) == 1 else word.capitalize()
        out.append((label, bool(m.group(2)), _key_of(w, m.group(3))))
    return out


def _key_of(word: str, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return key_name(*parse_key(text))
    except NotationError:
        raise FormError(
            f"{word!r}: {text.strip()!r} is not a key (write e.g. B(E minor) or A(Eb))"
        ) from None


def plan_of(labels: list[Label], bars: list[int]) -> FormPlan:
    """Sections with these labels and bars; a label seen before returns as its first occurrence."""
    first: dict[str, int] = {}
    sections = []
    for i, ((label, varied, key), n) in enumerate(zip(labels, bars, strict=True)):
        source = first.get(label)
        if source is None:
            first[label] = i
        sections.append(PlannedSection(label, n, source, varied and source is not None, key))
    return FormPlan(tuple(sections))


def user_plan(text: str, total_bars: int | None, section_bars: int = FALLBACK_PHRASE) -> FormPlan:
    """The user's form: `total_bars` shared out over the sections, else `section_bars` each."""
    labels = parse_labels(text)
    if total_bars is None:
        return plan_of(labels, [section_bars] * len(labels))
    if total_bars < len(labels):
        raise FormError(f"{total_bars} bars cannot hold {len(labels)} sections")
    each, extra = divmod(total_bars, len(labels))
    return plan_of(labels, [each + (1 if i < extra else 0) for i in range(len(labels))])


def corpus_plan(
    profile: FormProfile | None,
    total_bars: int | None,
    rng: np.random.Generator,
    quarters: float | None = None,
) -> FormPlan:
    """A plan drawn from the corpus: one file's form, of about `total_bars` (or bars of its
    meter filling `quarters`; default: the median length of the corpus's files in that meter,
    FormProfile.default_bars), fitted to exactly that many bars, in that file's meter. Each
    meter comes as often as the corpus's files are in it: drawing among the files of about one
    length in bars favoured the meters whose files are about that many bars long."""
    if profile is None or not profile.forms:
        want = total_bars or (int(round(quarters / 4)) if quarters else 32)
        reps = -(-want // (FALLBACK_PHRASE * 4))
        labels = parse_labels(" ".join([FALLBACK_FORM] * reps))
        return _fit(labels, [FALLBACK_PHRASE] * len(labels), max(1, want))
    meters = profile.meters or ((4, 4),) * len(profile.forms)
    if total_bars:
        wants = np.full(len(profile.forms), float(total_bars))
    elif total_bars is None and quarters is not None:
        wants = np.maximum(1.0, np.round([quarters / (n * 4 / d) for n, d in meters]))
    else:
        wants = profile.default_bars()
    bars = np.asarray(profile.bars, np.float64)
    # The meter first, as often as the files are in it (that of a file drawn at random), then a
    # file of that meter. A file at least as long, cut to the length, keeps its repeats as they
    # were; a shorter one extended from its start would repeat more than any file does.
    drawn = meters[int(rng.integers(len(meters)))]
    mine = np.array([m == drawn for m in meters])
    near = np.flatnonzero(mine & (bars >= wants) & (bars <= 1.25 * wants))
    if not near.size:
        near = np.flatnonzero(mine & (np.abs(bars - wants) <= 0.25 * wants))
    if near.size:
        pick = int(rng.choice(near))
    else:
        pick = int(np.flatnonzero(mine)[np.abs(bars - wants)[mine].argmin()])
    want = int(wants[pick])
    labels = parse_labels(profile.forms[pick])
    phrase = profile.phrase_bars[pick]
    sections = _fit(labels, [phrase] * len(labels), want).sections
    lineup = profile.lineups[pick] if profile.lineups else ()
    meter = profile.meters[pick] if profile.meters else None
    if not profile.repeats:
        return FormPlan(sections, lineup=lineup, time_signature=meter)
    codes = list(profile.repeats[pick][:want])
    length = len(codes)
    codes += [repeat_code(t % length, EXACT) for t in range(want - length)]  # again from the start
    return FormPlan(sections, tuple(codes), lineup, meter)


def lineup_for(
    plan: FormPlan | None, profile: FormProfile | None, rng: np.random.Generator
) -> tuple[str, ...]:
    """The voices that play: the plan's file's, else one file's drawn from the profile;
    () lets every learned voice play (a profile from before line-ups)."""
    if plan is not None and plan.lineup:
        return plan.lineup
    if profile is None or not profile.lineups:
        return ()
    return profile.lineups[int(rng.integers(len(profile.lineups)))]


def _fit(labels: list[Label], bars: list[int], want: int) -> FormPlan:
    """Cut or extend (repeating the form from its start: returns) to exactly `want` bars."""
    out_labels: list[Label] = []
    out_bars: list[int] = []
    i = 0
    while sum(out_bars) < want:
        out_labels.append(labels[i % len(labels)])
        out_bars.append(bars[i % len(bars)])
        i += 1
    out_bars[-1] -= sum(out_bars) - want
    return plan_of(out_labels, out_bars)
