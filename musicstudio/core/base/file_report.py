"""What a scan reports of one file: a plain record, below every layer that reads it
(the scan writes it in music/, progress events carry it, the panels show it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    status: str
    reason: str = ""
    notes: int = 0
    events: int = 0
    recall: float = 1.0  # strict: onset, pitch, voice, duration class (velocity class ±1)
    tempo: float = 120.0
    onset_pitch_recall: float = 1.0  # onset and pitch only (the measure before parts)
    duration_exact: float = 1.0  # notes back with their exact grid duration
    time_signature: tuple[int, int] | list[int] = (4, 4)
    parts: dict[str, int] = field(default_factory=dict)  # notes per part
    programs: list[list[int]] = field(default_factory=list)  # [voice, program, notes] rows
    voices: dict[str, int] = field(default_factory=dict)  # notes per voice
    joined: list[str] = field(default_factory=list)  # tracks that joined another's voice, and why
    feel: dict[str, Any] | None = None  # feel.file_feel's sums (None: no steady beat to feel)
    timing: str = ""  # beats.py's outcome: on grid, beats tracked, no steady beat (and why)

    def as_dict(self) -> dict[str, Any]:
        """dataclasses.asdict(self) (the scan cache keeps it), without its slow deep copy."""
        d = dict(self.__dict__)
        ts = self.time_signature
        d["time_signature"] = tuple(ts) if isinstance(ts, tuple) else list(ts)
        d["parts"] = dict(self.parts)
        d["programs"] = [list(row) for row in self.programs]
        d["voices"] = dict(self.voices)
        d["joined"] = list(self.joined)
        return d
