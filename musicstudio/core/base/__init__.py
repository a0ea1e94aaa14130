"""The base layer of core: what every other layer uses and nothing of theirs.

Errors (one `MusicStudioError`), cancel tokens, typed progress events (with the scan's
`FileReport`), settings declared once, files (atomic writes, array containers) and where the
shipped resources live. Imports nothing from music, learn, compose, sound or app.
"""
