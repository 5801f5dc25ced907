"""The demo's script: which board answers when, and how (pure: no I/O, no clock).

Boards are cast in configuration order, so any configuration with at least six boards gets every
part: early answers, one saved in LibreOffice, one PDF followed by the right file after the
rejection, answers after a reminder, late answers after the deadline, and one that never answers
and is escalated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from flows.model import Board, Cycle
from flows.schedule import next_send_day, plan_entries

Form = Literal["word", "libreoffice", "pdf"]


@dataclass(frozen=True)
class Delivery:
    """One message a board sends: on `day` at `at`, its answer as `form`."""

    board: str
    day: dt.date
    at: dt.time
    form: Form


@dataclass(frozen=True)
class Script:
    deliveries: tuple[Delivery, ...]
    silent: tuple[str, ...]  # boards that never answer
    end: dt.date  # the day the document is compiled

    def on(self, day: dt.date) -> list[Delivery]:
        return sorted((d for d in self.deliveries if d.day == day), key=lambda d: d.at)


def _working_day(day: dt.date, offset: int = 0) -> dt.date:
    return next_send_day(day + dt.timedelta(days=offset))


def cast(boards: list[Board], cycle: Cycle) -> Script:
    """Who answers when, relative to the cycle's invitation, reminders and deadline."""
    if len(boards) < 6:
        raise ValueError("demot behöver minst sex nämnder i cykeln")
    entries = plan_entries(cycle.deadline, cycle.plan)
    invited = entries[0].send_on
    before = [e.send_on for e in entries if e.kind == "reminder_before"]
    first_reminder = before[0] if before else _working_day(cycle.deadline, -10)
    overdue = [e.send_on for e in entries if e.kind in ("overdue", "escalation")]
    end = cycle.compile_on or _working_day(cycle.council_meeting, -28)

    ids = [b.id for b in boards]
    silent = ids[-1]
    late_ids = ids[-3:-1]
    pdf_board = ids[3]
    rest = [i for i in ids[:-3] if i != pdf_board]
    libreoffice = rest[1] if len(rest) > 1 else rest[0]
    half = max(1, len(rest) // 2)
    early, after_reminder = rest[:half], rest[half:]

    deliveries: list[Delivery] = []
    for n, board in enumerate(early):
        form: Form = "libreoffice" if board == libreoffice else "word"
        day = _working_day(invited, 5 + 4 * n)
        deliveries.append(Delivery(board, day, dt.time(9 + n % 7, 10 + 7 * n % 50), form))
    for n, board in enumerate(after_reminder):
        form = "libreoffice" if board == libreoffice else "word"
        day = _working_day(first_reminder, 1 + 3 * n)
        day = min(day, cycle.deadline)
        deliveries.append(Delivery(board, day, dt.time(10 + n % 6, 5 + 11 * n % 50), form))

    pdf_day = _working_day(invited, 14)
    resubmit_asked = _working_day(pdf_day, cycle.plan.resubmit_after_days)
    deliveries.append(Delivery(pdf_board, pdf_day, dt.time(14, 2), "pdf"))
    deliveries.append(Delivery(pdf_board, _working_day(resubmit_asked, 1), dt.time(8, 47), "word"))

    after_deadline = _working_day(cycle.deadline, 2)
    after_escalation = _working_day(overdue[0], 1) if overdue else _working_day(after_deadline, 5)
    deliveries.append(Delivery(late_ids[0], after_deadline, dt.time(15, 30), "word"))
    deliveries.append(Delivery(late_ids[1], min(after_escalation, end), dt.time(11, 15), "word"))
    return Script(tuple(deliveries), (silent,), end)


def remind_days(cycle: Cycle, script: Script) -> set[dt.date]:
    """Days the remind flow has something to send: the plan's days and resubmit requests."""
    planned = {e.send_on for e in plan_entries(cycle.deadline, cycle.plan)}
    resubmits = {
        _working_day(d.day, cycle.plan.resubmit_after_days)
        for d in script.deliveries
        if d.form == "pdf"
    }
    return {d for d in planned | resubmits if d <= script.end}


def event_days(cycle: Cycle, script: Script) -> list[dt.date]:
    """The days on which something happens, up to the compile day. Other days are skipped:
    nothing is due on them, so the remind flow would send nothing."""
    first = plan_entries(cycle.deadline, cycle.plan)[0].send_on
    days = remind_days(cycle, script) | {d.day for d in script.deliveries} | {script.end}
    return sorted(d for d in days if first <= d <= script.end)
