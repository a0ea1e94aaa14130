"""How a section leads into an exact return: the joining score, kept candidate vs the others.

    python benchmarks/joining.py [MODEL.msb ...] [--pieces 20]

Composes --pieces default pieces (a whole piece in a form of the model's corpus) per model and,
at every section that leads into an exact return, records the log-likelihood of the return's
first bars under each of the last bar's candidates (sections.py: JOIN_CANDIDATES, JOIN_BARS).
Without the joining score the first candidate would have been kept (it is the one a plain draw
gives), so "kept - first" is what the choice gains, per event of the bars that judge. Default
models: the two shipped sample models and the benchmark's band models when they are there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from musicstudio.core.compose import sections  # noqa: E402
from musicstudio.core.compose.composer import Composer, ComposeSettings  # noqa: E402
from musicstudio.core.compose.sampling import SamplingSettings  # noqa: E402
from musicstudio.core.learn.bundle import load_bundle  # noqa: E402

DEFAULT_MODELS = [
    ROOT / "resources/models/sample-wavenet.msb",
    ROOT / "resources/models/sample-lstm.msb",
    ROOT / "bench_data/form/models/band-wavenet.msb",
    ROOT / "bench_data/form/models/band-lstm.msb",
]


def measure(path: Path, pieces: int) -> dict[str, Any]:
    composer = Composer(load_bundle(path))
    joined, joining = sections.SectionComposer._joined_bar, sections.SectionComposer._joining
    rows: list[tuple[np.ndarray, int]] = []  # candidates' scores, events that judged

    def spy(self, cursor, masks, span, joins):  # type: ignore[no-untyped-def]
        scores: list[np.ndarray] = []

        def record(inner, c, j, m):  # type: ignore[no-untyped-def]
            scores.append(joining(inner, c, j, m))
            return scores[-1]

        sections.SectionComposer._joining = record  # type: ignore[method-assign]
        try:
            return joined(self, cursor, masks, span, joins)
        finally:
            sections.SectionComposer._joining = joining  # type: ignore[method-assign]
            rows.append((scores[0], len(joins[0])))

    sections.SectionComposer._joined_bar = spy  # type: ignore[method-assign]
    try:
        made = 0
        for seed in range(pieces):
            composer.compose(ComposeSettings(sampling=SamplingSettings(seed=seed)))
            made += 1
    finally:
        sections.SectionComposer._joined_bar = joined  # type: ignore[method-assign]
    k = sections.JOIN_CANDIDATES
    per_event = [(s.reshape(-1, k), n) for s, n in rows if n]
    gain_first = [float((s.max(1) - s[:, 0]).mean()) / n for s, n in per_event]
    gain_mean = [float((s.max(1) - s.mean(1)).mean()) / n for s, n in per_event]
    return {
        "model": path.name,
        "pieces": made,
        "joins": len(per_event),
        "kept_minus_first": float(np.mean(gain_first)) if gain_first else float("nan"),
        "kept_minus_mean": float(np.mean(gain_mean)) if gain_mean else float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="*", type=Path)
    ap.add_argument("--pieces", type=int, default=20)
    args = ap.parse_args()
    models = args.models or [m for m in DEFAULT_MODELS if m.is_file()]
    print("| model | pieces | joins | kept - first (nats/event) | kept - mean of the candidates |")
    print("|---|---|---|---|---|")
    for path in models:
        r = measure(path, args.pieces)
        print(
            f"| {r['model']} | {r['pieces']} | {r['joins']} | {r['kept_minus_first']:+.3f}"
            f" | {r['kept_minus_mean']:+.3f} |"
        )


if __name__ == "__main__":
    main()
