"""What to compose: the settings of one Compose (the Compose panel and `musicstudio compose`
show these names, ranges and help texts), declared once."""

from __future__ import annotations

from dataclasses import dataclass, field

from musicstudio.core.base.settings import setting, validate
from musicstudio.core.compose.constraints import Constraints
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.core.music.feel import FEELS

PRIMER_KINDS = ("corpus", "file", "none")
LINEUPS = ("files", "all")
#: Bounds that keep one Compose within memory and minutes on a laptop.
MAX_LENGTH = 100_000
MAX_VARIATIONS = 64
#: Events composed straight on when neither events nor bars are asked for (the form 'none').
DEFAULT_EVENTS = 500


@dataclass(frozen=True)
class ComposeSettings:
    """What to compose (the Compose panel shows these names)."""

    form: str = setting(
        "corpus",
        "Form",
        "The piece's sections: 'corpus' takes the form of one of your files (its sections"
        " return as theirs do), 'none' composes straight on, or write one, e.g. 'A A B A';"
        " a section may have its own key: 'A A B(E minor) A(D)'",
    )
    bars: float | None = setting(
        None,
        "Bars",
        "Length in bars (the piece's metre); unset: a whole piece as long as your files in its metre",
        low=0.25,
        high=10_000,
        optional=True,
    )
    minutes: float | None = setting(
        None,
        "Minutes",
        "Length in minutes at the tempo, instead of bars",
        low=0.05,
        high=120,
        optional=True,
        decimals=2,
    )
    length: int | None = setting(
        None,
        "Events",
        "Compose this many events straight on, without form (a chord of one part is one event)",
        low=1,
        high=MAX_LENGTH,
        unit="events",
        optional=True,
    )
    variations: int = setting(
        1,
        "Variations",
        "Pieces composed together (in one batch: nearly free)",
        low=1,
        high=MAX_VARIATIONS,
    )
    primer: str = setting(
        "corpus",
        "Primer",
        "What the piece continues: a passage the model learned from"
        " (corpus), your own MIDI file (file), or nothing (none)",
        choices=PRIMER_KINDS,
    )
    primer_file: str | None = None
    primer_events: int = setting(
        32,
        "Primer length",
        "Events of the primer the model hears first",
        low=1,
        high=4096,
        unit="events",
    )
    tempo: float = setting(
        100.0, "Tempo", "Speed of the written piece", low=20, high=400, unit="BPM", decimals=0
    )
    feel: str = setting(
        "straight",
        "Feel",
        "'straight' writes the piece on the grid; 'files' plays it like your files: their"
        " timing against the beat (swing included) and how their tempo moves",
        choices=FEELS,
    )
    lineup: str = setting(
        "files",
        "Line-up",
        "'files' plays the voices of one of your files (as many instruments as your pieces"
        " have); 'all' lets every voice the model learned play",
        choices=LINEUPS,
    )
    programs: dict[str, int] | None = None  # voice or part name -> GM program; others: the corpus's
    single_instrument: bool = setting(
        False, "Single instrument", "One track: every pitched part on one instrument, no drums"
    )
    program: int = setting(
        0, "Instrument", "GM program of the single-instrument reduction", low=0, high=127
    )
    include_primer: bool = setting(
        False,
        "Primer in the piece",
        "Write the primer and its continuation as one piece (your whole file, then the new music)",
    )
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    constraints: Constraints = field(default_factory=Constraints)

    def __post_init__(self) -> None:
        validate(self)
