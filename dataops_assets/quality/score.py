"""Quality scores: share of passing rows per dimension, and a 0-100 overall figure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dataops_assets.quality.expectations import DIMENSIONS


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation on one model, as the score needs it."""

    check_name: str
    dimension: str
    severity: str
    passed: bool
    unexpected_percent: float | None  # None for aggregate expectations (pass/fail only)


def pass_share(outcome: Outcome) -> float:
    """Share of rows meeting the expectation; aggregate expectations count as all or nothing."""
    if outcome.unexpected_percent is None:
        return 1.0 if outcome.passed else 0.0
    return max(0.0, 1.0 - outcome.unexpected_percent / 100.0)


def dimension_scores(outcomes: Iterable[Outcome]) -> dict[str, float]:
    """0-100 per dimension that has at least one expectation: mean pass share of its expectations."""
    shares: dict[str, list[float]] = {}
    for outcome in outcomes:
        shares.setdefault(outcome.dimension, []).append(pass_share(outcome))
    return {d: round(100 * sum(shares[d]) / len(shares[d]), 2) for d in DIMENSIONS if d in shares}


def overall_score(dimensions: dict[str, float], weights: dict[str, float] | None = None) -> float | None:
    """Weighted mean of the dimension scores present (equal weights unless given)."""
    if not dimensions:
        return None
    weights = weights or {}
    total = sum(weights.get(d, 1.0) for d in dimensions)
    return round(sum(score * weights.get(d, 1.0) for d, score in dimensions.items()) / total, 2)


def product_score(model_scores: Iterable[float | None]) -> float | None:
    """A product's score: the mean of its checked models' scores."""
    scores = [s for s in model_scores if s is not None]
    return round(sum(scores) / len(scores), 2) if scores else None
