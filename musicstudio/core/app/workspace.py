"""What a process that runs jobs keeps between them: the composer, the last corpus.

The engine keeps one Workspace for its life, so the second Compose with a model skips loading
it, and measuring against the corpus reads it once; the CLI makes one per command.
"""

from __future__ import annotations

import itertools
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.progress import ProgressFn, no_progress
from musicstudio.core.learn.bundle import ModelBundle
from musicstudio.core.music.corpus import Corpus, CorpusSource

if TYPE_CHECKING:
    from musicstudio.core.compose.composer import Composer


#: What a bundle's caches are keyed by: ("file", resolved path, mtime_ns, size) for the bundle
#: the workspace loaded from a file, ("made", n) for one made in memory (a token of its own).
BundleKey = tuple[str, str, int, int] | tuple[str, int]


def file_key(path: str | Path) -> tuple[str, str, int, int]:
    """A model file as it is now: another file, or this one rewritten, gives another key."""
    path = Path(path)
    stat = path.stat()
    return ("file", str(path.resolve()), stat.st_mtime_ns, stat.st_size)


class Workspace:
    """Caches keyed by what they were made from: a file changed on disk is read again.

    Bundles are keyed by their file and its modification time, never by `id()`: CPython gives
    a new object the id of a freed one, so a new model would get the last one's profile."""

    def __init__(self, scan_workers: int | None = None) -> None:
        self.scan_workers = scan_workers  # parser processes of a scan (None: one per core)
        self._composer: tuple[tuple[str, str, int, int], Composer] | None = None
        self._corpus: tuple[Any, Corpus] | None = None
        self._profile: tuple[Any, Any] | None = None
        self._reference: tuple[Any, Any] | None = None
        self._tokens: tuple[Any, list[Any]] | None = None
        self._novelty: tuple[Any, Any] | None = None
        #: bundles made in memory, each with its token while it lives (id() checked by weakref)
        self._made: dict[int, tuple[weakref.ref[ModelBundle], int]] = {}
        self._tokens_made = itertools.count(1)

    def composer(self, bundle_path: str | Path) -> Composer:
        """The composer of a bundle (one model at a time)."""
        from musicstudio.core.compose.composer import Composer
        from musicstudio.core.learn.bundle import load_bundle

        key = file_key(bundle_path)
        if self._composer is None or self._composer[0] != key:
            self._composer = None  # free the old model before loading the new one
            self._composer = (key, Composer(load_bundle(bundle_path)))
        return self._composer[1]

    def bundle_key(self, bundle: ModelBundle) -> BundleKey:
        """What a bundle's caches are keyed by: the file (and its modification time) the
        workspace loaded it from, else a token of its own that no other bundle gets."""
        if self._composer is not None and self._composer[1].bundle is bundle:
            return self._composer[0]
        held = self._made.get(id(bundle))
        if held is None or held[0]() is not bundle:  # new, or a freed bundle's id reused
            self._made = {i: h for i, h in self._made.items() if h[0]() is not None}
            held = self._made[id(bundle)] = (weakref.ref(bundle), next(self._tokens_made))
        return ("made", held[1])

    def corpus(
        self,
        source: CorpusSource,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
    ) -> Corpus:
        """The scanned corpus of a source; the scan cache on disk notices changed files."""
        if self._corpus is None or self._corpus[0] != source:
            self._corpus = (source, source.load(progress, cancel, self.scan_workers))
        return self._corpus[1]

    def profile(self, bundle: ModelBundle, source: CorpusSource | None) -> Any:
        """What compositions are measured against: the corpus, else the bundle's primers."""
        from musicstudio.core.music.metrics import CorpusProfile

        key = (self.bundle_key(bundle), source)  # None: the bundle's primers, profiled once too
        if self._profile is None or self._profile[0] != key:
            self._profile = (
                key,
                CorpusProfile.from_tokens(self.tokens(bundle, source), bundle.vocab),
            )
        return self._profile[1]

    def tokens(self, bundle: ModelBundle, source: CorpusSource | None) -> list[Any]:
        """The corpus in the model's tokens (the bundle's primers without a corpus), made once
        for the profile and the closeness reference both."""
        if source is None:
            return list(bundle.primers)
        key = (self.bundle_key(bundle), source)
        if self._tokens is None or self._tokens[0] != key:
            self._tokens = (key, bundle.vocab.tokenize_many(self.corpus(source).streams))
        return self._tokens[1]

    def reference(self, bundle: ModelBundle, source: CorpusSource | None) -> Any:
        """Corpus excerpts that compositions' closeness is measured against (closeness.py)."""
        from musicstudio.core.music.closeness import Reference

        key = (self.bundle_key(bundle), source)
        if self._reference is None or self._reference[0] != key:
            streams = self.tokens(bundle, source)
            self._reference = (
                key,
                Reference.from_tokens(streams, bundle.vocab, bundle.time_signature),
            )
        return self._reference[1]

    def novelty_index(self, source: CorpusSource | None) -> Any:
        """The index compositions are checked for copies against (novelty.py), built once per
        corpus; None without a corpus (the bundle's primers are too few to tell)."""
        from musicstudio.core.compose.novelty import build_index

        if source is None:
            return None
        if self._novelty is None or self._novelty[0] != source:
            corpus = self.corpus(source)
            self._novelty = (source, build_index(corpus.streams, corpus.ok_paths))
        return self._novelty[1]
