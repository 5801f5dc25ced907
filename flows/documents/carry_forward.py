"""Last year's answer in this year's template: which activities come back, and the note beside each.

An activity of this year's action plan that the board also reported last year shows last year's
status and comment under its name; an activity that was not finished last year (Pågående, Ej
påbörjad, no status) and is not in this year's plan comes back pre-filled. Finished (Genomförd) and
dropped (Utgår) activities do not come back unless the plan has them again. Pure.

The note is one line in the Aktivitet cell, `Förra året (2025): Pågående. Kommentar …`, never in
the Status or comment column, so a board's answer cannot be confused with last year's; the reader
drops that line (`is_last_year_note`) whatever style the editor left on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flows.model import ActivityRow, PlannedActivity

NOTE_PREFIX = "Förra året ({year}): "
_NOTE_RE = re.compile(r"^\s*Förra året \(\d{4}\):")
_UNFINISHED = (None, "Pågående", "Ej påbörjad")
MAX_NOTE_COMMENT = 300


@dataclass(frozen=True)
class CarriedActivity:
    """A row of this year's template: what is pre-filled, and last year's answer if any."""

    area: int
    nr: str
    activity: str
    responsible: str = ""
    timeframe: str = ""
    last_year: ActivityRow | None = None


def is_last_year_note(line: str) -> bool:
    return bool(_NOTE_RE.match(line))


def last_year_note(row: ActivityRow, year: int) -> str:
    """`Förra året (2025): Pågående. Utbildningen flyttades till hösten.`"""
    status = row.status or row.status_text or "ingen status angiven"
    text = NOTE_PREFIX.format(year=year) + status.rstrip(".") + "."
    comment = " ".join(row.comment.split())
    if len(comment) > MAX_NOTE_COMMENT:
        comment = comment[: MAX_NOTE_COMMENT - 1].rstrip() + "…"
    return f"{text} {comment}" if comment else text


def _text(activity: str) -> str:
    return " ".join(activity.casefold().split())


def _match(plan: PlannedActivity, previous: Sequence[ActivityRow], used: set[int]) -> int | None:
    """Last year's row for a planned activity: same number and text, else same text (the plan
    renumbered it), else same number (the plan reworded it)."""
    free = [i for i, a in enumerate(previous) if i not in used and a.area == plan.area]
    same_text = [i for i in free if _text(previous[i].activity) == _text(plan.activity)]
    same_nr = [i for i in free if (previous[i].nr or "").strip() == plan.nr]
    both = [i for i in same_text if i in same_nr]
    for found in (both, same_text, same_nr):
        if found:
            return found[0]
    return None


def carried_activities(
    planned: Sequence[PlannedActivity], last_year: Sequence[ActivityRow] | None
) -> list[CarriedActivity]:
    """This year's pre-filled rows, in area order: the plan's, then the unfinished ones."""
    previous = list(last_year or ())
    used: set[int] = set()
    rows: list[CarriedActivity] = []
    for plan in planned:
        index = _match(plan, previous, used)
        match = None if index is None else previous[index]
        if index is not None:
            used.add(index)
        rows.append(
            CarriedActivity(
                plan.area, plan.nr, plan.activity, plan.responsible, plan.timeframe, match
            )
        )
    taken_nrs = {(r.area, r.nr) for r in rows}
    for index, old in enumerate(previous):
        if index in used or old.status not in _UNFINISHED or not old.activity:
            continue
        nr = old.nr or ""
        if (old.area, nr) in taken_nrs:
            nr = ""  # the plan gave that number to another activity
        rows.append(
            CarriedActivity(old.area, nr, old.activity, old.responsible, old.timeframe, old)
        )
        if nr:
            taken_nrs.add((old.area, nr))
    return sorted(rows, key=lambda r: r.area)
