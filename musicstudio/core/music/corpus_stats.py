"""A scanned corpus in figures (Corpus.stats)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from musicstudio.core.base.file_report import FileReport
from musicstudio.core.music.beats import NO_BEAT, TRACKED
from musicstudio.core.music.events import EventStream
from musicstudio.core.music.feel import corpus_feel
from musicstudio.core.music.parsing import LEARNED, OK, REPAIRED
from musicstudio.core.music.parts import PARTS
from musicstudio.core.music.vocab import Vocabulary
from musicstudio.core.music.voices import VOICES, most_used_voice_programs


def corpus_stats(
    files: Sequence[FileReport],
    streams: Sequence[EventStream],
    vocab: Vocabulary,
    from_cache: int,
    seconds: float,
) -> dict[str, Any]:
    """The figures of a scanned corpus the Dataset panel, the CLI and the bundle show: files,
    notes per part and voice, each voice's program, recall, time signature, feel, problems."""
    ok = [f for f in files if f.status in LEARNED]
    notes = sum(f.notes for f in ok)

    def weighted(share: Any) -> float:
        return sum(share(f) * f.notes for f in ok) / notes if notes else 1.0

    # Notes that survive the vocabulary's rare-chord splitting (exact partition unless a pitch is unknown).
    kept = vocab.kept_note_share()
    per_part: Counter[str] = Counter()
    per_voice: Counter[str] = Counter()
    for f in ok:
        per_part.update(f.parts)
        per_voice.update(f.voices)
    signatures = Counter(tuple(f.time_signature) for f in ok)
    programs = most_used_voice_programs(row for f in ok for row in f.programs)
    skipped = Counter(f.status for f in files if f.status not in LEARNED)
    return {
        "files": len(files),
        "ok": len(ok),
        "repaired": sum(f.status == REPAIRED for f in ok),
        "skipped": sum(skipped.values()),
        "skipped_by_reason": dict(skipped),
        "cached": from_cache,
        "notes": notes,
        "events": sum(len(s) for s in streams),
        "unique_tokens": int(vocab.observed.size),
        "vocab_size": len(vocab),
        "threshold": vocab.threshold,
        "coverage": round(vocab.coverage(), 4),
        "note_recall": round(weighted(lambda f: f.recall) * kept, 5),
        "onset_pitch_recall": round(weighted(lambda f: f.onset_pitch_recall) * kept, 5),
        "duration_exact": round(weighted(lambda f: f.duration_exact), 5),
        "parts": {p: per_part[p] for p in PARTS if per_part[p]},
        "voices": {v: per_voice[v] for v in VOICES if per_voice[v]},
        "programs": {v: programs[i] for i, v in enumerate(VOICES) if per_voice[v]},
        "joined": sum(len(f.joined) for f in ok),
        "time_signature": list(signatures.most_common(1)[0][0]) if signatures else [4, 4],
        "beats_tracked": sum(f.timing == TRACKED for f in ok),
        "no_steady_beat": len(read_as_written(ok)),
        "feel": corpus_feel(f.feel for f in ok),
        "seconds": round(seconds, 3),
        "problems": [
            {"path": f.path, "status": f.status, "reason": f.reason}
            for f in files
            if f.status != OK
        ],
    }


def read_as_written(files: Sequence[FileReport]) -> list[FileReport]:
    """The files played off their own grid that had no steady beat, so were read as written."""
    return [f for f in files if f.timing.startswith(NO_BEAT)]


def played_summary(stats: dict[str, Any]) -> str:
    """The files played without a click, in a line: how many were put on the beats tracked
    from their onsets, and how many had no steady beat and were read as written."""
    tracked, unsteady = stats.get("beats_tracked", 0), stats.get("no_steady_beat", 0)
    parts = []
    if tracked:
        parts.append(f"{tracked:,} put on the beats tracked from their notes")
    if unsteady:
        parts.append(f"{unsteady:,} with no steady beat, read as written")
    return "played files (off their own grid): " + "; ".join(parts) if parts else ""
