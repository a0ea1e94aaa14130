"""Scanning a MIDI folder: parse in worker processes, cache, report every file, build the vocabulary."""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.base.file_report import FileReport
from musicstudio.core.base.progress import FileScanned, ProgressFn, no_progress
from musicstudio.core.base.settings import setting, validate
from musicstudio.core.music.beats import TRACKER_VERSION
from musicstudio.core.music.constants import (
    DEFAULT_THRESHOLD,
    REPRESENTATION_VERSION,
    VALIDATION_SHARE,
)
from musicstudio.core.music.corpus_stats import corpus_stats
from musicstudio.core.music.events import EventStream
from musicstudio.core.music.form_profile import CorpusForm, corpus_form
from musicstudio.core.music.parsing import (
    CRASHED,
    DRUMS_ONLY,
    EMPTY,
    LEARNED,
    OK,
    REPAIRED,
    TOO_SHORT,
    TOO_SLOW,
    UNREADABLE,
    Parser,
    parse_all,
    parse_file,
)
from musicstudio.core.music.scan_cache import (
    Observed,
    Pack,
    default_cache_dir,
    event_stream,
    fingerprint,
    save_pack,
)
from musicstudio.core.music.vocab import TokenStream, Vocabulary

__all__ = [
    "CRASHED",
    "DRUMS_ONLY",
    "EMPTY",
    "LEARNED",
    "OK",
    "REPAIRED",
    "TOO_SHORT",
    "TOO_SLOW",
    "UNREADABLE",
    "Corpus",
    "CorpusError",
    "CorpusSource",
    "FileReport",
    "ScanOptions",
    "find_midi_files",
    "scan",
]

MIDI_SUFFIXES = {".mid", ".midi", ".kar"}


class CorpusError(MusicStudioError):
    """A scan that cannot start (missing folder, no MIDI files), with a message for the user."""


@dataclass(frozen=True)
class ScanOptions:
    """What to read from each file and how to count tokens."""

    parts: tuple[int, ...] | None = None  # parts to learn (parts.PARTS); None = all, drums too
    threshold: int = setting(
        DEFAULT_THRESHOLD,
        "Rare-chord threshold",
        "A chord seen fewer times than this is split into frequent sub-chords at the same"
        " onset, so no note is lost (the original method dropped such notes at about 40)",
        low=1,
        high=1_000_000,
    )
    transpose: int = setting(
        0,
        "Transpose ±",
        "Also learn every piece shifted by up to this many semitones (drums stay)",
        low=0,
        high=6,
        unit="semitones",
        off="off",
    )
    normalize_key: bool = setting(
        False, "Normalise key", "Move every piece to C major or A minor before learning"
    )

    def __post_init__(self) -> None:
        validate(self)

    @classmethod
    def from_json(cls, raw: object, threshold: object = DEFAULT_THRESHOLD) -> ScanOptions:
        """The options a model was trained with, as its manifest stores them; missing or bad
        values are the defaults (`threshold`: an older model's, from its vocabulary)."""
        got = raw if isinstance(raw, dict) else {}
        try:
            parts = got.get("parts")
            return cls(
                parts=None if parts is None else tuple(int(p) for p in parts),
                threshold=int(got.get("threshold", threshold)),
                transpose=int(got.get("transpose", 0)),
                normalize_key=bool(got.get("normalize_key", False)),
            )
        except (TypeError, ValueError):  # not numbers, or out of range (SettingsError)
            return cls()

    def parse_key(self) -> str:
        """The part of the options that changes what a file parses to (cache key)."""
        return f"v{REPRESENTATION_VERSION}:parts={self.parts}:feel:beats{TRACKER_VERSION}"


@dataclass(frozen=True)
class CorpusSource:
    """A corpus by name: the folders (or files) and the options they are scanned with.

    Jobs carry this instead of the corpus: whoever runs the job reads the scan cache.
    """

    paths: tuple[str, ...]
    options: ScanOptions = field(default_factory=ScanOptions)

    def load(
        self,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        workers: int | None = None,
    ) -> Corpus:
        return scan(list(self.paths), self.options, progress, cancel, workers=workers)


@dataclass
class Corpus:
    """The ok files' event streams, every file's report, the vocabulary and the figures."""

    files: list[FileReport]
    streams: list[EventStream]  # one per ok file, same order as `ok_paths`
    ok_paths: list[str]
    vocab: Vocabulary
    options: ScanOptions
    stats: dict[str, Any] = field(default_factory=dict)
    source: CorpusSource | None = None  # what was scanned: how a job names this corpus
    form: CorpusForm | None = None  # every file's form and the profile (with_form)

    def problems(self) -> list[FileReport]:
        return [f for f in self.files if f.status != OK]  # repaired files are reported too

    def split(self, share: float = VALIDATION_SHARE, seed: int = 0) -> tuple[list[int], list[int]]:
        """Deterministic train/validation split by file (indices into `streams`)."""
        n = len(self.streams)
        if n < 2:
            return list(range(n)), []
        # Names need not be valid UTF-8 (surrogate escapes): hash their bytes as they are.
        score = [
            zlib.crc32(f"{seed}:{Path(p).name}:{p}".encode("utf-8", "surrogateescape")) / 2**32
            for p in self.ok_paths
        ]
        order = np.argsort(score, kind="stable")
        n_val = max(1, int(round(n * share)))
        val = sorted(int(i) for i in order[:n_val])
        train = sorted(set(range(n)) - set(val))
        return train, val

    def token_streams(
        self, indices: Iterable[int] | None = None, augment: bool = False
    ) -> list[TokenStream]:
        """Integer streams for chosen files; `augment` adds the transposed copies."""
        idx = list(range(len(self.streams))) if indices is None else list(indices)
        picked = [self.streams[i] for i in idx]
        if augment and self.options.transpose:
            extra = []
            for k in range(-self.options.transpose, self.options.transpose + 1):
                if k == 0:
                    continue
                for s in picked:
                    moved = s.transposed(k)
                    if moved is not None:
                        extra.append(moved)
            picked = picked + extra
        return self.vocab.tokenize_many(picked)

    def with_threshold(self, threshold: int) -> Corpus:
        """The same corpus with the vocabulary at another threshold."""
        vocab = self.vocab.with_threshold(threshold)
        stats = dict(
            self.stats, vocab_size=len(vocab), threshold=threshold, coverage=vocab.coverage()
        )
        options = replace(self.options, threshold=threshold)
        source = None if self.source is None else replace(self.source, options=options)
        return Corpus(
            self.files, self.streams, self.ok_paths, vocab, options, stats, source, self.form
        )

    def with_form(self) -> Corpus:
        """The same corpus with its files' forms found (about a millisecond a file)."""
        if self.form is not None:
            return self
        return replace(self, form=corpus_form(self.ok_paths, self.streams))


# -- finding files ---------------------------------------------------------------------
def find_midi_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Every MIDI file under the given folders (recursively) or in the given list of files."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p, followlinks=False, onerror=lambda e: None):
                dirs.sort()
                for name in sorted(files):
                    if os.path.splitext(name)[1].lower() in MIDI_SUFFIXES:
                        found.append(Path(root) / name)
                # A directory named *.mid is walked, not parsed.
        elif p.exists() or p.is_symlink():
            found.append(p)
        else:
            raise CorpusError(f"{p} does not exist")
    seen: set[str] = set()
    unique = []
    for f in found:
        if str(f) not in seen:
            seen.add(str(f))
            unique.append(f)
    return unique


# -- the scan ----------------------------------------------------------------------------
def scan(
    paths: Sequence[str | os.PathLike[str]],
    options: ScanOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    use_cache: bool = True,
    parser: Parser = parse_file,
) -> Corpus:
    """Scan folders or files into a Corpus; a bad file is reported, never raised."""
    options = options or ScanOptions()
    cancel = cancel or CancelToken()
    t0 = time.perf_counter()
    if not paths:
        raise CorpusError("nothing to scan: give a folder or MIDI files")
    files = find_midi_files(paths)
    if not files:
        raise CorpusError(
            f"no MIDI files (.mid, .midi, .kar) found in {', '.join(str(p) for p in paths)}"
        )
    roots = [str(Path(p).resolve()) for p in paths]
    cache_dir = cache_dir or default_cache_dir()
    pack_path = Pack.path_for(cache_dir, roots, options.parse_key())
    pack = Pack.load(pack_path) if use_cache else None
    total = len(files)
    reports: dict[str, FileReport] = {}
    streams: dict[str, EventStream] = {}
    observed: dict[str, Observed] = {}
    entries: dict[str, dict[str, Any]] = {}
    fingerprints: dict[str, tuple[int, int] | None] = {}
    to_parse: list[str] = []
    done = 0

    def finish(rep: FileReport, stream: EventStream | None, obs: Observed | None) -> None:
        nonlocal done
        reports[rep.path] = rep
        if stream is not None and obs is not None:
            streams[rep.path] = stream
            observed[rep.path] = obs
        done += 1
        progress(done / total, FileScanned(done, total, rep))

    for f in files:
        key = str(f)
        fp = fingerprints[key] = fingerprint(f)
        cached = pack.entries.get(key) if pack else None
        if (
            cached is not None
            and fp is not None
            and cached["fp"] == list(fp)
            and cached["report"].get("reason") != CRASHED
            and not str(cached["report"].get("reason")).startswith(TOO_SLOW)
        ):
            rep = FileReport(**cached["report"])
            if pack is not None and rep.status in LEARNED:
                finish(rep, pack.stream(cached), pack.observed(cached))
            else:
                finish(rep, None, None)
            entries[key] = cached
        else:
            to_parse.append(key)
        if done % 256 == 0:
            cancel.raise_if_cancelled()
    from_cache = done

    def on_parsed(rep: FileReport, arrays: dict[str, np.ndarray] | None) -> None:
        stream = obs = None
        if arrays is not None:
            stream = event_stream(arrays, arrays["meta"].tolist())
            obs = (arrays["obs_lo"], arrays["obs_hi"], arrays["obs_n"])
        fp = fingerprints.get(rep.path)
        # A crash or a time-out may be the machine's, not the file's: try again next scan.
        if fp is not None and rep.reason != CRASHED and not rep.reason.startswith(TOO_SLOW):
            entries[rep.path] = {"fp": list(fp), "report": rep.as_dict()}
        finish(rep, stream, obs)

    if to_parse:
        n_workers = (os.cpu_count() or 1) if workers is None else workers
        n_workers = min(n_workers, len(to_parse)) if n_workers > 0 else 0
        parse_all(to_parse, options.parts, n_workers, cancel, on_parsed, parser)
        if use_cache:
            try:
                save_pack(
                    pack_path,
                    {k: entries[k] for k in (str(f) for f in files) if k in entries},
                    streams,
                    observed,
                )
            except OSError:
                pass  # no cache is only a slower next scan
    ordered = [reports[str(f)] for f in files]
    ok_paths = [r.path for r in ordered if r.status in LEARNED]
    ok_streams = [streams[p] for p in ok_paths]
    if options.normalize_key:
        from musicstudio.core.music.tonality import normalising_shift

        ok_streams = [s.transposed(normalising_shift(s)) or s for s in ok_streams]
    if options.normalize_key or options.transpose:
        vocab_streams = list(ok_streams)
        for k in range(-options.transpose, options.transpose + 1):
            if k:
                vocab_streams += [m for m in (s.transposed(k) for s in ok_streams) if m is not None]
        vocab = Vocabulary.build(vocab_streams, options.threshold)
    else:
        counted = [observed[p] for p in ok_paths]
        lo, hi, n = (
            np.concatenate([c[i] for c in counted]) if counted else np.zeros(0, dtype)
            for i, dtype in enumerate((np.uint64, np.uint64, np.int64))
        )
        vocab = Vocabulary.from_observations(lo, hi, n, options.threshold)
    source = CorpusSource(tuple(str(p) for p in paths), options)
    corpus = Corpus(ordered, ok_streams, ok_paths, vocab, options, source=source)
    seconds = time.perf_counter() - t0
    corpus.stats = corpus_stats(corpus.files, corpus.streams, vocab, from_cache, seconds)
    return corpus
