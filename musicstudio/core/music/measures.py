"""Measures: every figure a piece shows, as one typed record.

The quality figures (metrics.py), how the piece repeats itself (form.py), how close it sounds
to the corpus (closeness.py) and what it copies of the training files (compose/novelty.py)
are filled in by whoever measures them; a figure not measured is None (or "" for words), and
stays out of the JSON. The metrics line, the CLI and the library read fields, never keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Measures:
    """A piece's figures; None: not measured."""

    # quality (metrics.evaluate_composition)
    longest_repeat: int | None = None  # the longest run of one repeated note/chord
    corpus_longest_repeat: int | None = None
    pitch_class_distance: float | None = None  # from the corpus's histograms (0: the same)
    duration_distance: float | None = None
    step_distance: float | None = None
    pitch_range: int | None = None  # semitones
    polyphony: float | None = None  # notes sounding at once, on average
    in_key: float | None = None  # share of pitched notes in `key`'s scale
    copy_rate: float | None = None  # share of 8-event phrases found in the corpus
    key: str = ""  # the key locked, else estimated
    parts: int | None = None  # parts that play
    # form (form.form_features, FormProfile.compare)
    near_repeat: float | None = None
    exact_repeat: float | None = None
    lag_similarity: float | None = None
    form_words: str = ""
    # closeness to the corpus (closeness.py)
    closeness: float | None = None
    furthest_in: str = ""
    corpus_closeness: float | None = None  # the corpus's own pieces against each other
    closeness_words: str = ""
    # copies of the training files (compose/novelty.py)
    copies: int | None = None
    copies_words: str = ""

    def merged(self, other: Measures) -> Measures:
        """These figures with every figure `other` measured put over them."""
        return replace(self, **other.to_json())

    def to_json(self) -> dict[str, Any]:
        """The figures measured, by name (CLI JSON, the settings file beside a kept piece)."""
        return {
            f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None and v != ""
        }

    @classmethod
    def from_json(cls, raw: Any) -> Measures:
        """Stored figures (a kept piece's settings file); unknown or damaged entries dropped."""
        if not isinstance(raw, dict):
            return cls()
        kinds = {f.name: f.type for f in fields(cls)}
        got: dict[str, Any] = {}
        for name, value in raw.items():
            kind = kinds.get(name)
            if kind is None:
                continue
            if (
                kind == "str"
                and isinstance(value, str)
                or kind == "int | None"
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                got[name] = value
            elif kind == "float | None" and isinstance(value, int | float):
                got[name] = float(value)
        return cls(**got)
