"""The pitch-set vocabulary: counts, the rare-token threshold, and rare-chord splitting.

This is the original method's "drop rare notes" step, made lossless: a chord rarer than
the threshold is split into frequent sub-chords (and single notes, which are always kept)
at the same onset, so almost every note survives the round trip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from musicstudio.core.base.errors import MusicStudioError
from musicstudio.core.music.constants import (
    DEFAULT_THRESHOLD,
    DURATION_VALUES,
    MAX_STEP,
    VELOCITY_BINS,
)
from musicstudio.core.music.events import EventStream, popcount, unique_masks
from musicstudio.core.music.theory import pitch_name
from musicstudio.core.music.voices import N_VOICES

VOCAB_FORMAT = 1
START, REST = 0, 1
KEY_DTYPE = np.dtype([("hi", "<u8"), ("lo", "<u8")])

#: Sizes of the fixed-class streams (the pitch stream's size is the vocabulary's).
STREAM_SIZES = {
    "duration": len(DURATION_VALUES),
    "step": MAX_STEP + 1,
    "velocity": VELOCITY_BINS,
    "voice": N_VOICES,
}
#: The columns of a token row, in model order: one embedding and one head each.
STREAMS = ("pitch", "duration", "step", "velocity", "voice")
N_STREAMS = len(STREAMS)


class VocabularyError(MusicStudioError, ValueError):
    """A vocabulary file that cannot be used, with the reason."""


@dataclass(frozen=True)
class TokenStream:
    """Integer streams of one piece: column 0 pitch token, then duration, step, velocity, voice."""

    tokens: np.ndarray  # (N, N_STREAMS) int32
    start: int = 0  # grid step of the first row (bar lines fall on multiples of the bar)
    time_signature: tuple[int, int] = (4, 4)

    def __len__(self) -> int:
        return int(self.tokens.shape[0])


def _keys(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    k = np.empty(len(lo), KEY_DTYPE)
    k["lo"], k["hi"] = lo, hi
    return k


def mask_of(pitches: Iterable[int]) -> tuple[int, int]:
    """The pitch-set mask (lo, hi) of MIDI pitches (the inverse of pitches_of); ValueError for a
    pitch outside 0..127."""
    lo = hi = 0
    for p in pitches:
        if not 0 <= p <= 127:
            raise ValueError(f"pitch {p} out of range")
        if p < 64:
            lo |= 1 << p
        else:
            hi |= 1 << (p - 64)
    return lo, hi


def pitches_of(lo: int, hi: int) -> list[int]:
    """MIDI pitches in a pitch-set mask, ascending."""
    return [i for i in range(64) if lo >> i & 1] + [64 + i for i in range(64) if hi >> i & 1]


@dataclass
class Vocabulary:
    """Pitch-set tokens kept at a threshold, plus every observed key and its count."""

    threshold: int
    table_lo: np.ndarray  # uint64 per token id (0 = start, 1 = rest)
    table_hi: np.ndarray
    observed: np.ndarray  # KEY_DTYPE: every pitch set seen (rests excluded)
    observed_counts: np.ndarray  # int64
    _index: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)
    _split_cache: dict[tuple[int, int], list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {
            (int(lo), int(hi)): i
            for i, (lo, hi) in enumerate(zip(self.table_lo, self.table_hi, strict=True))
            if i >= 2
        }
        sizes = popcount(self.table_lo) + popcount(self.table_hi)
        self._chords = np.flatnonzero(sizes >= 2)
        self._chord_sizes = sizes[self._chords]
        self._singles = {
            pitches_of(int(self.table_lo[i]), int(self.table_hi[i]))[0]: int(i)
            for i in np.flatnonzero(sizes == 1)
        }

    # -- building ---------------------------------------------------------------------
    @classmethod
    def build(
        cls, streams: Sequence[EventStream], threshold: int = DEFAULT_THRESHOLD
    ) -> Vocabulary:
        """Count pitch sets over all streams; keep chords seen at least `threshold` times."""
        if streams:
            lo = np.concatenate([s.lo for s in streams])
            hi = np.concatenate([s.hi for s in streams])
        else:
            lo = hi = np.zeros(0, np.uint64)
        u_lo, u_hi, _, counts = unique_masks(lo, hi)
        sounding = (u_lo != 0) | (u_hi != 0)
        observed = _keys(u_lo[sounding], u_hi[sounding])
        counts = counts[sounding]
        return cls.from_counts(observed, counts.astype(np.int64), threshold)

    @classmethod
    def from_observations(
        cls, lo: np.ndarray, hi: np.ndarray, counts: np.ndarray, threshold: int = DEFAULT_THRESHOLD
    ) -> Vocabulary:
        """From pitch sets counted per file (the same set may repeat across files): summed."""
        u_lo, u_hi, inverse, _ = unique_masks(lo, hi)
        total = np.bincount(inverse, weights=counts, minlength=u_lo.size).astype(np.int64)
        sounding = (u_lo != 0) | (u_hi != 0)
        return cls.from_counts(_keys(u_lo[sounding], u_hi[sounding]), total[sounding], threshold)

    @classmethod
    def from_counts(cls, observed: np.ndarray, counts: np.ndarray, threshold: int) -> Vocabulary:
        sizes = popcount(observed["lo"]) + popcount(observed["hi"])
        chords = observed[(sizes > 1) & (counts >= max(1, threshold))]
        chords = chords[
            np.argsort(-counts[(sizes > 1) & (counts >= max(1, threshold))], kind="stable")
        ]
        # Every pitch that occurs anywhere is a single-note token, so any chord can be split.
        all_lo = np.bitwise_or.reduce(observed["lo"]) if observed.size else np.uint64(0)
        all_hi = np.bitwise_or.reduce(observed["hi"]) if observed.size else np.uint64(0)
        pitches = pitches_of(int(all_lo), int(all_hi))
        singles = np.zeros(len(pitches), KEY_DTYPE)
        for i, p in enumerate(pitches):
            singles[i]["lo" if p < 64 else "hi"] = np.uint64(1 << (p % 64))
        # Singles first (by pitch), then chords by descending count: stable, readable ids.
        kept = np.concatenate([singles, chords])
        table_lo = np.r_[np.zeros(2, np.uint64), kept["lo"]].astype(np.uint64)
        table_hi = np.r_[np.zeros(2, np.uint64), kept["hi"]].astype(np.uint64)
        return cls(int(threshold), table_lo, table_hi, observed, counts)

    def with_threshold(self, threshold: int) -> Vocabulary:
        """The same counts at another threshold (the UI's slider)."""
        return Vocabulary.from_counts(self.observed, self.observed_counts, threshold)

    # -- figures ----------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.table_lo.size)

    @property
    def sizes(self) -> dict[str, int]:
        """Classes per stream, in model order."""
        return {"pitch": len(self), **STREAM_SIZES}

    def coverage(self) -> float:
        """Share of (non-rest) events whose pitch set is kept whole, without splitting."""
        total = int(self.observed_counts.sum())
        if total == 0:
            return 1.0
        kept = np.isin(self.observed, _keys(self.table_lo[2:], self.table_hi[2:]))
        return float(self.observed_counts[kept].sum() / total)

    def kept_note_share(self) -> float:
        """Share of the observed notes that the tokens carry after splitting (note recall of this step)."""
        total = kept = 0
        sizes = popcount(self.table_lo) + popcount(self.table_hi)
        key_sizes = popcount(self.observed["lo"]) + popcount(self.observed["hi"])
        for k, c, n in zip(
            self.observed, self.observed_counts.tolist(), key_sizes.tolist(), strict=True
        ):
            total += c * n
            kept += c * int(sum(int(sizes[t]) for t in self._split(int(k["lo"]), int(k["hi"]))))
        return kept / total if total else 1.0

    def histogram(self) -> np.ndarray:
        """Token counts, most frequent first (the original method's frequency plot)."""
        return np.sort(self.observed_counts)[::-1]

    def name(self, token: int) -> str:
        """Human name of a pitch token, e.g. 'C4.E4.G4'."""
        if token == START:
            return "<start>"
        if token == REST:
            return "<rest>"
        return ".".join(
            pitch_name(p) for p in pitches_of(int(self.table_lo[token]), int(self.table_hi[token]))
        )

    def token_of(self, pitches: Iterable[int]) -> int | None:
        """The token of exactly these pitches, if the vocabulary kept it."""
        try:
            return self._index.get(mask_of(pitches))
        except ValueError:  # a pitch outside the MIDI range has no token
            return None

    def chord_name(self, token: int) -> str:
        """music21's common name for a chord token, e.g. 'major triad'."""
        ps = pitches_of(int(self.table_lo[token]), int(self.table_hi[token]))
        if len(ps) < 2:
            return "note" if ps else self.name(token)
        from music21 import chord

        return str(chord.Chord(ps).pitchedCommonName)

    # -- tokenizing -------------------------------------------------------------------
    def _split(self, lo: int, hi: int) -> list[int]:
        """Token ids covering exactly the pitches of (lo, hi): biggest frequent sub-chords first."""
        cached = self._split_cache.get((lo, hi))
        if cached is None:
            cached = self._split_cache[(lo, hi)] = self._split_uncached(lo, hi)
        return cached

    def _split_uncached(self, lo: int, hi: int) -> list[int]:
        exact = self._index.get((lo, hi))
        if exact is not None:
            return [exact]
        parts: list[int] = []
        if self._chords.size:
            c_lo, c_hi = self.table_lo[self._chords], self.table_hi[self._chords]
            while True:
                lo_u, hi_u = np.uint64(lo), np.uint64(hi)
                fits = ((c_lo & ~lo_u) == 0) & ((c_hi & ~hi_u) == 0)
                if not fits.any():
                    break
                best = int(np.flatnonzero(fits)[np.argmax(self._chord_sizes[fits])])
                tok = int(self._chords[best])
                parts.append(tok)
                lo &= ~int(self.table_lo[tok]) & (2**64 - 1)
                hi &= ~int(self.table_hi[tok]) & (2**64 - 1)
        for p in pitches_of(lo, hi):
            tok_or_none = self._singles.get(p)
            if tok_or_none is None and self._singles:  # unseen pitch: nearest octave that is known
                cands = sorted(self._singles, key=lambda q: (abs(q - p) % 12 != 0, abs(q - p)))
                tok_or_none = self._singles[cands[0]]
            if tok_or_none is not None:
                parts.append(tok_or_none)
        return parts

    def tokenize(self, stream: EventStream, start_token: bool = True) -> TokenStream:
        """Events to integer streams; rare chords become several tokens at the same onset."""
        out, _ = self._rows(stream)
        if start_token:
            out = np.vstack([np.zeros((1, N_STREAMS), np.int32), out])
        return TokenStream(out, int(stream.start), tuple(stream.time_signature))  # type: ignore[arg-type]

    def _rows(self, stream: EventStream) -> tuple[np.ndarray, np.ndarray]:
        """Token rows of a stream, and how many rows each event became."""
        u_lo, u_hi, inverse, _ = unique_masks(stream.lo, stream.hi)
        seqs = [
            [REST] if (lo == 0 and hi == 0) else self._split(lo, hi)
            for lo, hi in zip(u_lo.tolist(), u_hi.tolist(), strict=True)
        ]
        seq_len = np.array([len(s) for s in seqs], np.int64)
        flat = np.array([t for s in seqs for t in s], np.int32)
        seq_start = np.r_[0, np.cumsum(seq_len)[:-1]]
        rows = seq_len[inverse]
        owner = np.repeat(np.arange(len(stream)), rows)
        pos = np.arange(owner.size) - np.repeat(np.cumsum(rows) - rows, rows)
        last = pos == rows[owner] - 1
        out = np.empty((owner.size, N_STREAMS), np.int32)
        out[:, 0] = flat[seq_start[inverse[owner]] + pos]
        out[:, 1] = stream.duration[owner]
        out[:, 2] = np.where(last, stream.step[owner], 0)
        out[:, 3] = stream.velocity[owner]
        out[:, 4] = stream.voice[owner]
        return out, rows

    def tokenize_many(self, streams: Sequence[EventStream]) -> list[TokenStream]:
        """Tokenize many pieces in one vectorized pass (each gets its start token)."""
        if not streams:
            return []
        tokens, rows = self._rows(EventStream.concatenate(streams))
        # Each piece's slice of rows, from the rows its events became.
        bounds = np.r_[0, np.cumsum([len(s) for s in streams])]
        row_bounds = np.r_[0, np.cumsum(rows)][bounds]
        start = np.zeros((1, N_STREAMS), np.int32)
        return [
            TokenStream(np.vstack([start, tokens[a:b]]), int(s.start), tuple(s.time_signature))  # type: ignore[arg-type]
            for s, a, b in zip(streams, row_bounds[:-1], row_bounds[1:], strict=True)
        ]

    def detokenize(
        self, tokens: np.ndarray, start: int = 0, time_signature: tuple[int, int] = (4, 4)
    ) -> EventStream:
        """Integer streams back to events (start tokens dropped)."""
        tokens = np.asarray(tokens)
        tokens = tokens[tokens[:, 0] != START]
        pitch = np.clip(tokens[:, 0], 0, len(self) - 1)
        return EventStream(
            lo=self.table_lo[pitch],
            hi=self.table_hi[pitch],
            duration=np.clip(tokens[:, 1], 0, STREAM_SIZES["duration"] - 1).astype(np.int16),
            step=np.clip(tokens[:, 2], 0, MAX_STEP).astype(np.int16),
            velocity=np.clip(tokens[:, 3], 0, VELOCITY_BINS - 1).astype(np.int16),
            voice=np.clip(tokens[:, 4], 0, N_VOICES - 1).astype(np.int8),
            start=start,
            time_signature=time_signature,
        )

    # -- persistence ------------------------------------------------------------------
    def to_json(self) -> dict:
        def key_str(lo: int, hi: int) -> str:
            return ".".join(str(p) for p in pitches_of(lo, hi))

        return {
            "format": VOCAB_FORMAT,
            "threshold": self.threshold,
            "tokens": ["<start>", "<rest>"]
            + [
                key_str(int(a), int(b))
                for a, b in zip(self.table_lo[2:], self.table_hi[2:], strict=True)
            ],
            "observed": [
                [key_str(int(k["lo"]), int(k["hi"])), int(c)]
                for k, c in zip(self.observed, self.observed_counts, strict=True)
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Vocabulary:
        if not isinstance(data, dict) or data.get("format") != VOCAB_FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise VocabularyError(
                f"vocabulary format {found!r} is not supported (expected {VOCAB_FORMAT})"
            )
        try:

            def parse(s: str) -> tuple[int, int]:
                return mask_of(int(x) for x in s.split("."))

            toks = data["tokens"]
            if toks[:2] != ["<start>", "<rest>"]:
                raise ValueError("first tokens must be <start>, <rest>")
            pairs = [parse(t) for t in toks[2:]]
            obs = [parse(s) for s, _ in data["observed"]]
            observed = np.empty(len(obs), KEY_DTYPE)
            observed["lo"] = [a for a, _ in obs]
            observed["hi"] = [b for _, b in obs]
            counts = np.array([int(c) for _, c in data["observed"]], np.int64)
            return cls(
                int(data["threshold"]),
                np.array([0, 0] + [a for a, _ in pairs], np.uint64),
                np.array([0, 0] + [b for _, b in pairs], np.uint64),
                observed,
                counts,
            )
        except (KeyError, TypeError, ValueError) as e:
            raise VocabularyError(f"vocabulary is damaged: {e}") from e

    def save(self, path: str | Path) -> None:
        from musicstudio.core.base.files import atomic_write_bytes

        atomic_write_bytes(path, json.dumps(self.to_json()).encode())

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise VocabularyError(f"cannot read vocabulary {path}: {e}") from e
        return cls.from_json(data)
