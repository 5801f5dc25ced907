"""All boards' answers as DataFrames: one row per activity, one per key figure, one per board.

Everything the report and the Excel export count is derived from these frames (see
`flows.report.figures`), so each number is computed in exactly one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from flows.model import Config, Cycle
from flows.report.sources import Answer

LOCAL_TZ = ZoneInfo("Europe/Stockholm")

ACTIVITY_COLUMNS = [
    "cycle",
    "board",
    "board_name",
    "board_order",
    "area",
    "nr",
    "activity",
    "responsible",
    "timeframe",
    "status",
    "status_text",
    "comment",
    "received",
    "version",
    "row",
]
INDICATOR_COLUMNS = ["cycle", "board", "board_name", "board_order", "name", "value", "value_text"]
INDICATOR_COLUMNS += ["comment"]
BOARD_COLUMNS = [
    "board",
    "board_name",
    "kind",
    "administration",
    "board_order",
    "reported",
    "state",
    "version",
    "received",
    "sender",
    "filename",
    "decision_date",
    "decision_paragraph",
    "analysis",
    "support",
    "warnings",
]


@dataclass(frozen=True)
class Frames:
    """One cycle's answers. `received` columns hold naive local (Swedish) times."""

    cycle: Cycle
    activities: pd.DataFrame
    indicators: pd.DataFrame
    boards: pd.DataFrame
    problems: pd.DataFrame


def local_time(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored (UTC) moment as naive Swedish local time; naive input is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None)


def latest_per_board(answers: Iterable[Answer]) -> dict[str, Answer]:
    latest: dict[str, Answer] = {}
    for answer in answers:
        current = latest.get(answer.board)
        if current is None or answer.version > current.version:
            latest[answer.board] = answer
    return latest


def build_frames(
    config: Config,
    cycle: Cycle,
    answers: Iterable[Answer],
    states: Mapping[str, str] | None = None,
) -> Frames:
    """The frames for `cycle` from each board's answer (the highest version if several)."""
    states = states or {}
    latest = latest_per_board(answers)
    activities: list[dict[str, object]] = []
    indicators: list[dict[str, object]] = []
    boards: list[dict[str, object]] = []
    problems: list[dict[str, object]] = []
    for order, board in enumerate(config.boards_in(cycle)):
        answer = latest.get(board.id)
        received = local_time(answer.received_at) if answer else None
        parsed = answer.parsed if answer else None
        boards.append(
            {
                "board": board.id,
                "board_name": board.name,
                "kind": board.kind,
                "administration": board.administration,
                "board_order": order,
                "reported": answer is not None,
                "state": states.get(board.id, "submitted" if answer else "not_invited"),
                "version": answer.version if answer else None,
                "received": received,
                "sender": (answer.sender or "") if answer else "",
                "filename": answer.filename if answer else "",
                "decision_date": parsed.decision.date if parsed else None,
                "decision_paragraph": (parsed.decision.paragraph or "") if parsed else "",
                "analysis": parsed.texts.analysis if parsed else "",
                "support": parsed.texts.support if parsed else "",
                "warnings": len(parsed.warnings) if parsed else 0,
            }
        )
        if answer is None or parsed is None:
            continue
        common: dict[str, object] = {
            "cycle": cycle.id,
            "board": board.id,
            "board_name": board.name,
            "board_order": order,
        }
        for row, activity in enumerate(parsed.activities):
            activities.append(
                {
                    **common,
                    "area": activity.area,
                    "nr": activity.nr,
                    "activity": activity.activity,
                    "responsible": activity.responsible,
                    "timeframe": activity.timeframe,
                    "status": activity.status,
                    "status_text": activity.status_text,
                    "comment": activity.comment,
                    "received": received,
                    "version": answer.version,
                    "row": row,
                }
            )
        for indicator in parsed.indicators:
            indicators.append(
                {
                    **common,
                    "name": indicator.name,
                    "value": indicator.value,
                    "value_text": indicator.value_text,
                    "comment": indicator.comment,
                }
            )
        for problem in parsed.problems:
            problems.append(
                {
                    **common,
                    "level": problem.level,
                    "code": problem.code,
                    "message": problem.message,
                    "where": problem.where,
                }
            )
    problem_columns = ["cycle", "board", "board_name", "board_order", "level", "code", "message"]
    return Frames(
        cycle=cycle,
        activities=_frame(activities, ACTIVITY_COLUMNS).astype(
            {"area": "int64", "version": "int64", "row": "int64", "board_order": "int64"}
        ),
        indicators=_frame(indicators, INDICATOR_COLUMNS).astype({"value": "float64"}),
        boards=_frame(boards, BOARD_COLUMNS),
        problems=_frame(problems, [*problem_columns, "where"]),
    )


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)


def planned_frame(config: Config, cycle: Cycle) -> pd.DataFrame:
    """The boards' action plans for the cycle's strategy, one row per planned activity."""
    rows = [
        {
            "board": board.id,
            "board_name": board.name,
            "board_order": order,
            "area": planned.area,
            "nr": planned.nr,
            "activity": planned.activity,
            "responsible": planned.responsible,
            "timeframe": planned.timeframe,
        }
        for order, board in enumerate(config.boards_in(cycle))
        for planned in config.planned_activities(cycle, board.id)
    ]
    columns = ["board", "board_name", "board_order", "area", "nr", "activity", "responsible"]
    return _frame(rows, [*columns, "timeframe"])
