"""Parsing MIDI files in worker processes: one report per file, a crash or hang costs one worker.

A file is read (symusic), encoded and decoded again to measure what the representation keeps
(strict note recall), and its pitch sets counted, all in the worker. A file that crashes the
parser kills only its worker and is retried alone; a batch that takes too long ends the pool.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from musicstudio.core.base.cancel import CancelToken
from musicstudio.core.base.file_report import FileReport
from musicstudio.core.music.beats import NO_BEAT
from musicstudio.core.music.constants import MIN_EVENTS, PARSE_TIMEOUT
from musicstudio.core.music.events import EncodingError, unique_masks
from musicstudio.core.music.feel import file_feel
from musicstudio.core.music.midi import MidiError, read_midi
from musicstudio.core.music.parts import DRUMS
from musicstudio.core.music.recall import encode_and_measure
from musicstudio.core.music.voices import N_VOICES
from musicstudio.core.music.worker_server import worker_context

#: The arrays of an event stream, as workers send them and the scan cache stores them.
PACK_ARRAYS = ("lo", "hi", "duration", "step", "velocity", "voice")
#: Their types in the cache (EventStream's).
PACK_DTYPES: dict[str, type] = {
    "lo": np.uint64,
    "hi": np.uint64,
    "duration": np.int16,
    "step": np.int16,
    "velocity": np.int16,
    "voice": np.int8,
}

OK, REPAIRED, EMPTY, DRUMS_ONLY, TOO_SHORT, UNREADABLE = (
    "ok",
    "repaired",
    "empty",
    "drums only",
    "too short",
    "unreadable",
)
#: The statuses of files that are learned (a repaired file is learned, and reported).
LEARNED = frozenset({OK, REPAIRED})


CRASHED = "the MIDI parser crashed on this file"
TOO_SLOW = "parsing took too long"
STARTUP_GRACE = 10.0  # seconds a fresh worker pool may take to start


# -- parsing one file (runs in a worker process) ------------------------------------------
Parsed = tuple["FileReport", dict[str, np.ndarray] | None]
#: Parses one file in a worker: parse_file, or (tests) one that crashes or hangs on purpose.
#: A module-level function, so a worker process can import it by name.
Parser = Callable[[str, tuple[int, ...] | None], Parsed]


def parse_file(path: str, parts: tuple[int, ...] | None) -> Parsed:
    """Read and encode one file; never raises for a bad file."""
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
        notes.voices.astype(np.int64) * 128 + notes.program.astype(np.int64) % 128,
        minlength=N_VOICES * 128,
    )
    played = np.flatnonzero(per_program)
    report = FileReport(
        path,
        REPAIRED if notes.repaired else OK,
        notes.repaired,
        len(notes),
        len(stream),
        recall.strict,
        notes.tempo_qpm,
        recall.onset_pitch,
        recall.duration_exact,
        notes.time_signature,
        notes.notes_per_part(),
        [[int(k) // 128, int(k) % 128, int(per_program[k])] for k in played],
        notes.notes_per_voice(),
        list(notes.joined),
        None if notes.timing.startswith(NO_BEAT) else file_feel(notes.onset, notes.tempo_map),
        notes.timing,
    )
    if len(stream) < MIN_EVENTS:
        report.status, report.reason = TOO_SHORT, f"{len(stream)} events (< {MIN_EVENTS})"
        return report, None
    arrays = {k: getattr(stream, k) for k in PACK_ARRAYS}
    # The file's pitch sets and their counts: the vocabulary sums these instead of sorting
    # every event of the corpus again (the workers do this part of the work, and the cache keeps it).
    sounding = ~stream.is_rest
    arrays["obs_lo"], arrays["obs_hi"], _, counts = unique_masks(
        stream.lo[sounding], stream.hi[sounding]
    )
    arrays["obs_n"] = counts.astype(np.int64)
    arrays["meta"] = np.array([stream.start, stream.capped, *stream.time_signature], np.int64)
    return report, arrays


def _parse_batch(paths: list[str], parts: tuple[int, ...] | None, parser: Parser) -> list[Parsed]:
    return [parser(p, parts) for p in paths]


#: How much the workers give way (Unix niceness): the window's thread and the OS come first, so
#: a scan can use every core without stalling the event loop.
WORKER_NICENESS = 10


def _give_way() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # Windows has no nice; a sandbox may refuse it
        pass


def _make_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=worker_context(), initializer=_give_way
    )


def parse_all(
    paths: list[str],
    parts: tuple[int, ...] | None,
    workers: int,
    cancel: CancelToken,
    on_result: Any,
    parser: Parser = parse_file,
) -> None:
    """Parse files in worker processes; a crashing file kills a worker, never the scan."""
    if workers <= 0:
        for p in paths:
            cancel.raise_if_cancelled()
            on_result(*parser(p, parts))
        return
    batches = guided_batches(paths, workers)
    size = len(batches[0]) if batches else 1  # the largest batch
    suspects: list[str] = []
    pool = _make_pool(workers)
    hung = started = False
    try:
        futures = {pool.submit(_parse_batch, b, parts, parser): b for b in batches}
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
        on_result(*_parse_alone(p, parts, parser))


def guided_batches(paths: list[str], workers: int, largest: int = 32) -> list[list[str]]:
    """The files in order, in batches of a quarter of each worker's share of what is left
    (at most `largest`): few batches to send, and small ones at the end, so that no worker
    is left alone with a big batch while the others wait."""
    batches, i = [], 0
    while i < len(paths):
        size = max(1, min(largest, (len(paths) - i) // (max(1, workers) * 4)))
        batches.append(paths[i : i + size])
        i += size
    return batches


def parse_timeout() -> float:
    """Per-file parse time limit (MUSICSTUDIO_PARSE_TIMEOUT overrides, for tests and slow disks)."""
    try:
        return float(os.environ.get("MUSICSTUDIO_PARSE_TIMEOUT", PARSE_TIMEOUT))
    except ValueError:
        return PARSE_TIMEOUT


def _parse_alone(path: str, parts: tuple[int, ...] | None, parser: Parser) -> Parsed:
    solo = _make_pool(1)
    try:
        return solo.submit(parser, path, parts).result(timeout=STARTUP_GRACE + parse_timeout())
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
