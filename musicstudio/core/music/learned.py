"""What the model learns from a piece: notes → events → tokens at a threshold → notes.

The user hears this with "Play as learned" (Dataset panel) and `musicstudio roundtrip`: every
voice on the program the file used, every note as the representation keeps it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from musicstudio.core.music.constants import DEFAULT_THRESHOLD
from musicstudio.core.music.events import decode, encode
from musicstudio.core.music.midi import NoteArray
from musicstudio.core.music.recall import Recall, note_recall
from musicstudio.core.music.vocab import Vocabulary
from musicstudio.core.music.voices import most_used_voice_programs


def file_programs(notes: NoteArray) -> list[int]:
    """The program each voice of this piece used most."""
    pairs, counts = np.unique(
        np.stack([notes.voices.astype(np.int64), notes.program.astype(np.int64)]),
        axis=1,
        return_counts=True,
    )
    return most_used_voice_programs(zip(pairs[0], pairs[1], counts, strict=True))


def as_learned(
    notes: NoteArray, vocab: Vocabulary | None = None, threshold: int = DEFAULT_THRESHOLD
) -> tuple[NoteArray, Recall]:
    """The notes the model learns from `notes` (with a corpus's vocabulary, or the piece's own)."""
    events = encode(notes)
    vocab = vocab or Vocabulary.build([events], threshold)
    tokens = vocab.tokenize(events).tokens
    learned = vocab.detokenize(tokens, start=events.start, time_signature=events.time_signature)
    back = decode(learned, notes.tempo_qpm, file_programs(notes) if len(notes) else None)
    back = replace(back, tempo_map=notes.tempo_map)  # a played file keeps its beats' seconds
    return back, note_recall(notes, back)
