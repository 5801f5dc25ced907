"""What the report reads from a strategy: area label, status vocabulary, key figures, scale.

One place that turns the strategy file's fields (issue 12: `area_label`, `statuses`,
`indicators` with their aggregation, `assessment_scale`) into the report's terms, with the
documented defaults for a strategy file that leaves them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from flows.model import STATUSES, Strategy

Aggregate = Literal["sum", "mean", "weighted_mean", "min", "max", "none"]

DEFAULT_AREA_LABEL = "Strategiområde"
DEFAULT_FINISHED = frozenset({"Genomförd", "Utgår"})
DEFAULT_SCALE: tuple[tuple[str, str], ...] = (
    ("uppfyllt", "Uppfyllt"),
    ("delvis", "Delvis uppfyllt"),
    ("ej", "Ej uppfyllt"),
)


@dataclass(frozen=True)
class Level:
    """A step of the office's goal-fulfilment scale, best first in `scale()`."""

    value: str
    label: str


@dataclass(frozen=True)
class KeyFigure:
    name: str
    unit: str = ""
    aggregate: Aggregate = "sum"
    weight: str | None = None
    per_board: bool = False


@dataclass(frozen=True)
class StatusVocabulary:
    """The strategy's statuses in order, and which of them are finished."""

    values: tuple[str, ...]
    finished: frozenset[str]

    @property
    def done(self) -> str | None:
        """The status that means the activity was carried out: the first finished one."""
        return next((v for v in self.values if v in self.finished), None)

    @property
    def not_started(self) -> str | None:
        """The last unfinished status ("Ej påbörjad"); the others unfinished are under way."""
        unfinished = [v for v in self.values if v not in self.finished]
        return unfinished[-1] if unfinished else None


def area_label(strategy: Strategy) -> str:
    return str(getattr(strategy, "area_label", DEFAULT_AREA_LABEL) or DEFAULT_AREA_LABEL)


def area_heading(strategy: Strategy, number: int) -> str:
    """`Strategiområde 2`, with the area's title when it has one: `Strategiområde 2. Kompetens`."""
    area = strategy.area(number)
    title = str(getattr(area, "title", "") or "") if area is not None else ""
    base = f"{area_label(strategy)} {number}"
    return f"{base}. {title}" if title else base


def statuses(strategy: Strategy) -> StatusVocabulary:
    options: list[Any] = list(getattr(strategy, "statuses", []) or [])
    if not options:
        return StatusVocabulary(tuple(STATUSES), DEFAULT_FINISHED)
    return StatusVocabulary(
        tuple(str(o.value) for o in options),
        frozenset(str(o.value) for o in options if o.finished),
    )


def key_figures(strategy: Strategy) -> list[KeyFigure]:
    """The strategy's key figures; a plain name is a summed figure without unit."""
    out: list[KeyFigure] = []
    for item in strategy.indicators:
        if isinstance(item, str):
            out.append(KeyFigure(item))
            continue
        spec: Any = item
        out.append(
            KeyFigure(
                name=str(spec.name),
                unit=str(spec.unit or ""),
                aggregate=spec.aggregate,
                weight=spec.weight,
                per_board=bool(spec.per_board),
            )
        )
    return out


def scale(strategy: Strategy) -> list[Level]:
    levels: list[Any] = list(getattr(strategy, "assessment_scale", []) or [])
    if not levels:
        return [Level(v, label) for v, label in DEFAULT_SCALE]
    return [Level(str(level.value), str(level.label)) for level in levels]


def period_years(strategy: Strategy) -> tuple[int, int] | None:
    """The first and last year of the strategy's period ("2024–2026"), if it names them."""
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", strategy.period)]
    if not years:
        return None
    return min(years), max(years)
