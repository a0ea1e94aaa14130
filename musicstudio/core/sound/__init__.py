"""Sound: playing a piece (the built-in SoundFont player, system MIDI outputs) and rendering
it to audio files with the General MIDI SoundFont. Uses base and music only."""
