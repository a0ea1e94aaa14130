"""Sections in their own keys: "A A B(E minor) A(D)".

A section that carries a key keeps its new bars to that key's scale (the key lock's masks, for
that section only). A bar that repeats an earlier bar in another key is the earlier bar
transposed: every pitched event moves by the interval between the two keys' tonics (the
smaller way round: up to a fifth up or a fourth down), the drums stay. Where the vocabulary
has no token for a transposed chord, its top note is played (an octave away if need be), and
where it has none of those either, the event becomes a rest of the same length, so the
rhythm of the return is always the first occurrence's.

A section without a key is in the piece's key: the key lock's, else the key heard in the
music composed before the first bar that needs it (each variation its own).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from musicstudio.core.compose.form_plan import FormPlan
from musicstudio.core.compose.generator import Masks
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.theory import parse_key
from musicstudio.core.music.vocab import REST, START, STREAMS, Vocabulary, pitches_of
from musicstudio.core.music.voices import VOICE_PART

VOICE = STREAMS.index("voice")
Key = tuple[int, str]


def interval(source: Key, target: Key) -> int:
    """Semitones from one key's tonic to another's, in -5..6."""
    return (target[0] - source[0] + 5) % 12 - 5


def transposition(vocab: Vocabulary, semitones: int) -> np.ndarray:
    """Every pitch token's transposed token (a chord that is not kept: its top note; REST when
    not even that is known)."""
    table = np.arange(len(vocab))
    if semitones == 0:
        return table
    for token in range(len(vocab)):
        if token in (START, REST):
            continue
        pitches = [
            p + semitones
            for p in pitches_of(int(vocab.table_lo[token]), int(vocab.table_hi[token]))
        ]
        found = vocab.token_of(pitches)
        if found is None and pitches:
            top = pitches[-1]
            found = next(
                (t for q in (top, top - 12, top + 12) if (t := vocab.token_of([q])) is not None),
                None,
            )
        table[token] = REST if found is None else found
    return table


class SectionKeys:
    """The key of every bar of a plan, the masks of each key, and transposed returns."""

    def __init__(
        self,
        plan: FormPlan,
        vocab: Vocabulary,
        masks: Masks,
        masks_in: Callable[[str], Masks],
        home: Key | None,
        key_of_music: Callable[[np.ndarray], Key],
    ) -> None:
        """`masks`: the piece's; `masks_in(key)`: the piece's with the key lock at `key`;
        `home`: the key lock's key (None: heard from the music); `key_of_music(rows)`: the key
        of some composed event rows."""
        self.vocab = vocab
        self.bar_keys: list[str | None] = [s.key for s in plan.sections for _ in range(s.bars)]
        self._masks = {None: masks} | {k: masks_in(k) for k in set(self.bar_keys) if k}
        self._home = home
        self._key_of_music = key_of_music
        self._tables: dict[int, np.ndarray] = {}

    def masks(self, bar: int) -> Masks:
        return self._masks[self.bar_keys[bar]]

    def runs(self, bars: list[int], first_target: int) -> list[tuple[int, list[int]]]:
        """A segment's bars cut where the key of its target bars changes: (first target, bars)."""
        out: list[tuple[int, list[int]]] = []
        for i, b in enumerate(bars):
            target = first_target + i
            if out and self.bar_keys[target] == self.bar_keys[target - 1]:
                out[-1][1].append(b)
            else:
                out.append((target, [b]))
        return out

    def moved(self, rows: np.ndarray, source: int, target: int, before: np.ndarray) -> np.ndarray:
        """Events of bar `source` as bar `target` plays them (transposed when the keys differ).
        `before`: the row's music so far, to hear the piece's key in."""
        keys = self.bar_keys[source], self.bar_keys[target]
        if keys[0] == keys[1]:
            return rows
        home = None if all(keys) else self._home or self._key_of_music(before)
        src = parse_key(keys[0]) if keys[0] else home
        dst = parse_key(keys[1]) if keys[1] else home
        assert src is not None and dst is not None
        shift = interval(src, dst)
        if shift == 0:
            return rows
        if shift not in self._tables:
            self._tables[shift] = transposition(self.vocab, shift)
        out = rows.copy()
        pitched = VOICE_PART[np.clip(rows[:, VOICE], 0, len(VOICE_PART) - 1)] != DRUMS
        out[pitched, 0] = self._tables[shift][rows[pitched, 0]]
        return out
