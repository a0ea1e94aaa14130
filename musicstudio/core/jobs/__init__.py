"""Long work as typed jobs: cancel tokens, progress events, the job catalog, the engine process.

A job is a small dataclass that names its data (corpus folders and scan options, a bundle
path) and has `run(progress, cancel, workspace)`. The CLI runs jobs in its own process; the
app hands them to the engine process. Neither knows Qt.
"""
