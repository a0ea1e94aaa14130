"""In-app playback of MIDI through pygame's mixer (the FluidSynth inside the pygame wheel).

Qt-free: the SoundFont backend of the one player (player.py), whose hooks (started,
finished, failed) a thin Qt subclass turns into signals. SDL_mixer reads the SoundFont from SDL_SOUNDFONTS each time it loads a
MIDI file (pygame 2.6 has no set_soundfont), so the player sets it just before every load;
only the mixer is initialised, never all of pygame. MIDI cannot seek, so position is
polled with get_pos() and the end is noticed by poll(), which a timer calls.
"""

from __future__ import annotations

import os
from pathlib import Path

from musicstudio.core.base.resources import resources_dir
from musicstudio.core.sound.player import PlaybackError, Player

__all__ = ["MidiPlayer", "PlaybackError", "check_soundfont", "find_soundfont"]

SOUNDFONT_SUFFIXES = (".sf2", ".sf3")
#: Mixer format: 44.1 kHz, signed 16-bit, stereo (the layout of SDL_DISKAUDIOFILE in tests).
SAMPLE_RATE, SAMPLE_SIZE, CHANNELS = 44100, -16, 2


def check_soundfont(path: str | os.PathLike[str]) -> Path:
    """A usable SoundFont path, or PlaybackError: FluidSynth plays silence for a bad one."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise PlaybackError(f"SoundFont {p} does not exist")
    if p.suffix.lower() not in SOUNDFONT_SUFFIXES:
        raise PlaybackError(f"{p.name} is not a SoundFont (.sf2 or .sf3)")
    try:
        with p.open("rb") as f:
            head = f.read(12)
    except OSError as e:
        raise PlaybackError(f"cannot read SoundFont {p}: {e.strerror or e}") from e
    if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise PlaybackError(f"{p.name} is damaged or not a SoundFont; choose another .sf2/.sf3")
    return p.resolve()


def find_soundfont(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The SoundFont to use: an explicit path, MUSICSTUDIO_SOUNDFONT, or the one shipped."""
    for chosen in (explicit, os.environ.get("MUSICSTUDIO_SOUNDFONT")):
        if chosen:
            return check_soundfont(chosen)
    folder = resources_dir() / "soundfonts"
    shipped = sorted(folder.glob("*.sf[23]")) if folder.is_dir() else []
    if not shipped:
        raise PlaybackError(
            f"no SoundFont in {folder}: set MUSICSTUDIO_SOUNDFONT to a General MIDI .sf2/.sf3 file"
        )
    return check_soundfont(shipped[0])


class MidiPlayer(Player):
    """The built-in backend: one MIDI file at a time through pygame's mixer and a SoundFont."""

    def __init__(self, soundfont: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self._explicit = soundfont
        self._soundfont: Path | None = None
        self._ready = False  # the mixer is open
        self._owns_mixer = False  # we opened it, so close() shuts it

    @property
    def soundfont(self) -> Path:
        """The SoundFont this player loads (resolved once, checked to be a real SoundFont)."""
        if self._soundfont is None:
            self._soundfont = find_soundfont(self._explicit)
        return self._soundfont

    def _open(self) -> None:
        if self._ready:
            return
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        try:
            import pygame
        except ImportError as e:
            raise PlaybackError(f"pygame is not installed: {e}") from e
        if pygame.mixer.get_init() is None:
            try:
                pygame.mixer.init(frequency=SAMPLE_RATE, size=SAMPLE_SIZE, channels=CHANNELS)
            except pygame.error as e:
                raise PlaybackError(
                    f"no audio device is available ({e}); export the MIDI file to play it elsewhere"
                ) from e
            self._owns_mixer = True
        self._ready = True

    def _start_file(self, path: Path) -> str:
        if not path.is_file():
            raise PlaybackError(f"{path} does not exist")
        soundfont = self.soundfont
        self._open()
        self._load_and_start(path, soundfont)
        return str(path)

    def _load_and_start(self, path: Path, soundfont: Path) -> None:
        import pygame

        os.environ["SDL_SOUNDFONTS"] = str(soundfont)  # read by SDL_mixer at every load
        try:
            pygame.mixer.music.load(str(path))
            pygame.mixer.music.play()
        except pygame.error as e:
            if "timidity" in str(e).lower():  # FluidSynth refused; SDL fell back to Timidity
                raise PlaybackError(
                    f"the synthesizer could not load SoundFont {soundfont.name}; choose another"
                ) from e
            raise PlaybackError(f"cannot play {path.name}: {e}") from e

    def _halt(self) -> None:
        if self._ready and self._playing:
            import pygame

            pygame.mixer.music.stop()

    def _busy(self) -> bool:
        import pygame

        return bool(pygame.mixer.music.get_busy())

    def _elapsed(self) -> float:
        import pygame

        return float(pygame.mixer.music.get_pos()) / 1000.0 if self._ready else 0.0

    def _release(self) -> None:
        if self._ready and self._owns_mixer:
            import pygame

            pygame.mixer.quit()
        self._ready = self._owns_mixer = False
