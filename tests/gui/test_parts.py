"""The whole band in the GUI: part colours, mute/solo while playing, the parts filter,
"Play as learned", and an instrument per voice when composing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from musicstudio.core.compose.composer import Composition
from musicstudio.core.music.midi import NoteArray, read_midi
from musicstudio.core.music.parts import BASS, DRUMS, KEYS, PART_COLOURS, PARTS
from musicstudio.core.music.vocab import N_STREAMS
from musicstudio.core.music.voices import DEFAULT_VOICE_PROGRAMS, VOICES
from musicstudio.gui.widgets.instruments import GM_PROGRAMS, PartInstruments
from musicstudio.gui.widgets.part_legend import audible_notes
from musicstudio.gui.widgets.piano_roll import PianoRoll

LEFT = Qt.MouseButton.LeftButton


def band(quarters: int = 32) -> NoteArray:
    """Keys chords every two quarters, snare and hi-hat every eighth, at 120 BPM."""
    chords = [(float(q), p) for q in range(0, quarters, 2) for p in (48, 52, 55)]
    hits = [(i * 0.5, 42 if i % 2 else 38) for i in range(2 * quarters)]
    return NoteArray.from_lists(
        onset=[t for t, _ in chords + hits],
        duration=[2.0] * len(chords) + [0.25] * len(hits),
        pitch=[p for _, p in chords + hits],
        velocity=[80] * len(chords) + [120] * len(hits),
        tempo_qpm=120,
        part=[KEYS] * len(chords) + [DRUMS] * len(hits),
    )


def audio(path: Path) -> np.ndarray:
    """The disk audio driver's file: 44.1 kHz signed 16-bit stereo, as mono floats."""
    return np.fromfile(path, np.int16).reshape(-1, 2).astype(float).mean(axis=1)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


def treble_share(x: np.ndarray) -> float:
    """Share of the energy above 4 kHz (snares and hi-hats live there, a low piano does not)."""
    power = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / 44100)
    return float(power[freqs > 4000].sum() / power.sum())


def hue_distance(a: QColor, b: QColor) -> int:
    d = abs(a.hue() - b.hue()) % 360
    return min(d, 360 - d)


@pytest.fixture
def roll(qtbot) -> PianoRoll:  # type: ignore[no-untyped-def]
    w = PianoRoll()
    qtbot.addWidget(w)
    w.resize(800, 420)
    w.show()
    qtbot.waitExposed(w)
    return w


# -- the piano roll -----------------------------------------------------------------------------
def test_roll_paints_each_part_in_its_colour_and_mutes_from_the_legend(roll, qtbot) -> None:  # type: ignore[no-untyped-def]
    notes = NoteArray.from_lists(
        onset=[0, 1, 0.5],
        duration=[2, 2, 0.25],
        pitch=[72, 40, 38],
        velocity=[127, 127, 127],
        part=[KEYS, BASS, DRUMS],
    )
    roll.set_notes(notes)
    assert roll.parts() == [KEYS, BASS, DRUMS]
    assert roll.legend.isVisible() and set(roll.legend.mute_buttons) == {KEYS, BASS, DRUMS}
    rects = dict(zip((0.0, 0.5, 1.0), roll.visible_note_rects(), strict=True))  # onset order
    where = {KEYS: rects[0.0], DRUMS: rects[0.5], BASS: rects[1.0]}
    assert where[DRUMS].width() < where[KEYS].width() / 4  # a drum hit is a mark, not a bar

    def pixel(part: int) -> QColor:
        centre = roll.viewport().mapTo(roll, where[part].center().toPoint())
        return roll.grab().toImage().pixelColor(centre)

    for part in (KEYS, BASS, DRUMS):
        seen, want = pixel(part), QColor(PART_COLOURS[part])
        assert hue_distance(seen, want) <= 8, (PARTS[part], seen.name(), want.name())
        assert seen.saturation() > 0.8 * want.saturation(), (PARTS[part], seen.name())

    with qtbot.waitSignal(roll.audible_changed):
        qtbot.mouseClick(roll.legend.mute_buttons[BASS], LEFT)
    assert roll.audible_parts() == {KEYS, DRUMS}
    assert pixel(BASS).saturation() < 0.4 * QColor(PART_COLOURS[BASS]).saturation()  # faded
    assert hue_distance(pixel(KEYS), QColor(PART_COLOURS[KEYS])) <= 8
    assert "(muted)" in roll._tooltip_at(where[BASS].center().toPoint())
    with qtbot.waitSignal(roll.audible_changed):
        qtbot.mouseClick(roll.legend.solo_buttons[DRUMS], LEFT)
    assert roll.audible_parts() == {DRUMS}  # solo: only the soloed parts, less the muted ones


def test_audible_notes_leave_out_muted_parts_and_start_at_the_playhead() -> None:
    notes = band(8)
    keys_only = audible_notes(notes, {KEYS}, 0.0)
    assert set(keys_only.parts.tolist()) == {KEYS} and len(keys_only) == 12
    later = audible_notes(notes, {KEYS, DRUMS}, 3.0)
    assert later.onset.min() == 0.0
    # The chord struck at 2 still sounds at 3: it comes back for its last quarter.
    held = (later.parts == KEYS) & (later.onset == 0.0)
    assert held.sum() == 3 and np.allclose(later.duration[held], 1.0)
    assert np.isclose(later.select(later.parts == DRUMS).onset.min(), 0.0)  # the hit at 3
    assert len(later) == len(notes.select(notes.onset + notes.duration > 3.0))


# -- compose panel: mute while playing ---------------------------------------------------------
def piece(notes: NoteArray) -> Composition:
    empty = np.zeros((1, N_STREAMS), np.int32)
    return Composition(np.zeros((len(notes), N_STREAMS), np.int32), notes, empty, 0.1)


def test_muting_drums_while_playing_changes_what_is_heard(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    window.tabs.setCurrentWidget(cp)
    cp._on_result([piece(band(32))])  # as the engine hands a composition back (16 s of music)
    roll = cp.tabs.currentWidget()
    assert roll.parts() == [KEYS, DRUMS]
    qtbot.mouseClick(cp.play_button, LEFT)
    qtbot.wait(2500)
    assert window.player.is_playing
    raw = tmp_path / "audio.raw"
    split = raw.stat().st_size // 4  # stereo 16-bit frames written so far
    with qtbot.waitSignal(roll.audible_changed):
        qtbot.mouseClick(roll.legend.mute_buttons[DRUMS], LEFT)
    assert window.player.is_playing
    qtbot.wait(2500)
    assert roll.playhead() > 7.0  # went on from the playhead (~5), not from the start
    qtbot.mouseClick(cp.stop_button, LEFT)
    assert not window.player.is_playing and roll.playhead() is None

    samples = audio(raw)
    margin = 44100 // 4  # leave out the audio buffers around the restart
    with_drums, without = samples[margin : split - margin], samples[split + margin :]
    assert with_drums.size > 44100 and without.size > 44100
    assert rms(with_drums) > 100 and rms(without) > 100  # neither silent: the keys play on
    assert treble_share(without) < 0.3 * treble_share(with_drums)


# -- dataset panel --------------------------------------------------------------------------------
def test_parts_filter_reaches_the_scan(window, qtbot, band_dir: Path) -> None:  # type: ignore[no-untyped-def]
    ds = window.dataset
    ds.load([str(band_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    corpus = window.session.corpus
    assert corpus.options.parts is None and "drums" in corpus.stats["parts"]
    assert ds.table_model.data(ds.table_model.index(0, 3)) == "keys, bass, strings, lead, drums"
    assert "drum kit" in ds.summary.text() and "Note recall (onset, pitch, voice, duration)" in (
        ds.summary.text()
    )
    tooltip = ds.table_model.data(ds.table_model.index(0, 3), Qt.ItemDataRole.ToolTipRole)
    assert "Keys 1 — " in tooltip and "Bass 1 — Finger Bass: " in tooltip  # voices, instruments

    ds.parts.setCurrentIndex(ds.parts.findText("All but drums"))
    no_drums = tuple(p for p in range(len(PARTS)) if p != DRUMS)
    qtbot.waitUntil(
        lambda: ds.scan_thread is None and window.session.corpus.options.parts == no_drums,
        timeout=60_000,
    )
    stats = window.session.corpus.stats
    assert "drums" not in stats["parts"] and {"keys", "bass"} <= set(stats["parts"])
    assert all("drums" not in ds.table_model.data(ds.table_model.index(r, 3)) for r in range(12))

    ds.parts.setCurrentIndex(ds.parts.findText("Drums only"))
    qtbot.waitUntil(
        lambda: ds.scan_thread is None and window.session.corpus.options.parts == (DRUMS,),
        timeout=60_000,
    )
    assert list(window.session.corpus.stats["parts"]) == ["drums"]


def test_play_as_learned_plays_the_selected_file(
    window, qtbot, band_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ds = window.dataset
    ds.load([str(band_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    assert not ds.play_button.isEnabled()  # nothing selected yet
    table = ds.table
    row = table.visualRect(table.model().index(2, 0)).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=row)
    assert ds.selected_path() == ds.table_model.rows[2].path
    assert [a.text() for a in ds.context_menu().actions()] == ["Play as learned"]

    qtbot.mouseClick(ds.play_button, LEFT)
    assert window.player.is_playing and ds.play_button.text() == "■ Stop"
    status = ds.play_status.text()
    assert status.startswith(f"Playing {Path(ds.selected_path()).name} as learned"), status
    percent = float(status.split("duration): ")[1].split("%")[0])
    assert percent >= 99.0, status
    learned = read_midi(window.player.last_rendered)  # what the player was given
    assert set(learned.notes_per_part()) == {"keys", "bass", "strings", "lead", "drums"}
    qtbot.wait(1500)
    assert [a.text() for a in ds.context_menu().actions()] == ["Stop"]
    qtbot.mouseClick(ds.play_button, LEFT)  # stop
    assert not window.player.is_playing and ds.play_button.text() == "▶ Play as learned"
    assert ds.play_status.text().startswith("Played ")

    samples = audio(tmp_path / "audio.raw")
    assert samples.size > 44100 and rms(samples) > 100  # real, non-silent samples


# -- compose panel: instruments -----------------------------------------------------------------
def test_instrument_rows_follow_the_model_voices(qtbot) -> None:  # type: ignore[no-untyped-def]
    box = PartInstruments()
    qtbot.addWidget(box)
    programs = list(DEFAULT_VOICE_PROGRAMS)
    programs[VOICES.index("bass 1")] = 34
    programs[VOICES.index("keys 2")] = 16
    box.set_voices(["drums", "keys 2", "keys 1", "bass 1"], programs)
    assert list(box.boxes) == ["keys 1", "keys 2", "bass 1"]  # slot order; drums: no program
    assert box.programs() == {"keys 1": 0, "keys 2": 16, "bass 1": 34}
    assert box.boxes["bass 1"].currentText() == GM_PROGRAMS[34] == "Pick Bass"
    assert box.boxes["keys 2"].currentText() == "Drawbar Organ"  # piano and organ stay apart
    qtbot.mouseClick(box.single, LEFT, pos=QPoint(6, box.single.height() // 2))
    assert box.single.isChecked()
    assert box.single_program.isEnabled() and not box.boxes["keys 1"].isEnabled()
    box.set_voices(["keys 1"], programs)
    assert list(box.boxes) == ["keys 1"] and not box.boxes["keys 1"].isEnabled()


def test_compose_plays_each_voice_on_the_chosen_instrument(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    cp = window.compose
    sample = next(m for m in window.session.models if m.sample)
    window.session.select_model(sample.path)
    window.tabs.setCurrentWidget(cp)
    inst = cp.instruments
    assert (
        list(inst.boxes) == sorted((v for v in sample.voices if v != "drums"), key=VOICES.index)
        and "keys 1" in inst.boxes
    )
    assert inst.programs() == {v: sample.programs[VOICES.index(v)] for v in inst.boxes}
    inst.boxes["keys 1"].setCurrentIndex(inst.boxes["keys 1"].findText("Electric Piano 1"))
    assert cp.settings().programs["keys 1"] == 4 and not cp.settings().single_instrument

    cp.length.setValue(64)
    cp.seed.setValue(1)  # one piece, not a random one: how many notes the keys get is the piece's
    qtbot.mouseClick(cp.compose_button, LEFT)
    qtbot.waitUntil(lambda: len(cp.pieces) == 1, timeout=120_000)
    written = read_midi(cp.files[0])  # the composition's MIDI file
    keys = written.voices == VOICES.index("keys 1")
    assert keys.sum() > 10 and set(written.program[keys].tolist()) == {4}

    inst.single.setChecked(True)
    inst.single_program.setCurrentIndex(inst.single_program.findText("Flute"))
    assert cp.settings().single_instrument and cp.settings().program == 73
    qtbot.mouseClick(cp.compose_button, LEFT)
    qtbot.waitUntil(lambda: cp.compose_button.isEnabled(), timeout=120_000)
    written = read_midi(cp.files[0])
    assert len(written) > 10 and set(written.program.tolist()) == {73}
    assert DRUMS not in written.parts


def test_the_one_player_follows_the_panel_that_started_it(window, qtbot, band_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """One player, one timer: a panel follows only music it started, and every panel hears
    the end, whether it came by itself, by Stop, or because another panel played."""
    ds, cp = window.dataset, window.compose
    ds.load([str(band_dir)])
    qtbot.waitUntil(lambda: window.session.corpus is not None, timeout=60_000)
    table = ds.table
    qtbot.mouseClick(
        table.viewport(), LEFT, pos=table.visualRect(table.model().index(0, 0)).center()
    )
    qtbot.mouseClick(ds.play_button, LEFT)
    assert window.player.owner is ds.files and ds.play_button.text() == "■ Stop"

    window.tabs.setCurrentWidget(cp)
    cp._on_result([piece(band(4))])  # two seconds of music
    roll = cp.tabs.currentWidget()
    qtbot.mouseClick(cp.play_button, LEFT)  # the Compose panel takes the player over
    assert window.player.owner is cp.transport and window.player.is_playing
    assert ds.play_button.text() == "▶ Play as learned" and ds.play_status.text().startswith(
        "Played "
    )
    qtbot.waitUntil(lambda: (roll.playhead() or 0) > 0.5, timeout=5000)  # the playhead follows
    with qtbot.waitSignal(window.player.finished, timeout=10_000):
        pass  # the piece ends by itself
    assert not window.player.is_playing and roll.playhead() is None and not cp.transport.active
    assert window.player.timer.isActive() is False  # nothing polls an idle player
