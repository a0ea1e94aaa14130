"""In-app playback of MIDI through pygame's mixer (the FluidSynth inside the pygame wheel).

Qt-free: a player with hook methods (started, finished, failed) that a thin Qt subclass
turns into signals. The SoundFont must be named in SDL_SOUNDFONTS before the mixer opens
(pygame 2.6 has no set_soundfont); only the mixer is initialised, never all of pygame.
MIDI cannot seek, so position is polled with get_pos().
"""

from __future__ import annotations

import os
from pathlib import Path

from musicstudio.core.resources import resources_dir

SOUNDFONT_SUFFIXES = (".sf2", ".sf3")


class PlaybackError(Exception):
    """Playback is impossible here (no audio device, no SoundFont, unreadable file), with the reason."""


def find_soundfont(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The SoundFont to use: an explicit path, MUSICSTUDIO_SOUNDFONT, or the one shipped."""
    candidates = [explicit, os.environ.get("MUSICSTUDIO_SOUNDFONT")]
    for c in candidates:
        if c:
            p = Path(c).expanduser()
            if not p.is_file():
                raise PlaybackError(f"SoundFont {p} does not exist")
            if p.suffix.lower() not in SOUNDFONT_SUFFIXES:
                raise PlaybackError(f"{p.name} is not a SoundFont (.sf2 or .sf3)")
            return p.resolve()
    folder = resources_dir() / "soundfonts"
    shipped = sorted(folder.glob("*.sf[23]")) if folder.is_dir() else []
    if not shipped:
        raise PlaybackError(
            "no SoundFont found: set MUSICSTUDIO_SOUNDFONT to a General MIDI .sf2/.sf3 file"
        )
    return shipped[0].resolve()


class MidiPlayer:
    """Plays one MIDI file at a time; call poll() from a timer to get `finished`."""

    def __init__(self, soundfont: str | os.PathLike[str] | None = None) -> None:
        self._explicit = soundfont
        self._ready = False
        self._playing = False
        self._soundfont: Path | None = None

    @property
    def soundfont(self) -> Path:
        if self._soundfont is None:
            self._soundfont = find_soundfont(self._explicit)
        return self._soundfont

    def _open(self) -> None:
        if self._ready:
            return
        os.environ["SDL_SOUNDFONTS"] = str(self.soundfont)
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        try:
            import pygame
        except ImportError as e:
            raise PlaybackError(f"pygame is not installed: {e}") from e
        try:
            pygame.mixer.init(frequency=44100, size=-16, channels=2)
        except pygame.error as e:
            raise PlaybackError(
                f"no audio device is available ({e}); export the MIDI file to play it elsewhere"
            ) from e
        self._ready = True

    def play(self, path: str | os.PathLike[str]) -> None:
        """Start playing a MIDI file from the beginning."""
        path = Path(path)
        if not path.is_file():
            raise PlaybackError(f"{path} does not exist")
        self._open()
        import pygame

        try:
            pygame.mixer.music.load(str(path))
            pygame.mixer.music.play()
        except pygame.error as e:
            self._playing = False
            self.on_failed(str(e))
            raise PlaybackError(f"cannot play {path.name}: {e}") from e
        self._playing = True
        self.on_started(path)

    def stop(self) -> None:
        if self._ready and self._playing:
            import pygame

            pygame.mixer.music.stop()
        self._playing = False

    @property
    def is_playing(self) -> bool:
        return self._playing

    @property
    def position(self) -> float:
        """Seconds since play() (0 when stopped)."""
        if not (self._ready and self._playing):
            return 0.0
        import pygame

        return max(0.0, pygame.mixer.music.get_pos() / 1000.0)

    def poll(self) -> None:
        """Notice the end of the music; fires on_finished once."""
        if not (self._ready and self._playing):
            return
        import pygame

        if not pygame.mixer.music.get_busy():
            self._playing = False
            self.on_finished()

    def close(self) -> None:
        self.stop()
        if self._ready:
            import pygame

            pygame.mixer.quit()
            self._ready = False

    # -- hooks (a Qt subclass turns these into signals) -------------------------------------
    def on_started(self, path: Path) -> None:
        """Playback of `path` began."""

    def on_finished(self) -> None:
        """The music reached its end."""

    def on_failed(self, message: str) -> None:
        """The file could not be played."""
