"""What the council document says beyond the boards' own answers: the assessment per area, the
office's analysis (or a default from the figures), the proposed decision, the support needs, the
year-on-year and period views. Pure functions of frames, strategy and the report file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from flows import swedish
from flows.model import Cycle, Municipality, Strategy
from flows.report.assessment import AreaAssessment, assess
from flows.report.figures import NO_STATUS, TOTAL, areas, counts
from flows.report.frame import Frames
from flows.report.report_file import ReportFile
from flows.report.strategy_view import area_label, period_years, scale, statuses

_BOARDS = ("nämnd eller styrelse", "nämnder och styrelser")

# What boards write under "Behov av stöd" when they need nothing.
_NO_NEED = re.compile(
    r"^(?:-+|–|—|nej\.?|inget\.?|inga\.?|ingen\.?|inte aktuellt\.?|ej aktuellt\.?|"
    r"inga (?:särskilda )?behov(?: av stöd)?\.?|inget (?:särskilt )?behov(?: av stöd)?\.?|"
    r"vi har inga (?:särskilda )?behov(?: av stöd)?(?: just nu)?\.?)$",
    re.IGNORECASE,
)


def needs_support(text: str) -> bool:
    """The board's "Behov av stöd" asks for something (not empty, not "Inga behov")."""
    cleaned = " ".join(text.split())
    return bool(cleaned) and not _NO_NEED.match(cleaned)


def support_needs(frames: Frames) -> list[tuple[str, str]]:
    """(board name, text) of the reporting boards that ask for support, in board order."""
    boards = frames.boards[frames.boards["reported"]].sort_values("board_order")
    return [
        (str(name), str(text).strip())
        for name, text in zip(boards["board_name"], boards["support"], strict=True)
        if needs_support(str(text))
    ]


def assessments(frames: Frames, strategy: Strategy, notes: ReportFile) -> list[AreaAssessment]:
    """One assessment per area of the strategy, from the statuses and the coordinator's notes."""
    vocabulary, levels = statuses(strategy), scale(strategy)
    acts = frames.activities
    out = []
    for area in strategy.areas:
        rows = acts[acts["area"] == area.number]["status"]
        note = notes.assessments.get(area.number)
        out.append(
            assess(
                area.number,
                [s if isinstance(s, str) else None for s in rows],
                vocabulary,
                levels,
                chosen=note.level if note else None,
                text=note.text if note else "",
            )
        )
    return out


def default_decision(strategy: Strategy, cycle: Cycle) -> list[str]:
    return [
        f"godkänna uppföljningen av {strategy.short_title.lower()} för {cycle.year}",
        "lägga uppföljningen till handlingarna",
    ]


def decision_paragraphs(
    municipality: Municipality, clauses: list[str], strategy: Strategy, cycle: Cycle
) -> list[str]:
    """ "Kommunstyrelsen föreslår kommunfullmäktige besluta att …", one clause per paragraph."""
    clauses = clauses or default_decision(strategy, cycle)
    lead = f"{municipality.executive_board} föreslår {municipality.council.lower()} besluta"
    if len(clauses) == 1:
        return [f"{lead} att {clauses[0]}."]
    return [f"{lead}", *(f"att {c}," for c in clauses[:-1]), f"att {clauses[-1]}."]


def default_analysis(
    frames: Frames, previous: Frames | None, strategy: Strategy, found: list[AreaAssessment]
) -> str:
    """A factual overall analysis from the figures, for when the office has written none."""
    numbers = counts(frames)
    label = area_label(strategy).lower()
    if not numbers.reported:
        return (
            f"Ingen nämnd eller styrelse har redovisat sitt arbete under {frames.cycle.year}, så "
            "det finns inget underlag för en analys."
        )
    parts = [
        f"Av {swedish.count_words(numbers.boards, *_BOARDS)} har "
        f"{swedish.number_word(numbers.reported)} redovisat sitt arbete under {frames.cycle.year}."
    ]
    done = statuses(strategy).done
    if numbers.activities and done:
        share = int((frames.activities["status"] == done).sum())
        parts.append(
            f"Av de {numbers.activities} redovisade aktiviteterna har {share} "
            f"({swedish.percent(share / numbers.activities)}) statusen {done}."
        )
    graded = [a for a in found if a.level is not None]
    if graded:
        by_level: dict[str, list[int]] = {}
        for a in graded:
            assert a.level is not None
            by_level.setdefault(a.level.label, []).append(a.area)
        spans = [
            f"som {lvl.lower()} för {label} {swedish.listing([str(n) for n in nums])}"
            for lvl, nums in by_level.items()
        ]
        parts.append(f"Målet bedöms {swedish.listing(spans)}.")
    if previous is not None and done and not previous.activities.empty:
        before = int((previous.activities["status"] == done).sum())
        parts.append(
            f"Vid uppföljningen för {previous.cycle.year} hade {before} av "
            f"{len(previous.activities)} redovisade aktiviteter statusen {done}."
        )
    asking = len(support_needs(frames))
    if asking:
        parts.append(
            f"Av dem som redovisat anger {swedish.number_word(asking)} behov av stöd i det "
            "fortsatta arbetet."
        )
    return " ".join(parts)


def status_by_year(
    per_year: list[tuple[int, Frames]], strategy: Strategy, area: int | None = None
) -> pd.DataFrame:
    """Rows: the strategy's statuses, "Ej angiven" and "Totalt"; columns: the years given.

    `area` narrows to one area; None counts every area.
    """
    vocabulary = statuses(strategy)
    rows = [*vocabulary.values, NO_STATUS]
    table = pd.DataFrame(0, index=pd.Index(rows), columns=[y for y, _ in per_year], dtype="int64")
    for year, frames in per_year:
        acts = frames.activities
        if area is not None:
            acts = acts[acts["area"] == area]
        labels = acts["status"].where(acts["status"].isin(vocabulary.values), NO_STATUS)
        for label, n in labels.value_counts().items():
            table.loc[str(label), year] = int(n)
    table.loc[TOTAL] = table.sum()
    return table


@dataclass(frozen=True)
class Period:
    """The strategy's period and where this cycle stands in it."""

    first: int
    last: int

    def is_final(self, year: int) -> bool:
        return year == self.last


def period_of(strategy: Strategy) -> Period | None:
    years = period_years(strategy)
    return Period(*years) if years else None


def area_numbers(frames: Frames, strategy: Strategy) -> list[int]:
    return areas(frames, strategy)
