"""Scanning a MIDI folder: parse in worker processes, cache, report every file, build the vocabulary."""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from musicstudio.core.constants import (
    DEFAULT_THRESHOLD,
    MIN_EVENTS,
    PARSE_TIMEOUT,
    REPRESENTATION_VERSION,
    VALIDATION_SHARE,
)
from musicstudio.core.errors import MusicStudioError
from musicstudio.core.events import EncodingError, EventStream, encode_and_measure, unique_masks
from musicstudio.core.jobs import CancelToken, ProgressFn, no_progress
from musicstudio.core.midi import MidiError, read_midi
from musicstudio.core.parts import DRUMS, PARTS, most_used_programs
from musicstudio.core.vocab import TokenStream, Vocabulary

MIDI_SUFFIXES = {".mid", ".midi", ".kar"}
OK, EMPTY, DRUMS_ONLY, TOO_SHORT, UNREADABLE = (
    "ok",
    "empty",
    "drums only",
    "too short",
    "unreadable",
)


CRASHED = "the MIDI parser crashed on this file"
TOO_SLOW = "parsing took too long"
STARTUP_GRACE = 10.0  # seconds a fresh worker pool may take to start


class CorpusError(MusicStudioError):
    """A scan that cannot start (missing folder, no MIDI files), with a message for the user."""


@dataclass(frozen=True)
class ScanOptions:
    """What to read from each file and how to count tokens."""

    parts: tuple[int, ...] | None = None  # parts to learn (parts.PARTS); None = all, drums too
    threshold: int = DEFAULT_THRESHOLD
    transpose: int = 0  # augmentation: also learn every piece shifted by -k..+k semitones
    normalize_key: bool = False  # move every piece to C major / A minor first

    def parse_key(self) -> str:
        """The part of the options that changes what a file parses to (cache key)."""
        return f"v{REPRESENTATION_VERSION}:parts={self.parts}"


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    status: str
    reason: str = ""
    notes: int = 0
    events: int = 0
    recall: float = 1.0  # strict: onset, pitch, part, duration class (velocity class ±1)
    tempo: float = 120.0
    onset_pitch_recall: float = 1.0  # onset and pitch only (the measure before parts)
    duration_exact: float = 1.0  # notes back with their exact grid duration
    time_signature: tuple[int, int] | list[int] = (4, 4)
    parts: dict[str, int] = field(default_factory=dict)  # notes per part
    programs: list[list[int]] = field(default_factory=list)  # [part, program, notes] rows


@dataclass
class Corpus:
    """The ok files' event streams, every file's report, the vocabulary and the figures."""

    files: list[FileReport]
    streams: list[EventStream]  # one per ok file, same order as `ok_paths`
    ok_paths: list[str]
    vocab: Vocabulary
    options: ScanOptions
    stats: dict[str, Any] = field(default_factory=dict)

    def problems(self) -> list[FileReport]:
        return [f for f in self.files if f.status != OK]

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
        return Corpus(self.files, self.streams, self.ok_paths, vocab, options, stats)


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


# -- parsing one file (runs in a worker process) ------------------------------------------
def parse_file(
    path: str, parts: tuple[int, ...] | None, hang: str | None = None
) -> tuple[FileReport, dict[str, np.ndarray] | None]:
    """Read and encode one file; never raises for a bad file."""
    if (
        hang is not None and Path(path).name == hang
    ):  # fault injection (tests): a parser that never returns
        time.sleep(3600)
    try:
        notes = read_midi(path, parts)
    except MidiError as e:
        return FileReport(path, UNREADABLE, str(e)), None
    except Exception as e:  # the parser may fail in ways no list can foresee
        return FileReport(path, UNREADABLE, f"{type(e).__name__}: {e}"[:200]), None
    if len(notes) == 0:
        if notes.drum_notes and parts is not None and DRUMS not in parts:
            return FileReport(
                path, DRUMS_ONLY, f"{notes.drum_notes} drum notes, drums are not chosen"
            ), None
        return FileReport(
            path, EMPTY, "no notes" if parts is None else "no notes in the chosen parts"
        ), None
    try:
        stream, recall = encode_and_measure(notes)
    except EncodingError as e:
        return FileReport(path, UNREADABLE, str(e), len(notes)), None
    per_program = np.bincount(
        notes.parts.astype(np.int64) * 128 + notes.program.astype(np.int64) % 128,
        minlength=len(PARTS) * 128,
    )
    played = np.flatnonzero(per_program)
    report = FileReport(
        path,
        OK,
        "",
        len(notes),
        len(stream),
        recall.strict,
        notes.tempo_qpm,
        recall.onset_pitch,
        recall.duration_exact,
        notes.time_signature,
        notes.notes_per_part(),
        [[int(k) // 128, int(k) % 128, int(per_program[k])] for k in played],
    )
    if len(stream) < MIN_EVENTS:
        report.status, report.reason = TOO_SHORT, f"{len(stream)} events (< {MIN_EVENTS})"
        return report, None
    arrays = {k: getattr(stream, k) for k in _PACK_ARRAYS}
    # The file's pitch sets and their counts: the vocabulary sums these instead of sorting
    # every event of the corpus again (the workers do this part of the work, and the cache keeps it).
    sounding = ~stream.is_rest
    arrays["obs_lo"], arrays["obs_hi"], _, counts = unique_masks(
        stream.lo[sounding], stream.hi[sounding]
    )
    arrays["obs_n"] = counts.astype(np.int64)
    arrays["meta"] = np.array([stream.start, stream.capped, *stream.time_signature], np.int64)
    return report, arrays


def _parse_batch(
    paths: list[str], parts: tuple[int, ...] | None, hang: str | None = None
) -> list[tuple[FileReport, dict[str, np.ndarray] | None]]:
    return [parse_file(p, parts, hang) for p in paths]


def _make_pool(workers: int) -> ProcessPoolExecutor:
    # forkserver: workers never inherit TensorFlow or Qt state from the app.
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["musicstudio.core.corpus"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def _parse_all(
    paths: list[str],
    parts: tuple[int, ...] | None,
    workers: int,
    cancel: CancelToken,
    on_result: Any,
) -> None:
    """Parse files in worker processes; a crashing file kills a worker, never the scan."""
    if workers <= 0:
        for p in paths:
            cancel.raise_if_cancelled()
            on_result(*parse_file(p, parts, _hang()))
        return
    size = max(1, min(32, len(paths) // (workers * 4) or 1))
    batches = [paths[i : i + size] for i in range(0, len(paths), size)]
    suspects: list[str] = []
    pool = _make_pool(workers)
    hung = started = False
    try:
        futures = {pool.submit(_parse_batch, b, parts, _hang()): b for b in batches}
        pending = set(futures)
        while pending and not cancel.cancelled:
            # No batch finishing within its time limit means a file is hanging: end the pool.
            limit = parse_timeout() * size + (0.0 if started else STARTUP_GRACE)
            done, pending = wait(pending, timeout=limit, return_when=FIRST_COMPLETED)
            started = True
            if not done:
                hung = True
                for fut in pending:
                    suspects.extend(futures[fut])
                break
            for fut in done:
                try:
                    for rep, arrays in fut.result():
                        on_result(rep, arrays)
                except BrokenProcessPool:
                    suspects.extend(futures[fut])
    finally:
        if hung or cancel.cancelled:
            _kill(pool)
        pool.shutdown(wait=not (hung or cancel.cancelled), cancel_futures=True)
    cancel.raise_if_cancelled()
    # Files from a broken or stuck pool: each alone in a fresh worker, to find the culprit.
    for p in suspects:
        cancel.raise_if_cancelled()
        on_result(*_parse_alone(p, parts))


def _hang() -> str | None:
    return os.environ.get("MUSICSTUDIO_FAULT_HANG")


def parse_timeout() -> float:
    """Per-file parse time limit (MUSICSTUDIO_PARSE_TIMEOUT overrides, for tests and slow disks)."""
    try:
        return float(os.environ.get("MUSICSTUDIO_PARSE_TIMEOUT", PARSE_TIMEOUT))
    except ValueError:
        return PARSE_TIMEOUT


def _parse_alone(
    path: str, parts: tuple[int, ...] | None
) -> tuple[FileReport, dict[str, np.ndarray] | None]:
    solo = _make_pool(1)
    try:
        return solo.submit(parse_file, path, parts, _hang()).result(
            timeout=STARTUP_GRACE + parse_timeout()
        )
    except BrokenProcessPool:
        return FileReport(path, UNREADABLE, CRASHED), None
    except FuturesTimeout:
        _kill(solo)
        return FileReport(path, UNREADABLE, f"{TOO_SLOW} ({parse_timeout():g} s)"), None
    finally:
        solo.shutdown(wait=False, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now (a hung parser never lets them finish)."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass


# -- the cache ---------------------------------------------------------------------------
_PACK_ARRAYS = ("lo", "hi", "duration", "step", "velocity", "part")
_OBS_ARRAYS = ("obs_lo", "obs_hi", "obs_n")
Observed = tuple[np.ndarray, np.ndarray, np.ndarray]  # one file's pitch sets (lo, hi) and counts


def _stream(arrays: dict[str, np.ndarray], meta: Sequence[int]) -> EventStream:
    """An EventStream from its arrays and [start, capped, numerator, denominator]."""
    start, capped, num, den = (int(x) for x in meta)
    return EventStream(
        arrays["lo"],
        arrays["hi"],
        arrays["duration"],
        arrays["step"],
        arrays["velocity"],
        arrays["part"],
        start=start,
        capped=capped,
        time_signature=(num, den),
    )


def default_cache_dir() -> Path:
    env = os.environ.get("MUSICSTUDIO_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("musicstudio", appauthor=False))


@dataclass
class _Pack:
    """A folder's parsed files: one index plus concatenated arrays (fast to load)."""

    entries: dict[str, dict[str, Any]]
    arrays: dict[str, np.ndarray]

    @staticmethod
    def path_for(cache_dir: Path, roots: Sequence[str], options: ScanOptions) -> Path:
        key = hashlib.sha1(json.dumps([sorted(roots), options.parse_key()]).encode()).hexdigest()[
            :20
        ]
        return cache_dir / "packs" / f"{key}.npz"

    @classmethod
    def load(cls, path: Path) -> _Pack | None:
        try:
            with np.load(path, allow_pickle=False) as z:
                index = json.loads(bytes(z["index"]).decode())
                if index.get("version") != REPRESENTATION_VERSION:
                    return None
                arrays = {k: z[k] for k in _PACK_ARRAYS + _OBS_ARRAYS}
            return cls(index["entries"], arrays)
        except Exception:  # a damaged cache is only a slower scan
            return None

    def stream(self, entry: dict[str, Any]) -> EventStream:
        a, b = entry["span"]
        return _stream({k: self.arrays[k][a:b] for k in _PACK_ARRAYS}, entry["meta"])

    def observed(self, entry: dict[str, Any]) -> Observed:
        a, b = entry["obs_span"]
        lo, hi, n = (self.arrays[k][a:b] for k in _OBS_ARRAYS)
        return lo, hi, n


def _save_pack(
    path: Path,
    entries: dict[str, dict[str, Any]],
    streams: dict[str, EventStream],
    observed: dict[str, Observed],
) -> None:
    from musicstudio.core.midi import atomic_write_bytes

    offset = obs_offset = 0
    kept: list[EventStream] = []
    kept_obs: list[Observed] = []
    for key, entry in entries.items():
        s = streams.get(key)
        if s is not None:
            entry["span"] = [offset, offset + len(s)]
            entry["meta"] = [s.start, s.capped, *s.time_signature]
            offset += len(s)
            kept.append(s)
            obs = observed[key]
            entry["obs_span"] = [obs_offset, obs_offset + len(obs[0])]
            obs_offset += len(obs[0])
            kept_obs.append(obs)
    joined = EventStream.concatenate(kept)
    arrays = {k: getattr(joined, k) for k in _PACK_ARRAYS}
    for i, (k, dtype) in enumerate(zip(_OBS_ARRAYS, (np.uint64, np.uint64, np.int64), strict=True)):
        arrays[k] = np.concatenate([o[i] for o in kept_obs]) if kept_obs else np.zeros(0, dtype)
    index = json.dumps({"version": REPRESENTATION_VERSION, "entries": entries}).encode()
    import io

    buf = io.BytesIO()
    np.savez(buf, index=np.frombuffer(index, np.uint8), **arrays)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buf.getvalue())


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# -- the scan ----------------------------------------------------------------------------
def scan(
    paths: Sequence[str | os.PathLike[str]],
    options: ScanOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    cache_dir: Path | None = None,
    workers: int | None = None,
    use_cache: bool = True,
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
    pack_path = _Pack.path_for(cache_dir, roots, options)
    pack = _Pack.load(pack_path) if use_cache else None
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
        progress(done / total, {"done": done, "total": total, "report": rep})

    for f in files:
        key = str(f)
        fp = fingerprints[key] = _fingerprint(f)
        cached = pack.entries.get(key) if pack else None
        if (
            cached is not None
            and fp is not None
            and cached["fp"] == list(fp)
            and cached["report"].get("reason") != CRASHED
            and not str(cached["report"].get("reason")).startswith(TOO_SLOW)
        ):
            rep = FileReport(**cached["report"])
            if pack is not None and rep.status == OK:
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
            stream = _stream(arrays, arrays["meta"].tolist())
            obs = (arrays["obs_lo"], arrays["obs_hi"], arrays["obs_n"])
        fp = fingerprints.get(rep.path)
        # A crash or a time-out may be the machine's, not the file's: try again next scan.
        if fp is not None and rep.reason != CRASHED and not rep.reason.startswith(TOO_SLOW):
            entries[rep.path] = {"fp": list(fp), "report": asdict(rep)}
        finish(rep, stream, obs)

    if to_parse:
        n_workers = (os.cpu_count() or 1) if workers is None else workers
        n_workers = min(n_workers, len(to_parse)) if n_workers > 0 else 0
        _parse_all(to_parse, options.parts, n_workers, cancel, on_parsed)
        if use_cache:
            try:
                _save_pack(
                    pack_path,
                    {k: entries[k] for k in (str(f) for f in files) if k in entries},
                    streams,
                    observed,
                )
            except OSError:
                pass  # no cache is only a slower next scan
    ordered = [reports[str(f)] for f in files]
    ok_paths = [r.path for r in ordered if r.status == OK]
    ok_streams = [streams[p] for p in ok_paths]
    if options.normalize_key:
        from musicstudio.core.tonality import normalising_shift

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
    corpus = Corpus(ordered, ok_streams, ok_paths, vocab, options)
    corpus.stats = _stats(corpus, from_cache, time.perf_counter() - t0)
    return corpus


def _stats(corpus: Corpus, from_cache: int, seconds: float) -> dict[str, Any]:
    ok = [f for f in corpus.files if f.status == OK]
    notes = sum(f.notes for f in ok)

    def weighted(share: Any) -> float:
        return sum(share(f) * f.notes for f in ok) / notes if notes else 1.0

    # Notes that survive the vocabulary's rare-chord splitting (exact partition unless a pitch is unknown).
    kept = corpus.vocab.kept_note_share()
    per_part: Counter[str] = Counter()
    for f in ok:
        per_part.update(f.parts)
    signatures = Counter(tuple(f.time_signature) for f in ok)
    programs = most_used_programs(row for f in ok for row in f.programs)
    skipped = Counter(f.status for f in corpus.files if f.status != OK)
    return {
        "files": len(corpus.files),
        "ok": len(ok),
        "skipped": sum(skipped.values()),
        "skipped_by_reason": dict(skipped),
        "cached": from_cache,
        "notes": notes,
        "events": sum(len(s) for s in corpus.streams),
        "unique_tokens": int(corpus.vocab.observed.size),
        "vocab_size": len(corpus.vocab),
        "threshold": corpus.vocab.threshold,
        "coverage": round(corpus.vocab.coverage(), 4),
        "note_recall": round(weighted(lambda f: f.recall) * kept, 5),
        "onset_pitch_recall": round(weighted(lambda f: f.onset_pitch_recall) * kept, 5),
        "duration_exact": round(weighted(lambda f: f.duration_exact), 5),
        "parts": {p: per_part[p] for p in PARTS if per_part[p]},
        "programs": {p: programs[i] for i, p in enumerate(PARTS) if per_part[p]},
        "time_signature": list(signatures.most_common(1)[0][0]) if signatures else [4, 4],
        "seconds": round(seconds, 3),
        "problems": [
            {"path": f.path, "status": f.status, "reason": f.reason}
            for f in corpus.files
            if f.status != OK
        ],
    }
