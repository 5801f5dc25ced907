"""Every number and derived table in the report and the export, computed from `Frames`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from flows.model import STATUSES, Strategy
from flows.report.frame import Frames
from flows.report.strategy_view import key_figures

NO_STATUS = "Ej angiven"
STATUS_LABELS: tuple[str, ...] = (*STATUSES, NO_STATUS)
TOTAL = "Totalt"
# How far an activity has come; "Utgår" is not on the scale.
_PROGRESS = {"Ej påbörjad": 0, "Pågående": 1, "Genomförd": 2}

# flows.status's board states as the report shows them (the same words `followup status` uses)
STATE_LABELS = {
    "not_invited": "Ej inbjuden",
    "invited": "Inbjuden",
    "reminded": "Påmind",
    "overdue": "Försenad",
    "submitted": "Inlämnad",
    "rejected": "Underkänd",
}

UNCHANGED = "Oförändrad"
PROGRESS = "Framsteg"
CHANGED = "Ändrad"
NEW = "Ny aktivitet"
DROPPED = "Ej redovisad i år"


def status_labels(activities: pd.DataFrame) -> pd.Series:
    """Each activity's status, with "Ej angiven" where the board gave none we could read."""
    return activities["status"].fillna(NO_STATUS).astype(str)


def _status_table(activities: pd.DataFrame, by: str, index: list[object]) -> pd.DataFrame:
    labels = pd.Categorical(status_labels(activities), categories=list(STATUS_LABELS))
    if activities.empty:
        table = pd.DataFrame(0, index=pd.Index(index), columns=list(STATUS_LABELS))
    else:
        table = pd.crosstab(activities[by].to_numpy(), labels, dropna=False)
        table = table.reindex(index=index, columns=list(STATUS_LABELS), fill_value=0)
    table.columns = list(STATUS_LABELS)
    table[TOTAL] = table.sum(axis=1)
    return table.astype("int64")


def areas(frames: Frames, strategy: Strategy) -> list[int]:
    """The strategy's areas, plus any area number a board used that the strategy lacks."""
    numbers = [a.number for a in strategy.areas]
    extra = sorted(set(frames.activities["area"].tolist()) - set(numbers))
    return numbers + [int(n) for n in extra]


def status_per_area(frames: Frames, strategy: Strategy) -> pd.DataFrame:
    """Rows: area number; columns: the four statuses, "Ej angiven", "Totalt"."""
    return _status_table(frames.activities, "area", list(areas(frames, strategy)))


def status_per_board(frames: Frames) -> pd.DataFrame:
    """One row per board of the cycle: its state, version, received, and status counts."""
    boards = frames.boards.set_index("board")
    counts = _status_table(frames.activities, "board", list(boards.index))
    columns = ["board_name", "state", "reported", "version", "received", "warnings"]
    return boards[columns].join(counts)


@dataclass(frozen=True)
class Counts:
    boards: int
    reported: int
    activities: int
    missing: tuple[str, ...]  # board names, in configuration order
    with_warnings: int

    @property
    def not_reported(self) -> int:
        return self.boards - self.reported


def counts(frames: Frames) -> Counts:
    boards = frames.boards
    reported = boards[boards["reported"]]
    return Counts(
        boards=len(boards),
        reported=len(reported),
        activities=len(frames.activities),
        missing=tuple(boards.loc[~boards["reported"], "board_name"]),
        with_warnings=int((reported["warnings"] > 0).sum()),
    )


def indicator_totals(frames: Frames, strategy: Strategy) -> pd.DataFrame:
    """Per key figure: the sum of numeric values, how many boards reported one, and which
    (`board_names`, a list; `boards`, the names joined with "; ").

    The strategy's key figures come first (also when nobody reported them), then any others boards
    added, in the order they first appear.
    """
    indicators = frames.indicators
    names = [figure.name for figure in key_figures(strategy)]
    names += [n for n in dict.fromkeys(indicators["name"]) if n not in names]
    numeric = indicators[indicators["value"].notna()].sort_values(["board_order"])
    grouped = numeric.groupby("name", sort=False)
    totals = pd.DataFrame(
        {
            "total": grouped["value"].sum(),
            "reported_by": grouped["board"].nunique(),
            "board_names": grouped["board_name"].agg(lambda s: list(dict.fromkeys(s))),
        }
    )
    totals = totals.reindex(pd.Index(names, name="name"))
    totals["reported_by"] = totals["reported_by"].fillna(0).astype("int64")
    totals["board_names"] = [v if isinstance(v, list) else [] for v in totals["board_names"]]
    # names such as "Ekebyhem AB, styrelsen" hold commas
    totals["boards"] = ["; ".join(v) for v in totals["board_names"]]
    return totals.reset_index()


def text_key(text: str) -> str:
    """An activity's text for matching across years: case, spacing and end punctuation ignored."""
    return re.sub(r"\s+", " ", text).strip(" .;:-–").casefold()


def compare_years(current: Frames, previous: Frames) -> pd.DataFrame:
    """Each activity of the boards that reported this year, with its status last year.

    Activities are matched by board and Nr, then (for rows without a matching Nr) by the activity's
    text. Last year's activities of those boards that were not reported again are included with
    change "Ej redovisad i år".
    """
    rows: list[dict[str, object]] = []
    prev_by_board = {b: g for b, g in previous.activities.groupby("board", sort=False)}
    for board, group in current.activities.groupby("board", sort=False):
        prev = prev_by_board.get(board)
        order = group["board_order"].iloc[0]
        prev_rows = prev.to_dict("records") if prev is not None else []
        used: set[int] = set()
        by_nr: dict[str, int] = {}
        by_text: dict[str, int] = {}
        for i, p in enumerate(prev_rows):
            if isinstance(p["nr"], str) and p["nr"]:
                by_nr.setdefault(p["nr"], i)
            by_text.setdefault(text_key(str(p["activity"])), i)
        for c in group.to_dict("records"):
            match: int | None = None
            nr = c["nr"]
            if isinstance(nr, str) and nr and by_nr.get(nr) not in used:
                match = by_nr.get(nr)
            if match is None:
                candidate = by_text.get(text_key(str(c["activity"])))
                if candidate is not None and candidate not in used:
                    match = candidate
            before = None
            if match is not None:
                used.add(match)
                before = prev_rows[match]["status"]
            rows.append(_change_row(c, before, found=match is not None))
        for i, p in enumerate(prev_rows):
            if i not in used:
                row = _change_row(p, p["status"], found=True)
                row.update(status=None, change=DROPPED, board_order=order)
                rows.append(row)
    columns = ["board", "board_name", "board_order", "area", "nr", "activity"]
    columns += ["previous_status", "status", "change"]
    return pd.DataFrame.from_records(rows, columns=columns)


def _change_row(row: dict[Any, Any], before: object, *, found: bool) -> dict[str, object]:
    now = row["status"]
    if not found:
        change = NEW
    elif before == now:
        change = UNCHANGED
    elif (
        isinstance(before, str)
        and isinstance(now, str)
        and before in _PROGRESS
        and (now in _PROGRESS and _PROGRESS[now] > _PROGRESS[before])
    ):
        change = PROGRESS
    else:
        change = CHANGED
    return {
        **{key: row[key] for key in ("board", "board_name", "board_order", "area", "nr")},
        "activity": row["activity"],
        "previous_status": before if isinstance(before, str) else None,
        "status": now if isinstance(now, str) else None,
        "change": change,
    }


def unreported_planned(frames: Frames, planned: pd.DataFrame) -> pd.DataFrame:
    """Planned activities (action plans) of the boards that reported, missing from their answer.

    A planned activity counts as reported if the answer has a row with its Nr or its text.
    """
    reported_boards = set(frames.boards.loc[frames.boards["reported"], "board"])
    acts = frames.activities
    nrs = set(zip(acts["board"], acts["nr"], strict=True))
    texts = {(b, text_key(str(a))) for b, a in zip(acts["board"], acts["activity"], strict=True)}
    keep = [
        board in reported_boards
        and (board, nr) not in nrs
        and (board, text_key(str(activity))) not in texts
        for board, nr, activity in zip(
            planned["board"], planned["nr"], planned["activity"], strict=True
        )
    ]
    return planned[pd.Series(keep, index=planned.index, dtype=bool)].reset_index(drop=True)
