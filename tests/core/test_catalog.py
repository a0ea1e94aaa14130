"""Every job the catalog declares is a `Job`: what the engine, the app and mypy accept."""

from __future__ import annotations

import inspect
import typing

from musicstudio.core.app import catalog


def test_the_job_union_names_every_job_of_the_catalog() -> None:
    declared = {
        cls
        for _, cls in inspect.getmembers(catalog, inspect.isclass)
        if cls.__module__ == catalog.__name__ and isinstance(getattr(cls, "kind", None), str)
    }
    assert {"regenerate", "closeness", "measure", "render"} <= {c.kind for c in declared}
    assert declared == set(typing.get_args(catalog.Job))
