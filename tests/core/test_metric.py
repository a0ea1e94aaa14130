"""Where every event sits in the bar: the metric classes of token rows, and the windows that carry them."""

from __future__ import annotations

import numpy as np

from musicstudio.core.learn.dataset import WindowSource
from musicstudio.core.music.metric import (
    BEAT,
    DOWNBEAT,
    EIGHTH,
    OTHER,
    SIXTEENTH,
    beat_length,
    metric_columns,
)
from musicstudio.core.music.vocab import N_STREAMS, REST, TokenStream


def rows(steps: list[int], pitches: list[int] | None = None) -> np.ndarray:
    out = np.zeros((len(steps), N_STREAMS), np.int32)
    out[:, 0] = pitches if pitches is not None else 5
    out[:, 2] = steps
    return out


# START, a chord split over two rows (step 0 between them), an eighth, a sixteenth, a triplet
# eighth, a rest of a half, a note: onsets 0, 0, 0, 12, 18, 21, 24, 48.
STEPS = [0, 0, 12, 6, 3, 3, 24, 48, 0]
PITCHES = [0, 7, 9, 5, 5, 5, REST, 5, 5]
ONSETS = [0, 0, 0, 12, 18, 21, 24, 48, 96]


def test_four_four_with_chords_and_rests() -> None:
    m = metric_columns(rows(STEPS, PITCHES), 0, (4, 4))
    assert m[:, 0].tolist() == [on % 48 // 3 for on in ONSETS]
    assert m[:, 1].tolist() == [DOWNBEAT] * 3 + [BEAT, EIGHTH, SIXTEENTH, BEAT, DOWNBEAT, DOWNBEAT]
    assert m[:, 2].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 2]
    assert (m[1] == m[0]).all() and (m[2] == m[0]).all()  # rows of one onset share it


def test_three_four_and_a_start_inside_the_piece() -> None:
    m = metric_columns(rows(STEPS, PITCHES), 0, (3, 4))
    # 48 = bar 1, beat 2 of 3/4; 96 = bar 2, third beat.
    assert m[:, 0].tolist() == [on % 36 // 3 for on in ONSETS]
    assert m[:, 1].tolist() == [DOWNBEAT] * 3 + [BEAT, EIGHTH, SIXTEENTH, BEAT, BEAT, BEAT]
    assert m[:, 2].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 2]
    later = metric_columns(rows(STEPS, PITCHES), 36 * 7 + 34, (3, 4))
    assert later[0].tolist() == [34 // 3, OTHER, 7]
    assert later[3].tolist() == [(34 + 12) % 36 // 3, OTHER, 0]  # 8 bars wrap to 0


def test_phrase_wraps_after_eight_bars_and_compound_beats() -> None:
    m = metric_columns(rows([48] * 10), 0, (4, 4))
    assert m[:, 2].tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 0, 1]
    assert beat_length((6, 8)) == 18 and beat_length((3, 8)) == 6 and beat_length((2, 2)) == 24
    six = metric_columns(rows([6, 6, 6, 6, 6, 6, 0]), 0, (6, 8))
    assert six[:, 1].tolist() == [DOWNBEAT, EIGHTH, EIGHTH, BEAT, EIGHTH, EIGHTH, DOWNBEAT]


def test_windows_carry_the_metric_columns_of_each_piece() -> None:
    a = TokenStream(rows(STEPS, PITCHES), 0, (4, 4))
    b = TokenStream(rows(STEPS, PITCHES), 24, (3, 4))
    plain = WindowSource.from_streams([a, b], 8)
    assert plain.tokens.shape == (18, N_STREAMS)
    src = WindowSource.from_streams([a, b], 8, metric=True)
    assert src.tokens.shape == (18, N_STREAMS + 3)
    assert (src.tokens[:, :N_STREAMS] == plain.tokens).all()
    assert (src.tokens[:9, N_STREAMS:] == metric_columns(a.tokens, 0, (4, 4))).all()
    assert (src.tokens[9:, N_STREAMS:] == metric_columns(b.tokens, 24, (3, 4))).all()
