"""FluidSynth through ctypes: the SoundFont synthesizer inside pygame's wheel, rendering offline.

Why not symusic's synthesizer (Prestosynth): in symusic 0.6.0 `Synthesizer.render` cannot hand
its audio back to Python (the binding returns an Eigen array with no converter compiled in:
"Unable to convert function return value to a Python type"), and symusic 0.5.9, whose render
does return, plays the shipped FluidR3Mono SF3 out of tune (an A4 sounds at 785 Hz on the
piano, 232 Hz on the flute; FluidSynth: 440 Hz). Why by hand: pyfluidsynth would need a system
FluidSynth, while the pygame wheel MusicStudio depends on carries libfluidsynth (SDL_mixer plays
MIDI with it, core/sound/playback.py). A dozen functions of FluidSynth's stable 2.x C API are called.
The MIDI player advances with the samples rendered (player.timing-source=sample), so a minute
of music takes about half a second, in blocks: `on_block` may report progress or raise to stop.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from musicstudio.core.base.errors import MusicStudioError

BLOCK = 4096  # frames per write: ~0.1 s at 44.1 kHz, the grain of progress and cancel
TAIL_SECONDS = 3.0  # at most this long after the last event, while notes still ring
PLAYING = 1  # FLUID_PLAYER_PLAYING
_P, _S, _D, _I = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double, ctypes.c_int
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "new_fluid_settings": (_P, []),
    "fluid_settings_setnum": (_I, [_P, _S, _D]),
    "fluid_settings_setint": (_I, [_P, _S, _I]),
    "fluid_settings_setstr": (_I, [_P, _S, _S]),
    "new_fluid_synth": (_P, [_P]),
    "fluid_synth_sfload": (_I, [_P, _S, _I]),
    "new_fluid_player": (_P, [_P]),
    "fluid_player_add_mem": (_I, [_P, _P, ctypes.c_size_t]),
    "fluid_player_play": (_I, [_P]),
    "fluid_player_get_status": (_I, [_P]),
    "fluid_synth_write_float": (_I, [_P, _I, _P, _I, _I, _P, _I, _I]),
    "fluid_synth_get_active_voice_count": (_I, [_P]),
    "delete_fluid_player": (None, [_P]),
    "delete_fluid_synth": (None, [_P]),
    "delete_fluid_settings": (None, [_P]),
}


class FluidSynthError(MusicStudioError):
    """FluidSynth is missing here or refused the SoundFont or the MIDI, with why."""


def _candidates() -> list[str]:
    """Where a libfluidsynth may be: pygame's wheel (Linux, macOS, Windows), then the system."""
    found: list[str] = []
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame.mixer  # loads SDL_mixer, and with it the libraries FluidSynth needs
    except ImportError:
        pass
    else:
        base = Path(pygame.__file__).parent
        # The wheel's folders on Linux, macOS and Windows; the app's own folder when frozen.
        for folder in (base.parent / "pygame.libs", base / ".dylibs", base, base.parent):
            found += [str(p) for p in sorted(folder.glob("*fluidsynth*")) if _is_library(p)]
    system = ctypes.util.find_library("fluidsynth") or ctypes.util.find_library("libfluidsynth-3")
    return [*found, system] if system else found


def _is_library(path: Path) -> bool:
    return path.is_file() and any(s in (".so", ".dylib", ".dll") for s in path.suffixes)


@cache
def library() -> ctypes.CDLL:
    """libfluidsynth with the signatures used here, or FluidSynthError naming what was tried."""
    tried = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype, fn.argtypes = restype, argtypes
        except (OSError, AttributeError) as e:
            tried.append(f"{Path(path).name}: {e}")
            continue
        return lib
    raise FluidSynthError(
        "no FluidSynth library was found (pygame's wheel carries one; reinstall pygame)"
        + (f": {'; '.join(tried)}" if tried else "")
    )


def synthesize(
    midi: bytes,
    soundfont: Path,
    sample_rate: int,
    on_block: Callable[[float], None] = lambda seconds: None,
) -> np.ndarray:
    """(frames, 2) float32 audio of a standard MIDI file, its release tail included.

    `on_block(seconds rendered)` runs after every block; an exception it raises stops the
    render (the synthesizer is freed either way).
    """
    lib = library()
    settings = lib.new_fluid_settings()
    synth = player = None
    try:
        lib.fluid_settings_setnum(settings, b"synth.sample-rate", float(sample_rate))
        lib.fluid_settings_setstr(settings, b"player.timing-source", b"sample")
        lib.fluid_settings_setint(settings, b"synth.lock-memory", 0)
        # Decode an SF3's compressed samples only for the programs the piece plays: 0.2 s to
        # load the shipped SoundFont instead of 4 s.
        lib.fluid_settings_setint(settings, b"synth.dynamic-sample-loading", 1)
        synth = lib.new_fluid_synth(settings)
        if not synth:
            raise FluidSynthError("FluidSynth could not start a synthesizer")
        if lib.fluid_synth_sfload(synth, os.fsencode(soundfont), 1) < 0:
            raise FluidSynthError(f"FluidSynth could not load the SoundFont {soundfont.name}")
        player = lib.new_fluid_player(synth)
        data = ctypes.create_string_buffer(midi, len(midi))
        if lib.fluid_player_add_mem(player, data, len(midi)) != 0 or lib.fluid_player_play(player):
            raise FluidSynthError("FluidSynth could not read the MIDI data")
        blocks: list[np.ndarray] = []
        tail = 0
        while tail * BLOCK < TAIL_SECONDS * sample_rate:
            if lib.fluid_player_get_status(player) != PLAYING:
                if lib.fluid_synth_get_active_voice_count(synth) == 0:
                    break
                tail += 1
            block = np.zeros((BLOCK, 2), np.float32)  # interleaved: left at 0, right at 1
            lib.fluid_synth_write_float(
                synth, BLOCK, block.ctypes.data, 0, 2, block.ctypes.data, 1, 2
            )
            blocks.append(block)
            on_block(len(blocks) * BLOCK / sample_rate)
        return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)
    finally:
        if player:
            lib.delete_fluid_player(player)
        if synth:
            lib.delete_fluid_synth(synth)
        lib.delete_fluid_settings(settings)
