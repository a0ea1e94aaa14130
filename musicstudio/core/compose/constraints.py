"""What the musician allows: a key, a pitch range, chord sizes, the parts that play.

Constraints become masks on the model's logits (generator.Masks), so a forbidden choice has
probability 0 and every composed note obeys them. Key and range apply to the pitched parts;
the drums keep their kit. A constraint that leaves nothing to play is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.settings import setting, validate
from musicstudio.core.compose.generator import Masks
from musicstudio.core.compose.sampling import MASKED
from musicstudio.core.music.events import EventStream, popcount
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.parts import DRUMS, PARTS
from musicstudio.core.music.theory import (
    KEY_NAMES,
    NotationError,
    key_name,
    note_number,
    parse_key,
    pitch_class_histogram,
    pitch_name,
    scale_of,
)
from musicstudio.core.music.tonality import estimate_key, scale_key
from musicstudio.core.music.vocab import REST, START, Vocabulary, pitches_of
from musicstudio.core.music.voices import N_VOICES, VOICE_PART, VOICES

#: Keys found by listening: 'files' (the primer's scale, when the files keep to one scale),
#: the corpus the model learned (its stored passages), or the primer.
FOUND_KEYS = ("files", "corpus", "primer")


class ConstraintError(MusicStudioError, ValueError):
    """Constraints that cannot be met (or read), with what to change."""


def _histogram(music: Iterable[EventStream | NoteArray]) -> np.ndarray:
    return np.sum([pitch_class_histogram(s) for s in music] or [np.zeros(12)], axis=0)


def found_key(streams: Iterable[EventStream | NoteArray]) -> tuple[int, str]:
    """The key of some music (Krumhansl-Schmuckler over their pitch classes)."""
    return estimate_key(_histogram(streams))


@dataclass(frozen=True)
class Constraints:
    """Rules every composed note follows (the Compose panel shows these names)."""

    key: str | None = setting(
        "files",
        "Key",
        "Only notes of this key's scale (natural minor for minor keys): a key; 'files' (like"
        " your files: the scale of the primer when most of your files keep to one scale, any"
        " note when they do not); 'corpus' (the key of the music the model learned); 'primer'"
        " (the key of the primer); or 'any'",
        choices=(*FOUND_KEYS, *KEY_NAMES),
        optional=True,
        off="any",
    )
    lowest: str | None = setting(
        None, "Lowest note", "No pitched note below this (e.g. C3)", optional=True, off="any"
    )
    highest: str | None = setting(
        None, "Highest note", "No pitched note above this (e.g. C6)", optional=True, off="any"
    )
    max_chord: int | None = setting(
        None,
        "Notes per chord",
        "At most this many notes of one part start together",
        low=1,
        high=12,
        optional=True,
        off="any",
    )
    parts: tuple[str, ...] | None = None  # the parts that may play; None: every learned part
    # Not a mask: checked on the finished piece (compose/avoid_copies.py), so not `active`.
    novelty_guard: bool = setting(
        True,
        "Avoid copies",
        "Compose again any two bars or more of one part that repeat a training file, or one"
        " bar of a running line (transposed or not), so a piece sounds like your music"
        " without copying it",
    )

    def __post_init__(self) -> None:
        try:  # a name that is not a note or a key is a constraint that cannot be read
            if self.key is not None and self.key.strip().lower() == "any":
                object.__setattr__(self, "key", None)
            if self.key is not None and self.key not in FOUND_KEYS:
                object.__setattr__(self, "key", key_name(*parse_key(self.key)))
            validate(self)
            low, high = self.range()
        except NotationError as e:
            raise ConstraintError(str(e)) from None
        if low > high:
            raise ConstraintError(
                f"the lowest note {self.lowest} is above the highest note {self.highest}"
            )
        for p in self.parts or ():
            if p not in PARTS:
                raise ConstraintError(f"unknown part {p!r} (parts: {', '.join(PARTS)})")

    @property
    def active(self) -> bool:
        """Whether anything is asked of the notes ('files' only locks a key where the model's
        files keep to one scale, which only the composer knows)."""
        key = None if self.key == "files" else self.key
        return any(v is not None for v in (key, self.lowest, self.highest, self.max_chord)) or (
            self.parts is not None
        )

    def range(self) -> tuple[int, int]:
        low = note_number(self.lowest) if self.lowest is not None else 0
        high = note_number(self.highest) if self.highest is not None else 127
        return low, high

    def describe(self, key: tuple[int, str] | None = None) -> str:
        """In words, e.g. 'D minor, C3–C6, at most 3 notes per chord, parts: keys, bass'."""
        words = []
        if key is not None:
            words.append(key_name(*key))
        if self.lowest is not None or self.highest is not None:
            low, high = self.range()
            words.append(f"{pitch_name(low)}–{pitch_name(high)}")
        if self.max_chord is not None:
            words.append(f"at most {self.max_chord} notes per chord")
        if self.parts is not None:
            words.append("parts: " + ", ".join(self.parts))
        return ", ".join(words) or "no constraints"


def masks_for(
    constraints: Constraints,
    vocab: Vocabulary,
    learned_parts: Iterable[str],
    key: tuple[int, str] | None = None,
    learned_voices: Iterable[str] = (),
    lineup: Iterable[str] = (),
) -> Masks:
    """Logit masks that make every sampled event obey the constraints.

    `key` is the resolved key ('corpus' and 'primer' are found by the caller, who has the
    music). `learned_voices`: the voices the model learned (none: every voice of a learned
    part may play). `lineup`: the voices of one of the user's files; only those play, unless
    none of them may (then it is ignored). Raises ConstraintError when the constraints leave
    nothing to play.
    """
    masks = Masks.open(len(vocab))
    allowed = _pitched_tokens(constraints, vocab, key)
    sounding = allowed.copy()
    sounding[REST] = False
    for voice in range(N_VOICES):
        if VOICE_PART[voice] != DRUMS:
            masks.pitch[voice, ~allowed] = MASKED
    learned = [p for p in learned_parts if p in PARTS]
    # Only what the model learned plays (label smoothing gives other parts some mass); a
    # model that does not say what it learned is left to choose.
    playing = list(constraints.parts) if constraints.parts is not None else learned or list(PARTS)
    silent = [p for p in playing if p not in learned]
    if constraints.parts is not None and silent:
        raise ConstraintError(
            f"this model never learned the {', '.join(silent)} part"
            f" (it plays {', '.join(learned) or 'nothing'})"
        )
    if not playing:
        raise ConstraintError("no part may play: choose at least one part")
    heard = [VOICES.index(v) for v in learned_voices if v in VOICES]
    for voice in range(N_VOICES):
        part = int(VOICE_PART[voice])
        if PARTS[part] not in playing:  # a part the model never learned never plays either
            masks.voice[voice] = MASKED
        elif heard and voice not in heard and any(VOICE_PART[v] == part for v in heard):
            masks.voice[voice] = MASKED  # nor does a voice of it that no file played
    chosen = [VOICES.index(v) for v in lineup if v in VOICES]
    outside = np.ones(N_VOICES, bool)
    outside[chosen] = False
    if chosen and (masks.voice[~outside] == 0).any():
        masks.voice[outside] = MASKED
    if not sounding.any() and any(p != PARTS[DRUMS] for p in playing):
        raise ConstraintError(
            f"no note or chord this model knows fits {constraints.describe(key)}:"
            " widen the range, allow bigger chords or choose another key"
        )
    masks.max_chord = constraints.max_chord
    masks.chord_size = (popcount(vocab.table_lo) + popcount(vocab.table_hi)).astype(np.int64)
    return masks


def _pitched_tokens(
    constraints: Constraints, vocab: Vocabulary, key: tuple[int, str] | None
) -> np.ndarray:
    """Which pitch tokens a pitched part may play (the rest token always)."""
    ok = np.ones(len(vocab), bool)
    ok[START] = False
    low, high = constraints.range()
    if constraints.key not in (None, "files") and key is None:
        raise ConstraintError(f"the key {constraints.key!r} was not found")
    if key is None and constraints.max_chord is None and (low, high) == (0, 127):
        return ok  # nothing asked of the pitches: no pass over the vocabulary
    scale = set(scale_of(*key)) if key is not None else set(range(12))
    for token in range(2, len(vocab)):
        pitches = pitches_of(int(vocab.table_lo[token]), int(vocab.table_hi[token]))
        ok[token] = all(low <= p <= high and p % 12 in scale for p in pitches) and (
            constraints.max_chord is None or len(pitches) <= constraints.max_chord
        )
    ok[REST] = True
    return ok


def resolve_key(
    constraints: Constraints,
    corpus: list[EventStream],
    primer: Sequence[EventStream | NoteArray],
    keeps_scale: bool = False,
) -> tuple[int, str] | None:
    """The key the constraints ask for: named, or found in the corpus or the primer. 'files':
    where the files keep to one scale (`keeps_scale`), the scale the primer keeps to (else the
    corpus's passages'; modes keep theirs: tonality.scale_key); None where they do not, or
    where there is no pitched music to hear it in."""
    if constraints.key is None:
        return None
    if constraints.key == "files":
        for music in (primer, corpus) if keeps_scale else ():
            histogram = _histogram(music)
            if histogram.sum() > 0:  # pitched notes to hear a scale in
                return scale_key(histogram)
        return None
    if constraints.key == "corpus":
        if not corpus:
            raise ConstraintError("this model keeps no passages of its corpus to find the key in")
        return found_key(corpus)
    if constraints.key == "primer":
        if not primer or not any(len(s) for s in primer):
            raise ConstraintError("there is no primer to find the key in (choose a key)")
        return found_key(primer)
    return parse_key(constraints.key)
