"""What a simulated board answers: its activities' status and comments, added activities, key
figures, texts and decision. `flows.demo.simulated_boards` invents them; `flows.demo.answers`
writes them into a template."""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class ActivityAnswer:
    """The answer for one pre-filled activity, found by its `nr`.

    `status_text` is what the board chose or wrote ("" = left as "Välj status"); one of the four
    statuses is chosen in the dropdown, anything else is typed in place of the dropdown.
    `status` is what the board meant (None when it cannot be told, e.g. "Se kommentar").
    """

    nr: str
    status_text: str
    status: str | None
    comment: str = ""


@dataclasses.dataclass(frozen=True)
class AddedActivity:
    """A row the board added in an area's table (`nr` may be left empty)."""

    area: int
    activity: str
    status_text: str
    status: str | None
    nr: str = ""
    responsible: str = ""
    timeframe: str = ""
    comment: str = ""


@dataclasses.dataclass(frozen=True)
class IndicatorAnswer:
    """A key figure as written (`value_text`, e.g. "1 250") and its number (`value`)."""

    name: str
    value_text: str
    value: float | None
    comment: str = ""


@dataclasses.dataclass(frozen=True)
class BoardAnswer:
    cycle: str
    board: str
    activities: tuple[ActivityAnswer, ...] = ()
    added: tuple[AddedActivity, ...] = ()
    indicators: tuple[IndicatorAnswer, ...] = ()
    analysis: str = ""
    support: str = ""
    decision_date: dt.date | None = None
    decision_date_text: str = ""
    decision_paragraph: str = ""
    filled_by: str = ""
    saved_at: dt.datetime | None = None
