"""The Compose panel's Regenerate settings (parts, candidates, bars that judge), and the line
that says how a passage was chosen."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QWidget

from musicstudio.core.compose.constraints import Constraints
from musicstudio.core.compose.regenerate import RegenerateSettings, Regeneration
from musicstudio.core.compose.sampling import SamplingSettings
from musicstudio.gui.persist import remember
from musicstudio.gui.settings_form import SettingsForm
from musicstudio.gui.widgets.part_checks import PartChecks

HINT = (
    "Drag across the bar numbers above the piano roll (or Shift + drag on the notes) to select"
    " bars, then Regenerate (Ctrl+R). Everything else stays, but for the same bars in the returns"
    " of their section (when ticked below); Ctrl+Z undoes."
)


def bars_words(first: int, last: int) -> str:
    """'bar 5' or 'bars 5–8'."""
    return f"bar {first}" if first == last else f"bars {first}–{last}"


def _number(x: float) -> str:
    return f"{x:.1f}".replace("-", "\N{MINUS SIGN}")


def report(result: Regeneration, settings: RegenerateSettings) -> str:
    """'bars 5–8 regenerated: candidate 3 of 8, following bars score −173.8 (median of the
    others −175.0), seed 42'."""
    words = bars_words(settings.first_bar, settings.last_bar)
    chosen = f"candidate {result.chosen + 1} of {len(result.scores)}"
    if not result.scored_events:
        judged = "nothing follows to judge it by"
    elif len(result.scores) == 1:
        judged = f"following bars score {_number(result.score)}"
    else:
        judged = (
            f"following bars score {_number(result.score)}"
            f" (median of the others {_number(result.median_of_others)})"
        )
    return f"{words} regenerated: {chosen}, {judged}, seed {result.seed}"


class RegenerateBox(QGroupBox):
    """Which parts of the selected bars to compose again, and how many candidates to try."""

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Regenerate", parent)
        form = QFormLayout(self)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #4a5568;")
        form.addRow(hint)
        self.parts = PartChecks("Compose this part again in the selected bars")
        form.addRow("Parts", self.parts)
        self.parts_label = form.labelForField(self.parts)
        self.form = SettingsForm(
            RegenerateSettings, ["candidates", "following_bars"], form, settings
        )
        self.candidates = self.form.widgets["candidates"]
        self.linked = QCheckBox("Every return of the section too")
        self.linked.setToolTip(
            "Bars regenerated inside a section that comes back (the A of A A B A) change in every"
            " return the same way. Unticked, only these bars change, and their section becomes"
            " a variant (A′)."
        )
        self.linked.setChecked(True)
        if settings is not None:
            remember(settings, "RegenerateBox", {"linked": self.linked})
        form.addRow(self.linked)
        self.set_parts([])

    def set_parts(self, parts: Sequence[str]) -> None:
        """A check per part of the piece shown (all checked: every part is composed again)."""
        self.parts.set_parts(parts)
        if self.parts_label is not None:
            self.parts_label.setVisible(bool(parts))

    def settings(
        self, bars: tuple[int, int], sampling: SamplingSettings, constraints: Constraints
    ) -> RegenerateSettings:
        """The settings for regenerating these bars (raises ComposeError for a bad choice)."""
        return RegenerateSettings(
            first_bar=bars[0],
            last_bar=bars[1],
            parts=self.parts.chosen(),
            sampling=sampling,
            constraints=constraints,
            **self.form.values(),
        )
