"""The app layer of core: typed jobs, the engine process and the workspace.

A job is a small dataclass that names its data (corpus folders and scan options, a bundle
path) and has `run(progress, cancel, workspace)`. The CLI runs jobs in its own process; the
app hands them to the engine processes. Neither knows Qt. This layer may use every other
layer of core (base < music < learn < compose, sound beside compose); none uses it.
"""
