"""Vectorized building blocks for synthetic columns: RNG streams, ids, dates, categories, money.

A table builder returns `Columns`: raw numpy/pyarrow arrays plus `Sql` expressions over
them; the landing writer turns those into typed Parquet columns with DuckDB.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import pyarrow as pa

from dataops_assets.sources.event_window import Window


class Sql(str):
    """A DuckDB expression over the raw columns of the same part."""


Columns: TypeAlias = dict[str, Any]


class Chunk(NamedTuple):
    """Rows [start, stop) of a table, generated with the chunk's own RNG stream."""

    number: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def rng_for(seed: int, name: str, chunk: int = 0) -> np.random.Generator:
    """An RNG stream that depends only on the seed, a stream name and the chunk number."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode()), chunk]))


@dataclass
class LandingContext:
    """Run parameters plus memoized dimension arrays that several tables reference."""

    seed: int
    scale: float
    window: Window
    rows: dict[str, int]
    _memo: dict[str, Any] = field(default_factory=dict)

    def rng(self, name: str, chunk: int = 0) -> np.random.Generator:
        return rng_for(self.seed, name, chunk)

    def memo(self, key: str, build: Callable[[LandingContext], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    def ids(self, name: str, modulus: int, offset: int = 0, capacity: int | None = None) -> IdScrambler:
        """Unique, random-looking numbers for up to `capacity` (default: rows[name]) rows."""
        size = self.rows[name] if capacity is None else capacity
        return self.memo(
            f"ids:{name}",
            lambda c: IdScrambler.create(c.rng(f"{name}/ids"), size, modulus, offset, name),
        )


@dataclass(frozen=True)
class IdScrambler:
    """Bijection index -> (index * mult + add) mod modulus + offset (mult coprime to modulus).

    Lets any table compute a parent's key from the parent's row index without keeping the
    parent in memory, and keeps keys unique across independently generated chunks.
    """

    modulus: int
    mult: int
    add: int
    offset: int

    @classmethod
    def create(cls, rng: np.random.Generator, capacity: int, modulus: int, offset: int, name: str) -> IdScrambler:
        if capacity > modulus:
            raise ValueError(f"scale: {name} needs {capacity} ids but only {modulus} fit its key format")
        hi = min(modulus - 1, (2**63 - 1) // max(capacity, 1))  # keeps index * mult inside uint64
        lo = max(1, hi // 7)
        mult = int(rng.integers(lo, hi + 1))
        while math.gcd(mult, modulus) != 1:
            mult = mult + 1 if mult < hi else lo
        return cls(modulus, mult, int(rng.integers(0, modulus)), offset)

    def __call__(self, index: np.ndarray) -> np.ndarray:
        x = np.asarray(index, dtype=np.uint64) * np.uint64(self.mult) % np.uint64(self.modulus)
        x = (x + np.uint64(self.add)) % np.uint64(self.modulus)
        return x.astype(np.int64) + self.offset


def key_sql(prefix: str, column: str, width: int) -> Sql:
    """'<prefix>' followed by the zero-padded number in `column`, e.g. CUST-0001234567."""
    return Sql(f"'{prefix}' || lpad({column}::VARCHAR, {width}, '0')")


def pick(words: Sequence[str], index: np.ndarray) -> pa.Array:
    """words[index] as an Arrow string array (vectorized take, no Python loop)."""
    return pa.array(list(words), pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def categorical(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """Category codes 0..len(weights)-1 drawn with the given relative weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(p.size, size=n, p=p / p.sum())


def exact_categorical(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """Category codes with counts as close as possible to n * share, in shuffled order."""
    p = np.asarray(weights, dtype=float) / np.sum(weights)
    counts = np.floor(p * n).astype(np.int64)
    remainder = n - counts.sum()
    counts[np.argsort(-(p * n - counts), kind="stable")[:remainder]] += 1
    return rng.permutation(np.repeat(np.arange(p.size), counts))


def choose_within(rng: np.random.Generator, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """For each row, a uniform index into its own slice [offset, offset + length) of a flat list."""
    return offsets + np.floor(rng.random(offsets.size) * lengths).astype(np.int64)


def flatten(groups: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A flat word list plus per-group offsets and lengths (for `choose_within`)."""
    lengths = np.array([len(g) for g in groups], dtype=np.int64)
    return [w for g in groups for w in g], np.cumsum(lengths) - lengths, lengths


def popularity_cdf(rng: np.random.Generator, n: int, exponent: float = 1.0, shift: float = 5.0) -> np.ndarray:
    """Zipf-like CDF over n items with a random popularity rank per item."""
    rank = rng.permutation(n).astype(float)
    weights = 1.0 / (rank + shift) ** exponent
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


def sample_cdf(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    """Row indices drawn from a CDF built by `popularity_cdf`."""
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), cdf.size - 1)


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct positions drawn with probability proportional to weights, sorted."""
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = rng.exponential(size=weights.size) / weights  # exponential race = weighted sampling w/o replacement
    return np.sort(np.argpartition(keys, k - 1)[:k])


def round_money(x: np.ndarray) -> np.ndarray:
    """Round positive amounts to cents (half up on the float product, fine for random amounts)."""
    return np.floor(np.asarray(x) * 100 + 0.5) / 100


def lognormal_amounts(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    """Positive, right-skewed money amounts rounded to cents."""
    return np.maximum(round_money(median * np.exp(sigma * rng.standard_normal(n))), 0.01)


def days_before(rng: np.random.Generator, end: dt.date, n: int, low: int, high: int) -> np.ndarray:
    """Dates between `high` and `low` days before `end` (inclusive), as datetime64[D]."""
    return np.datetime64(end, "D") - rng.integers(low, high + 1, n).astype("timedelta64[D]")


def seconds(x: np.ndarray) -> np.ndarray:
    """Float seconds as timedelta64[s] (floored)."""
    return np.floor(x).astype(np.int64).astype("timedelta64[s]")


def nullable(values: np.ndarray, is_null: np.ndarray) -> pa.Array:
    """An Arrow array with nulls where is_null is true."""
    return pa.array(values, mask=np.asarray(is_null, dtype=bool))
