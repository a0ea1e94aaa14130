"""Hostile MIDI bytes for the hostile tests and the fuzz benchmark: mutations of real files.

Each kind imitates a way real files arrive broken: cut downloads, flipped bits,
lying chunk lengths, absurd header fields, huge delta times, or no MIDI at all.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

import numpy as np

KINDS = (
    "truncate",
    "bitflip",
    "bytes",
    "chunk_length",
    "header",
    "delta",
    "duplicate",
    "random",
    "splice",
)


def mutate(data: bytes, rng: np.random.Generator, kind: str | None = None) -> bytes:
    """One mutation of `data` (a kind picked at random unless given)."""
    kind = kind or str(rng.choice(KINDS))
    buf = bytearray(data)
    n = len(buf)
    if kind == "truncate":
        return bytes(buf[: int(rng.integers(0, max(1, n)))])
    if kind == "bitflip":
        for _ in range(int(rng.integers(1, 16))):
            i = int(rng.integers(0, n))
            buf[i] ^= 1 << int(rng.integers(0, 8))
        return bytes(buf)
    if kind == "bytes":
        for _ in range(int(rng.integers(1, 32))):
            buf[int(rng.integers(0, n))] = int(rng.integers(0, 256))
        return bytes(buf)
    if kind == "chunk_length":
        at = buf.find(b"MTrk")
        if at >= 0 and at + 8 <= n:
            buf[at + 4 : at + 8] = struct.pack(
                ">I", int(rng.choice([0, 1, 2**31 - 1, 2**32 - 1, int(rng.integers(0, 2**32))]))
            )
        return bytes(buf)
    if kind == "header":
        if n >= 14:
            fmt, ntrk, div = (int(rng.integers(0, 2**16)) for _ in range(3))
            buf[8:14] = struct.pack(">HHH", fmt, ntrk, div)
        return bytes(buf)
    if kind == "delta":
        at = buf.find(b"MTrk")
        if at >= 0 and at + 8 < n:  # a maximal variable-length delta time at the start of the track
            buf[at + 8 : at + 8] = b"\xff\xff\xff\x7f"
        return bytes(buf)
    if kind == "duplicate":
        a = int(rng.integers(0, n))
        b = min(n, a + int(rng.integers(1, 512)))
        return bytes(buf[:b] + buf[a:b] * int(rng.integers(1, 50)) + buf[b:])
    if kind == "splice":
        a, b = sorted(int(x) for x in rng.integers(0, n, 2))
        return bytes(buf[:a] + rng.integers(0, 256, b - a, dtype=np.uint8).tobytes() + buf[b:])
    head = b"MThd" if rng.random() < 0.5 else b""
    return head + rng.integers(0, 256, int(rng.integers(0, 4096)), dtype=np.uint8).tobytes()


def hostile_inputs(seeds: Sequence[bytes], count: int, seed: int = 0) -> Iterator[bytes]:
    """`count` hostile inputs from real seed files (reproducible)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        data = seeds[int(rng.integers(0, len(seeds)))]
        for _ in range(int(rng.integers(1, 3))):
            data = mutate(data, rng)
        yield data
