"""The Qt-free core: MIDI, events, vocabulary, corpus, models, training and composing."""
