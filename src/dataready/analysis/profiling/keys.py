"""Stable, collision-safe keys for what the sketches count.

Python's ``hash`` is the wrong tool for counting: ``hash(-1) == hash(-2)``, integers collide
modulo ``2**61 - 1``, and ``str`` hashes are salted per process, so a key built from them
changes between runs. The keys here are:

- :func:`row_keys`: a 128-bit key per row, built column by column (numpy, no per-row Python
  work). Each value becomes a 64-bit lane that depends on the value alone: numbers their
  exact IEEE-754 bits (integers and integral floats below 2**53 alike, so ``1`` and ``1.0``,
  ``0.0`` and ``-0.0`` agree; every NaN one lane), larger integers and decimals (normalised:
  ``1.10`` is ``1.1``) their text's SipHash, text, bytes and timestamps their SipHash. Two
  accumulators mix the lanes with different SplitMix64 steps into the key. Numbers never
  collide structurally (as ``hash(-1) == hash(-2)`` does); two different rows share a key
  only if a 64-bit SipHash collides, so among ``n`` sampled rows with probability at most
  ``n**2 / 2**65`` (below 1e-10 for 50,000 rows). SipHash is salted per process, but the keys
  never leave the process: counts differ between runs only through such a collision.
- :func:`long_text_key`: long text as its first characters plus a 128-bit digest of the
  whole text, the same in every run.
- :func:`hll_key` (:func:`hll_keys` for a batch): what an HLL sketch is fed for a value
  (DataSketches hashes it with 128-bit MurmurHash3): the integer or float itself, else a
  canonical text.
- :func:`thinning_hashes`: a well-mixed 64-bit hash per value (SplitMix64 over Python's
  hash) that decides which values a thinned counter keeps. It need only be consistent within
  a run, and a collision only makes two values share one keep-or-drop decision: the counter
  itself compares values exactly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import struct
from collections.abc import Hashable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

_MASK64 = (1 << 64) - 1
_INT64 = range(-(1 << 63), 1 << 63)
_NULL_LANE = hash(None) & _MASK64
_NAN_BITS = 0x7FF8_0000_0000_0000
_EXACT_FLOAT = float(1 << 53)
_HASHED = frozenset({str, bytes, dt.datetime, dt.date, dt.time})
_ZERO = Decimal(0)


def _lane_text(value: Any) -> Any:
    """The hashable stand-in of a value that has no numeric lane (equal values alike)."""
    if isinstance(value, Decimal):
        return str(value.normalize())  # 1.10 and 1.1 alike
    if isinstance(value, bool):
        return f"\x00b{int(value)}"
    if isinstance(value, int | float):  # beyond 2**53: as text, exactly
        return f"\x00n{int(value)}"
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, dict | list):
        return "\x00j" + json.dumps(value, sort_keys=True, default=str)
    return value if type(value) in _HASHED else "\x00r" + repr(value)


_TRUE_LANE = hash(_lane_text(True)) & _MASK64
_FALSE_LANE = hash(_lane_text(False)) & _MASK64


def _float_bits(number: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", number + 0.0))[0])  # -0.0 + 0.0 is 0.0


def _slow_lane(value: Any) -> int:
    kind = type(value)
    if value is None:
        return _NULL_LANE
    if kind is float:
        if math.isnan(value):
            return _NAN_BITS
        if abs(value) < _EXACT_FLOAT or math.isinf(value):
            return _float_bits(value)
    elif kind is int and abs(value) < (1 << 53):
        return _float_bits(float(value))
    return hash(_lane_text(value)) & _MASK64


def _lane(column: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """A 64-bit lane per value of one column (the same lane for a value in any batch)."""
    n = len(column)
    types = set(map(type, column))
    none = type(None)
    if types <= {int, float, none} and types != {none}:
        try:
            numbers = np.fromiter(
                (0.0 if v is None else v for v in column), dtype=np.float64, count=n
            )
        except OverflowError:  # an integer beyond any float
            return np.fromiter(map(_slow_lane, column), dtype=np.uint64, count=n)
        lanes = (numbers + 0.0).view(np.uint64).copy()  # -0.0 + 0.0 is 0.0
        lanes[np.isnan(numbers)] = np.uint64(_NAN_BITS)
        # big integers lose digits as floats: those go through their text
        inexact = (np.abs(numbers) >= _EXACT_FLOAT) & np.isfinite(numbers)
        if none in types:
            nulls = np.fromiter((v is None for v in column), dtype=bool, count=n)
            lanes[nulls] = np.uint64(_NULL_LANE)
            inexact &= ~nulls
        for index in np.flatnonzero(inexact).tolist():
            lanes[index] = np.uint64(_slow_lane(column[index]))
        return lanes
    if types <= {bool, none} and types != {none}:
        flags = np.fromiter((v is True for v in column), dtype=bool, count=n)
        lanes = np.where(flags, np.uint64(_TRUE_LANE), np.uint64(_FALSE_LANE))
        if none in types:
            nulls = np.fromiter((v is None for v in column), dtype=bool, count=n)
            lanes[nulls] = np.uint64(_NULL_LANE)
        return lanes
    if types <= {Decimal, none} and types != {none}:
        decimals = [_ZERO if v is None else v for v in column]
        texts = map(str, map(Decimal.normalize, decimals))
        hashed = np.fromiter(map(hash, texts), dtype=np.int64, count=n).view(np.uint64)
        if none in types:
            nulls = np.fromiter((v is None for v in column), dtype=bool, count=n)
            hashed[nulls] = np.uint64(_NULL_LANE)
        return hashed
    if types <= _HASHED | {none}:
        hashed = np.fromiter(map(hash, column), dtype=np.int64, count=n).view(np.uint64)
        if none in types:
            nulls = np.fromiter((v is None for v in column), dtype=bool, count=n)
            hashed[nulls] = np.uint64(_NULL_LANE)
        return hashed
    return np.fromiter(map(_slow_lane, column), dtype=np.uint64, count=n)


def _splitmix(x: np.ndarray[Any, np.dtype[np.uint64]]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def row_keys(rows: Sequence[Sequence[Any]]) -> list[bytes]:
    """A 16-byte key per row: equal rows (by SQL equality) get equal keys."""
    if not rows:
        return []
    n = len(rows)
    first = np.full(n, np.uint64(0x243F6A8885A308D3))
    second = np.full(n, np.uint64(0x13198A2E03707344))
    with np.errstate(over="ignore"):
        for position, column in enumerate(zip(*rows, strict=True)):
            lane = _lane(column)
            salt = np.uint64((0x9E3779B97F4A7C15 * (position + 1)) & _MASK64)
            first = _splitmix(first ^ _splitmix(lane + np.uint64(2 * position + 1)))
            second = _splitmix(second + _splitmix(lane ^ salt))
    keys: list[bytes] = np.stack([first, second], axis=1).view("S16").ravel().tolist()
    return keys


def long_text_key(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters plus the digest of all of it (stable per run)."""
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{value[:limit]}…#{digest}"


def hll_key(value: Hashable) -> int | float | str:
    """What an HLL sketch is fed for ``value``: equal values give equal keys."""
    kind = type(value)
    if kind is int or kind is float or kind is bool:
        number = float(value)  # type: ignore[arg-type]
        if not math.isfinite(number) or abs(number) < _EXACT_FLOAT:
            return number  # 1 and 1.0 alike; DataSketches folds -0.0 and every NaN itself
        return str(int(value))  # type: ignore[call-overload]
    if isinstance(value, Decimal):
        return str(value.normalize())  # 1.10 and 1.1 alike
    if isinstance(value, dt.date | dt.time):
        return str(value)
    return value if isinstance(value, str) else repr(value)


def hll_keys(values: list[Any]) -> Iterable[Hashable]:
    """:func:`hll_key` of every value, at C speed for the common one-type batches."""
    types = set(map(type, values))
    if types == {str}:
        return values
    if types <= {int, float}:
        try:
            numbers = np.fromiter(values, dtype=np.float64, count=len(values))
        except OverflowError:
            return map(hll_key, values)
        if bool(np.all(np.abs(numbers) < _EXACT_FLOAT)):
            listed: list[float] = numbers.tolist()
            return listed
    if len(types) == 1 and types <= {dt.datetime, dt.date, dt.time}:
        return map(str, values)
    return map(hll_key, values)


def thinning_hashes(values: Sequence[Any]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """A SplitMix64-mixed 64-bit hash per value (Python's hash, mixed: consistent within a
    run, which is all a keep-or-drop decision needs)."""
    x = np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)
    with np.errstate(over="ignore"):
        return _splitmix(x + np.uint64(0x9E3779B97F4A7C15))


def kept(hashes: np.ndarray[Any, np.dtype[np.uint64]], level: int) -> np.ndarray[Any, Any]:
    """Which hashes a counter thinned ``level`` times keeps (a share of ``2**-level``)."""
    if level <= 0:
        return np.ones(hashes.shape, dtype=bool)
    return (hashes >> np.uint64(64 - level)) == 0  # type: ignore[no-any-return]
