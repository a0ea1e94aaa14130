"""Sampling: several heads drawn in one pass choose exactly what each head alone would."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from musicstudio.core.compose.sampling import MASKED, sample, sample_heads

SIZES = (65, 33, 49, 8)  # pitch, duration, step, velocity heads of a real vocabulary


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    rows=st.integers(1, 4),
    temperatures=st.lists(st.sampled_from([0.0, 0.4, 0.9, 1.3]), min_size=4, max_size=4),
    top_k=st.sampled_from([0, 1, 5]),
    top_p=st.sampled_from([1.0, 0.95, 0.5]),
)
def test_heads_drawn_together_are_the_heads_drawn_alone(
    seed: int, rows: int, temperatures: list[float], top_k: int, top_p: float
) -> None:
    rng = np.random.default_rng(seed)
    logits = [rng.normal(0, 3, (rows, size)) for size in SIZES]
    logits[0][:, rng.integers(0, SIZES[0], 20)] = MASKED  # a key lock
    uniform = 1.0 - rng.random((rows, len(SIZES)))
    together = sample_heads(logits, temperatures, top_k, top_p, uniform)
    for h, (lg, t) in enumerate(zip(logits, temperatures, strict=True)):
        alone = sample(lg, t, top_k, top_p, uniform[:, h])
        np.testing.assert_array_equal(together[h], alone)
        assert (lg[np.arange(rows), together[h]] > MASKED).all()  # never a masked choice
