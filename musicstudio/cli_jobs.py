"""CLI commands that need the models: train, compose, play, evaluate (added as they land)."""

from __future__ import annotations

import argparse


def add_job_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the model-related sub-commands."""
