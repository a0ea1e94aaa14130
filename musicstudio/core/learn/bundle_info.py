"""Typed records a model file keeps beside its weights: what it learned from, and how it samples.

The manifest is JSON; these records are what crosses the layers. Reading one is lenient: a
damaged or missing entry becomes the default (an older model, a hand-edited file), never an
exception, so a model list can read thousands of manifests without loading a weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from musicstudio.core.music.feel import FeelProfile
from musicstudio.core.music.parts import PARTS
from musicstudio.core.music.voices import DEFAULT_VOICE_PROGRAMS, FIRST_VOICE, VOICES

#: One epoch's figures, by name (loss, val_loss, loss_pitch, accuracy_voice, seconds, …).
EpochFigures = dict[str, float | None]


@dataclass(frozen=True)
class CorpusInfo:
    """What a model was learned from: the training folder and its figures."""

    folder: str = ""  # the folders' common path ("" when unknown)
    files: int = 0
    ok: int = 0  # files learned
    notes: int = 0
    events: int = 0
    vocab_size: int = 0
    note_recall: float | None = None
    onset_pitch_recall: float | None = None
    parts: dict[str, int] = field(default_factory=dict)  # notes per part
    voices: dict[str, int] = field(default_factory=dict)  # notes per voice slot
    programs: dict[str, int] = field(default_factory=dict)  # the program each voice used most
    time_signature: tuple[int, int] = (4, 4)  # the most common one
    feel: FeelProfile | None = None  # None: straight
    train_files: int = 0
    validation_files: int = 0
    validation: str = ""  # "files" or "stretches" (dataset.py)

    def learned_voices(self) -> tuple[list[str], list[int]]:
        """The voices learned (most notes first) and the program of every voice slot (the
        corpus's most used, else the part's default)."""
        programs = list(DEFAULT_VOICE_PROGRAMS)
        for name, program in self.programs.items():
            programs[VOICES.index(name)] = program
        return sorted(self.voices, key=lambda v: -self.voices[v]), programs

    def learned_parts(self) -> tuple[list[str], list[int]]:
        """The parts learned (most notes first) and the program of every part (its first
        voice's)."""
        programs = self.learned_voices()[1]
        return (
            sorted(self.parts, key=lambda p: -self.parts[p]),
            [programs[v] for v in FIRST_VOICE.tolist()],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "ok": self.ok,
            "notes": self.notes,
            "events": self.events,
            "vocab_size": self.vocab_size,
            "note_recall": self.note_recall,
            "onset_pitch_recall": self.onset_pitch_recall,
            "parts": dict(self.parts),
            "voices": dict(self.voices),
            "programs": dict(self.programs),
            "time_signature": list(self.time_signature),
            "feel": self.feel.to_json() if self.feel is not None else None,
            "folder": self.folder,
            "train_files": self.train_files,
            "validation_files": self.validation_files,
            "validation": self.validation,
        }

    @classmethod
    def from_json(cls, raw: Any) -> CorpusInfo:
        """A manifest's corpus figures; damaged entries are skipped, never raised."""
        if not isinstance(raw, dict):
            return cls()
        ts = raw.get("time_signature")
        ok_ts = (
            isinstance(ts, list | tuple)
            and len(ts) == 2
            and all(isinstance(x, int) and 1 <= x <= 64 for x in ts)
        )
        programs = raw.get("programs")
        return cls(
            folder=str(raw.get("folder") or ""),
            files=_int(raw.get("files")),
            ok=_int(raw.get("ok")),
            notes=_int(raw.get("notes")),
            events=_int(raw.get("events")),
            vocab_size=_int(raw.get("vocab_size")),
            note_recall=_float(raw.get("note_recall")),
            onset_pitch_recall=_float(raw.get("onset_pitch_recall")),
            parts=_counts(raw.get("parts"), PARTS),
            voices=_counts(raw.get("voices"), VOICES),
            programs={
                name: program
                for name, program in (programs.items() if isinstance(programs, dict) else ())
                if name in VOICES and isinstance(program, int) and 0 <= program <= 127
            },
            time_signature=(int(ts[0]), int(ts[1])) if ok_ts and ts is not None else (4, 4),
            feel=FeelProfile.from_json(raw.get("feel")),
            train_files=_int(raw.get("train_files")),
            validation_files=_int(raw.get("validation_files")),
            validation=str(raw.get("validation") or ""),
        )


#: The nucleus of every head unless the user sets one (chosen on the chorales and quartets in
#: round 2; compose/sampling.py): a model tuned before stop 38 keeps it for its pitches too.
TOP_P = 0.9


@dataclass(frozen=True)
class Tuning:
    """The sampling temperatures tuned to the corpus after training (compose/tuning.py), how
    close their pieces came, and every pair tried; and the pitch head's nucleus (0.9 for a
    model tuned before stop 38)."""

    temperature: float
    rhythm_temperature: float
    closeness: float = 0.0
    tried: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    pitch_top_p: float = TOP_P

    def to_json(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "rhythm_temperature": self.rhythm_temperature,
            "closeness": round(self.closeness, 4),
            "tried": self.tried,
            "pitch_top_p": self.pitch_top_p,
        }

    def in_words(self) -> str:
        nucleus = f", pitch top-p {self.pitch_top_p:g}" if self.pitch_top_p != TOP_P else ""
        return (
            f"sampling tuned to the corpus: temperature {self.temperature:g}, rhythm"
            f" {self.rhythm_temperature:g}{nucleus} (closeness {self.closeness:.2f})"
        )

    @classmethod
    def from_json(cls, raw: Any) -> Tuning | None:
        """A manifest's tuning, or None (the app's defaults) when it is missing or its
        temperatures are not numbers in range (a pitch top-p missing or out of range: 0.9)."""
        if not isinstance(raw, dict):
            return None
        values = [raw.get("temperature"), raw.get("rhythm_temperature")]
        if not all(isinstance(v, int | float) and 0 < v <= 5 for v in values):
            return None
        tried = raw.get("tried")
        rows = [
            {k: float(v) for k, v in row.items() if isinstance(v, int | float)}
            for row in (tried if isinstance(tried, list) else ())
            if isinstance(row, dict)
        ]
        closeness = raw.get("closeness")
        nucleus = raw.get("pitch_top_p")
        return cls(
            float(values[0]),  # type: ignore[arg-type]
            float(values[1]),  # type: ignore[arg-type]
            float(closeness) if isinstance(closeness, int | float) else 0.0,
            rows,
            pitch_top_p=float(nucleus)
            if isinstance(nucleus, int | float) and 0 < nucleus <= 1
            else TOP_P,
        )


def history_of(raw: Any) -> list[EpochFigures]:
    """A manifest's training history: one row of numbers per epoch (other entries dropped)."""
    rows = raw if isinstance(raw, list) else []
    return [
        {
            k: v
            for k, v in row.items()
            if isinstance(k, str) and (v is None or isinstance(v, int | float))
        }
        for row in rows
        if isinstance(row, dict)
    ]


def best_val_loss(history: list[EpochFigures]) -> float | None:
    """The lowest validation loss of a history (None: never validated)."""
    vals = [v for h in history if (v := h.get("val_loss")) is not None]
    return min(vals) if vals else None


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _float(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _counts(raw: Any, names: tuple[str, ...] | list[str]) -> dict[str, int]:
    return {
        n: c
        for n, c in (raw.items() if isinstance(raw, dict) else ())
        if n in names and isinstance(c, int)
    }
