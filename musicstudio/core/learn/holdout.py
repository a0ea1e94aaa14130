"""What a small folder validates on: a held-out stretch at the end of every file.

A big folder holds whole files out (Corpus.split). A small one cannot: one or two held-out
files are a few hundred targets of one or two pieces, so the validation loss follows those
pieces, not the folder, and early stopping and the "best epoch" follow its noise. Here every
file gives its last stretch (about `share` of its events) to validation and trains on the rest.

The head and the stretch are cut apart (two token arrays), so no training window can reach a
validation event: no gap is needed between them, and a tiny file loses no events to one. The
cut falls between two onsets, and the transposed copies of a file (augmentation) are cut at the
same moment, so no copy of a held-out stretch is ever trained on.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from musicstudio.core.music.corpus import Corpus
from musicstudio.core.music.vocab import TokenStream

#: Folders with fewer files than this validate on held-out stretches of every file.
SMALL_FOLDER = 20
#: Fewer validation windows than this from whole held-out files: stretches instead.
MIN_VALIDATION_WINDOWS = 8
#: Events of the shortest held-out stretch (a validation window of 16 events and its target).
MIN_STRETCH = 17
#: No file gives more than this share of its events to validation.
MAX_HELD_OUT = 1 / 3


def wants_stretches(corpus: Corpus, share: float, seed: int, window: int | None) -> bool:
    """Whether whole held-out files would be too little validation for this folder."""
    if share <= 0 or not corpus.streams:
        return False
    if len(corpus.streams) < SMALL_FOLDER:
        return True
    if window is None:
        return False
    _, val = corpus.split(share, seed)
    events = sum(len(corpus.streams[i]) for i in val)
    return events // window < MIN_VALIDATION_WINDOWS


def held_out_stretches(
    corpus: Corpus, share: float, augment: bool = True
) -> tuple[list[TokenStream], list[TokenStream]]:
    """(training heads, validation stretches): every file long enough gives its last stretch.

    The heads keep their start token; the stretches have none (they begin mid-piece). A file
    too short to give MIN_STRETCH events and keep two thirds trains whole.
    """
    vocab = corpus.vocab
    whole = vocab.tokenize_many(corpus.streams)
    heads, stretches, cut_times = [], [], []
    for piece in whole:
        cut = _cut(piece.tokens, share)
        heads.append(replace(piece, tokens=piece.tokens[:cut]))
        cut_times.append(None if cut == len(piece) else _onsets(piece.tokens)[cut])
        if cut < len(piece):
            # A stretch starts mid-piece: its first row's onset keeps where it is in the bar.
            at = piece.start + int(_onsets(piece.tokens)[cut])
            stretches.append(replace(piece, tokens=piece.tokens[cut:], start=at))
    transpose = corpus.options.transpose if augment else 0
    for k in range(-transpose, transpose + 1):
        if k == 0:
            continue
        for stream, until in zip(corpus.streams, cut_times, strict=True):
            moved = stream.transposed(k)
            if moved is None:
                continue
            head = vocab.tokenize(moved)
            tokens = head.tokens
            if until is not None:
                tokens = tokens[: int(np.searchsorted(_onsets(tokens), until, side="left"))]
            heads.append(replace(head, tokens=tokens))
    return heads, stretches


def _onsets(tokens: np.ndarray) -> np.ndarray:
    """Grid step of every token row from the start of its piece."""
    step = tokens[:, 2].astype(np.int64)
    return np.cumsum(step) - step


def _cut(tokens: np.ndarray, share: float) -> int:
    """The first row of the held-out stretch (len(tokens): none), between two onsets."""
    events = len(tokens) - 1  # the start token is not an event
    held = max(math.ceil(share * events), MIN_STRETCH)
    if held > events * MAX_HELD_OUT:
        return len(tokens)
    # Rows after which time moves on: a stretch never starts inside a chord split in tokens.
    boundaries = np.flatnonzero(tokens[1:-1, 2] > 0) + 2
    boundaries = boundaries[len(tokens) - boundaries >= MIN_STRETCH]
    if boundaries.size == 0:
        return len(tokens)
    return int(boundaries[np.argmin(np.abs(boundaries - (len(tokens) - held)))])
