"""Key figures: each board's value and the aggregate the strategy asks for, this year and last.

Pure functions of `Frames`. The aggregate is the strategy's `aggregate` of the boards' numeric
values: sum, mean, weighted_mean (weighted by another key figure's value of the same board;
boards without a weight are left out), min, max, or none (no total shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from flows.model import Strategy
from flows.report.frame import Frames
from flows.report.strategy_view import Aggregate, KeyFigure, key_figures

AGGREGATE_LABELS: dict[str, str] = {
    "sum": "Summa",
    "mean": "Medelvärde",
    "weighted_mean": "Vägt medelvärde",
    "min": "Lägsta värde",
    "max": "Högsta värde",
    "none": "Ingen sammanräkning",
}


@dataclass(frozen=True)
class FigureSummary:
    figure: KeyFigure
    total: float | None  # the aggregate this year (None: nothing to aggregate, or "none")
    previous_total: float | None
    reported_by: int
    values: pd.DataFrame  # board_name, board_order, value, previous_value


def aggregate(
    values: Sequence[float], how: Aggregate, weights: Sequence[float | None] | None = None
) -> float | None:
    """The aggregate of `values` (weights aligned with them, for weighted_mean)."""
    if how == "none" or not values:
        return None
    if how == "sum":
        return float(sum(values))
    if how == "mean":
        return float(sum(values) / len(values))
    if how == "min":
        return float(min(values))
    if how == "max":
        return float(max(values))
    pairs = [(v, w) for v, w in zip(values, weights or [], strict=False) if w is not None and w > 0]
    total_weight = sum(w for _, w in pairs)
    if not pairs or total_weight == 0:
        return None
    return float(sum(v * w for v, w in pairs) / total_weight)


def _values(frames: Frames, name: str) -> pd.DataFrame:
    ind = frames.indicators
    rows = ind[(ind["name"] == name) & ind["value"].notna()]
    rows = rows.drop_duplicates("board", keep="last")
    return rows[["board", "board_name", "board_order", "value"]]


def _total(frames: Frames | None, figure: KeyFigure) -> tuple[float | None, int]:
    if frames is None:
        return None, 0
    rows = _values(frames, figure.name)
    weights: list[float | None] | None = None
    if figure.aggregate == "weighted_mean" and figure.weight:
        by_board = dict(
            zip(*(_values(frames, figure.weight)[c] for c in ("board", "value")), strict=True)
        )
        weights = [by_board.get(b) for b in rows["board"]]
    total = aggregate([float(v) for v in rows["value"]], figure.aggregate, weights)
    return total, len(rows)


def summarize(frames: Frames, previous: Frames | None, strategy: Strategy) -> list[FigureSummary]:
    """One summary per key figure of the strategy, then any other figure the boards added."""
    figures = key_figures(strategy)
    known = {f.name for f in figures}
    figures += [KeyFigure(n) for n in dict.fromkeys(frames.indicators["name"]) if n not in known]
    out = []
    for figure in figures:
        total, reported = _total(frames, figure)
        before, _ = _total(previous, figure)
        now = _values(frames, figure.name).set_index("board")
        then = (
            _values(previous, figure.name).set_index("board")["value"]
            if previous is not None
            else pd.Series(dtype="float64")
        )
        previous_value = pd.Series(
            [then.get(b) for b in now.index], index=now.index, dtype="float64"
        )
        values = now.assign(previous_value=previous_value).sort_values("board_order")
        out.append(
            FigureSummary(
                figure=figure,
                total=total,
                previous_total=before,
                reported_by=reported,
                values=values.reset_index(),
            )
        )
    return out
