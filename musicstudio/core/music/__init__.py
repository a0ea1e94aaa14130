"""Music as data: MIDI in and out, parts, events, the vocabulary, tonality, metrics, the corpus scan."""
