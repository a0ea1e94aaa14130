"""The instrument of every voice a model learned (General MIDI programs), or one for everything."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from musicstudio.core.music.parts import DRUMS, PART_COLOURS, PART_LABELS, PARTS
from musicstudio.core.music.voices import DEFAULT_VOICE_PROGRAMS, VOICE_LABELS, VOICE_PART, VOICES

#: The 128 General MIDI program names (program 0 = Acoustic Grand Piano), as the GM 1 standard
#: lists them; typed out here because only the UI shows them.
GM_PROGRAMS = (
    *("Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano"),
    *("Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet"),
    *("Celesta", "Glockenspiel", "Music Box", "Vibraphone"),
    *("Marimba", "Xylophone", "Tubular Bells", "Dulcimer"),
    *("Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ"),
    *("Reed Organ", "Accordion", "Harmonica", "Tango Accordion"),
    *("Nylon Guitar", "Steel Guitar", "Jazz Guitar", "Clean Electric Guitar"),
    *("Muted Electric Guitar", "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics"),
    *("Acoustic Bass", "Finger Bass", "Pick Bass", "Fretless Bass"),
    *("Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2"),
    *("Violin", "Viola", "Cello", "Contrabass"),
    *("Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani"),
    *("String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2"),
    *("Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit"),
    *("Trumpet", "Trombone", "Tuba", "Muted Trumpet"),
    *("French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2"),
    *("Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax"),
    *("Oboe", "English Horn", "Bassoon", "Clarinet"),
    *("Piccolo", "Flute", "Recorder", "Pan Flute"),
    *("Blown Bottle", "Shakuhachi", "Whistle", "Ocarina"),
    *("Square Lead", "Saw Lead", "Calliope Lead", "Chiff Lead"),
    *("Charang Lead", "Voice Lead", "Fifths Lead", "Bass + Lead"),
    *("New Age Pad", "Warm Pad", "Polysynth Pad", "Choir Pad"),
    *("Bowed Pad", "Metallic Pad", "Halo Pad", "Sweep Pad"),
    *("Rain FX", "Soundtrack FX", "Crystal FX", "Atmosphere FX"),
    *("Brightness FX", "Goblins FX", "Echoes FX", "Sci-fi FX"),
    *("Sitar", "Banjo", "Shamisen", "Koto"),
    *("Kalimba", "Bagpipe", "Fiddle", "Shanai"),
    *("Tinkle Bell", "Agogo", "Steel Drums", "Woodblock"),
    *("Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal"),
    *("Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet"),
    *("Telephone Ring", "Helicopter", "Applause", "Gunshot"),
)
assert len(GM_PROGRAMS) == 128


class ProgramBox(QComboBox):
    """A General MIDI program, by name."""

    def __init__(self, program: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for number, name in enumerate(GM_PROGRAMS):
            self.addItem(name, number)
        self.setMaxVisibleItems(16)
        self.set_program(program)

    def program(self) -> int:
        return int(self.currentData())

    def set_program(self, program: int) -> None:
        self.setCurrentIndex(max(0, min(127, int(program))))


def part_label(part: int) -> QLabel:
    """A part's name after a swatch of its piano-roll colour."""
    label = QLabel(f'<span style="color:{PART_COLOURS[part]}">■</span> {PART_LABELS[part]}')
    label.setToolTip(f"The instrument of the {PARTS[part]} part")
    return label


def voice_label(voice: int) -> QLabel:
    """A voice's name after a swatch of its part's piano-roll colour."""
    part = int(VOICE_PART[voice])
    label = QLabel(f'<span style="color:{PART_COLOURS[part]}">■</span> {VOICE_LABELS[voice]}')
    label.setToolTip(f"The instrument of the {VOICES[voice]} voice ({PARTS[part]} part)")
    return label


class PartInstruments(QGroupBox):
    """Per voice the model learned, the program it plays (the corpus's by default); or one
    instrument for all pitched voices, without drums (the original method's output)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Instruments", parent)
        self.form = QFormLayout(self)
        self.boxes: dict[str, ProgramBox] = {}
        self.defaults: dict[str, int] = {}
        self.single = QCheckBox("Single instrument (no drums)")
        self.single.setToolTip(
            "Every pitched voice on one instrument and one track; drums left out"
        )
        self.single_program = ProgramBox(0)
        self.single.toggled.connect(self._update_enabled)
        self.form.addRow(self.single)
        self.form.addRow("Instrument", self.single_program)
        self.set_voices([], list(DEFAULT_VOICE_PROGRAMS))

    def set_voices(self, voices: Sequence[str], programs: Sequence[int]) -> None:
        """Show a row per learned voice (names, in slot order: drums last) with its program
        from `programs` (one per voice slot, the model's own)."""
        while self.form.rowCount() > 2:
            self.form.removeRow(0)
        self.boxes.clear()
        self.defaults.clear()
        if not voices:
            hint = QLabel("Choose a model to pick the instrument of each voice it learned.")
            hint.setWordWrap(True)
            self.form.insertRow(0, hint)
        slots = sorted(VOICES.index(v) for v in voices if v in VOICES)
        for row, voice in enumerate(slots):
            name = VOICES[voice]
            if VOICE_PART[voice] == DRUMS:
                kit = QLabel("Standard drum kit")
                kit.setToolTip("Drums play on MIDI channel 10; they have no program to choose")
                self.form.insertRow(row, voice_label(voice), kit)
                continue
            box = ProgramBox(programs[voice])
            box.setToolTip(f"Instrument of the {name} voice (the training corpus used this one)")
            self.boxes[name] = box
            self.defaults[name] = int(programs[voice])
            self.form.insertRow(row, voice_label(voice), box)
        self._update_enabled()

    def _update_enabled(self) -> None:
        single = self.single.isChecked()
        self.single_program.setEnabled(single)
        for box in self.boxes.values():
            box.setEnabled(not single)

    def programs(self) -> dict[str, int]:
        """The program of every pitched voice shown (voice name → GM program)."""
        return {name: box.program() for name, box in self.boxes.items()}

    def set_program(self, voice: str, program: int) -> None:
        """Choose a voice's program (as picking it in its box)."""
        self.boxes[voice].set_program(program)
