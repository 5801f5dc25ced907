"""Combining key figures: each aggregate against a direct computation, over generated values."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from flows.aggregation import combine, used_boards

values_st = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    min_size=1,
)


@given(values_st)
def test_sum_mean_min_max(values: dict[str, float]) -> None:
    numbers = list(values.values())
    total = combine(values, "sum")
    assert total is not None and math.isclose(total, math.fsum(numbers), abs_tol=1e-6)
    mean = combine(values, "mean")
    assert mean is not None and min(numbers) - 1e-6 <= mean <= max(numbers) + 1e-6
    assert combine(values, "min") == min(numbers)
    assert combine(values, "max") == max(numbers)
    assert combine(values, "none") is None


@given(values_st, st.floats(min_value=0.5, max_value=100))
def test_weighted_mean_with_equal_weights_is_the_mean(values: dict[str, float], w: float) -> None:
    weighted = combine(values, "weighted_mean", {b: w for b in values})
    mean = combine(values, "mean")
    assert weighted is not None and mean is not None
    assert math.isclose(weighted, mean, rel_tol=1e-9, abs_tol=1e-6)


def test_weighted_mean_leaves_out_boards_without_weight() -> None:
    values = {"a": 40.0, "b": 60.0, "c": 90.0}
    weights = {"a": 10.0, "b": 30.0}
    assert combine(values, "weighted_mean", weights) == (40 * 10 + 60 * 30) / 40
    assert used_boards(values, "weighted_mean", weights) == ["a", "b"]
    assert combine(values, "weighted_mean", {}) is None
    assert combine({}, "mean") is None
