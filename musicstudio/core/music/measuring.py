"""One measure: every figure a piece shows (the metrics line, the CLI, the kept piece's file).

The same for a composed and a regenerated piece, in the app and on the command line.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from musicstudio.core.music.closeness import Reference, closeness, in_words
from musicstudio.core.music.form import form_features
from musicstudio.core.music.form_profile import FormProfile
from musicstudio.core.music.measures import Measures
from musicstudio.core.music.metrics import CorpusProfile, evaluate_composition, token_rows
from musicstudio.core.music.midi import NoteArray


def measure(
    tokens: np.ndarray,
    notes: NoteArray,
    profile: CorpusProfile,
    reference: Reference,
    form: FormProfile | None,
    key: str = "",
) -> Measures:
    """Every figure a piece shows: its quality figures, how close it sounds to the corpus (profile and reference:
    Workspace.profile and .reference) and how it repeats itself next to the corpus's form
    profile (the bundle's), the same for composed and regenerated pieces ("in key" in the
    `key` it was locked to, if any)."""
    repeats = form_features(notes)
    measures = replace(
        evaluate_composition(tokens, notes, profile, key),
        near_repeat=round(repeats.near_repeat, 3),
        exact_repeat=round(repeats.exact_repeat, 3),
        lag_similarity=round(repeats.lag_similarity, 3),
        form_words=form.compare(repeats) if form is not None else "",
    )
    near = closeness([tokens], reference)
    if near is None:
        return measures
    own = reference.own_closeness(len(token_rows(tokens)))
    return replace(
        measures,
        closeness=round(near.mean_overlap, 3),
        furthest_in=near.weakest.label,
        corpus_closeness=None if own is None else round(own, 3),
        closeness_words=in_words(near, own),
    )
