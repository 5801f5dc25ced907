"""How the boards' values of one key figure are combined (`KeyFigure.aggregate`). Pure.

sum, mean, weighted_mean (each board's value weighted by its value of another key figure; boards
without a usable weight are left out), min, max, none (no combined value).
"""

from __future__ import annotations

from collections.abc import Mapping

from flows.model import Aggregate

LABELS: dict[Aggregate, str] = {
    "sum": "Summa",
    "mean": "Medelvärde",
    "weighted_mean": "Vägt medelvärde",
    "min": "Lägsta",
    "max": "Högsta",
    "none": "",
}


def combine(
    values: Mapping[str, float],
    how: Aggregate,
    weights: Mapping[str, float] | None = None,
) -> float | None:
    """The combined value of `values` (board → value), or None when there is none to give."""
    if how == "none" or not values:
        return None
    numbers = list(values.values())
    if how == "sum":
        return float(sum(numbers))
    if how == "mean":
        return sum(numbers) / len(numbers)
    if how == "min":
        return min(numbers)
    if how == "max":
        return max(numbers)
    pairs = [(v, (weights or {}).get(board)) for board, v in values.items()]
    usable = [(v, w) for v, w in pairs if w is not None and w > 0]
    total_weight = sum(w for _, w in usable)
    if not usable or total_weight <= 0:
        return None
    return sum(v * w for v, w in usable) / total_weight


def used_boards(
    values: Mapping[str, float], how: Aggregate, weights: Mapping[str, float] | None = None
) -> list[str]:
    """The boards whose value went into `combine` (for weighted_mean, those with a weight)."""
    if how == "weighted_mean":
        return [b for b in values if (w := (weights or {}).get(b)) is not None and w > 0]
    return list(values)
