"""Sound: the piece synthesized with the General MIDI SoundFont (audio files)."""
