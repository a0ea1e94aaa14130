"""MusicStudio: learn music from your own MIDI files and compose new music."""

__version__ = "0.1.0"
