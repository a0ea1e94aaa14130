"""Audio files of a piece: the General MIDI SoundFont played offline into a 16-bit stereo WAV.

A musician who sends a piece to a friend sends something any phone plays. FluidSynth
synthesizes (sound/fluidsynth.py says why not symusic's synthesizer); the level is set by the
peak, at -1 dBFS, since FluidSynth's default gain of 0.2 leaves a piece faint.
"""

from __future__ import annotations

import io
import os
import wave
from pathlib import Path

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.files import atomic_write_bytes
from musicstudio.core.base.progress import ProgressFn, Rendering, no_progress
from musicstudio.core.music.midi import MidiError, NoteArray, midi_bytes, read_midi
from musicstudio.core.music.midi_repair import repair_midi_bytes
from musicstudio.core.sound.fluidsynth import synthesize
from musicstudio.core.sound.playback import find_soundfont

PEAK = 10 ** (-1 / 20)  # -1 dBFS: loud enough to send, never clipped by a converter
RATES = (8000, 192000)  # sample rates accepted, Hz


class RenderError(MusicStudioError):
    """No audio could be made (nothing to play, no synthesizer, an unwritable file), and why."""


def render_wav(
    source: str | os.PathLike[str] | NoteArray,
    out_path: str | os.PathLike[str],
    soundfont: str | os.PathLike[str] | None = None,
    sample_rate: int = 44100,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
) -> Path:
    """Synthesize a MIDI file (or a piece's notes) and write it as a WAV file, atomically.

    `soundfont`: an .sf2/.sf3 (default: MUSICSTUDIO_SOUNDFONT or the one shipped). Raises
    MidiError for a file that is not MIDI, MusicStudioError subclasses for the rest (nothing
    to play, a bad SoundFont, an unwritable file), Cancelled when `cancel` is set.
    """
    cancel = cancel or CancelToken()
    if not RATES[0] <= sample_rate <= RATES[1]:
        raise RenderError(f"sample rate {sample_rate} Hz is outside {RATES[0]}..{RATES[1]} Hz")
    out = writable(Path(out_path))
    midi, total = midi_of(source)
    font = find_soundfont(soundfont)

    def on_block(seconds: float) -> None:
        cancel.raise_if_cancelled()
        progress(min(0.99, seconds / max(total, 1e-3)), Rendering(seconds, total))

    on_block(0.0)
    audio = synthesize(midi, font, sample_rate, on_block)
    cancel.raise_if_cancelled()
    write_wav(out, audio, sample_rate)
    progress(1.0, Rendering(len(audio) / sample_rate, total))
    return out


def writable(path: Path) -> Path:
    """`path`, its folder made if missing; RenderError before any work if it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        raise RenderError(f"cannot write {path}: {e.filename} is a file, not a folder") from e
    except OSError as e:
        raise RenderError(f"cannot write {path}: {e.strerror or e}") from e
    if path.is_dir():
        raise RenderError(f"cannot write {path}: it is a folder")
    if not os.access(path.parent, os.W_OK):
        raise RenderError(f"cannot write {path}: the folder {path.parent} is not writable")
    return path


def midi_of(source: str | os.PathLike[str] | NoteArray) -> tuple[bytes, float]:
    """The standard MIDI bytes to play and their length in seconds (MidiError if unusable)."""
    from symusic import Score

    if isinstance(source, NoteArray):
        if len(source) == 0:  # before writing: no voice to give a track
            raise RenderError("there are no notes to play")
        notes, data = source, midi_bytes(source)
    else:
        path = Path(source)
        notes = read_midi(path)  # a missing, empty, huge or malformed file says why
        try:
            data = path.read_bytes()
        except OSError as e:
            raise MidiError(f"cannot read: {e.strerror or e}") from e
        if notes.repaired:
            data = repair_midi_bytes(data)[0]
    if len(notes) == 0:
        raise RenderError("there are no notes to play")
    return data, float(Score.from_midi(data).to("second").end())


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """16-bit stereo PCM with its peak at PEAK, written atomically (folders made as needed)."""
    stereo = audio.reshape(len(audio), -1)
    if stereo.shape[1] == 1:
        stereo = np.repeat(stereo, 2, axis=1)
    peak = float(np.abs(stereo).max(initial=0.0))
    scale = 32767 * PEAK / peak if peak > 0 else 0.0
    pcm = np.clip(np.round(stereo[:, :2] * scale), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    try:
        atomic_write_bytes(writable(path), buffer.getvalue())
    except OSError as e:
        raise RenderError(f"cannot write {path}: {e.strerror or e}") from e
    return path
