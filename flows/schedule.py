"""Who is due for which message on which day: the reminder plan, pure (no I/O, no clock).

A cycle's plan gives each board, in order: the invitation, reminders N days before the deadline,
a message on the deadline day, then overdue reminders every `overdue_every_days` (the escalation
contact copied once `escalate_after_days` have passed), at most `max_overdue_reminders` of them.
After a rejected answer, a request to resubmit follows `resubmit_after_days` later.

Rules:
- Only send days count: not Saturdays, Sundays, Swedish public holidays, nor midsummer eve,
  Christmas eve and New Year's eve. A message whose date is not a send day moves to the next one;
  a message meant for the deadline or before it moves to the last send day before the deadline
  when the next one would be after it (it then names the real deadline).
- Never two plan messages to one board on consecutive send days: where the plan would put two
  next to each other, a reminder before the deadline moves back one send day more (or, when that
  crowds the message before it, is dropped); otherwise the earlier message is superseded by the
  later one. A run that sent something yesterday sends nothing today.
- Nothing meant for the deadline or before it goes out after the deadline: a run after the
  deadline does not catch up with a reminder or the deadline-day message.
- No invitation after the deadline unless the cycle's plan says `late_invitation: true`; such an
  invitation is `late` and worded as one.
- One message per board per day, and only the most relevant one: if the flow did not run for a
  while, the latest message that fell due since the board's last message is sent, not a burst.
- After a rejected answer (the rejection reply is the day's contact), planned reminders wait for
  the resubmit request; reminders that fell due up to it are superseded.
- Nothing before the invitation: an uninvited board gets the invitation (with its template)
  first, whenever that is; messages that fell due up to that day are superseded by it.
- A board with a valid submission gets nothing more.

Each message has a plan key ("invitation", "before-14", "deadline", "overdue-2",
"resubmit-2027-03-20") that the ledger uses as its idempotency key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from flows.ledger.records import InboundRecord, OutboundKind, OutboundRecord, SubmissionRecord
from flows.model import Cycle, ReminderPlan

LOCAL_TZ = ZoneInfo("Europe/Stockholm")
PLAN_KINDS: frozenset[str] = frozenset(
    {"invitation", "reminder_before", "deadline", "overdue", "escalation", "resubmit_request"}
)


# --------------------------------------------------------------------------- send days


@lru_cache(maxsize=32)
def _holidays(year: int) -> Mapping[dt.date, str]:
    # "de_facto" adds midsommarafton, julafton and nyårsafton: offices are closed.
    table = holidays.country_holidays("SE", years=year, categories=("public", "de_facto"))
    # Some versions of the library list every Sunday as a holiday; weekends are handled apart.
    return {day: str(name) for day, name in table.items() if day.weekday() < 5}


def holiday_name(day: dt.date) -> str | None:
    """The (English) name of the Swedish holiday on `day` if it is a weekday holiday."""
    return _holidays(day.year).get(day)


def is_send_day(day: dt.date) -> bool:
    """True on weekdays that are not Swedish public holidays (or their eves that close offices)."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_send_day(day: dt.date) -> dt.date:
    """`day` itself if it is a send day, else the first send day after it."""
    while not is_send_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_send_day(day: dt.date) -> dt.date:
    """The last send day strictly before `day`."""
    day -= dt.timedelta(days=1)
    while not is_send_day(day):
        day -= dt.timedelta(days=1)
    return day


def last_send_day_by(day: dt.date) -> dt.date:
    """`day` itself if it is a send day, else the last send day before it."""
    return day if is_send_day(day) else previous_send_day(day)


def spaced(earlier: dt.date, later: dt.date) -> bool:
    """True when at least one send day lies strictly between the two days."""
    return next_send_day(earlier + dt.timedelta(days=1)) < later


def send_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every send day from `start` to `end`, both included."""
    days = []
    day = start
    while day <= end:
        if is_send_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an aware datetime in Sweden."""
    return moment.astimezone(LOCAL_TZ).date()


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlanEntry:
    """One planned message: `nominal` is its date by the plan, `send_on` the send day it gets."""

    key: str
    kind: OutboundKind
    nominal: dt.date
    send_on: dt.date
    escalate: bool = False
    latest: dt.date | None = None  # the last day it may go out (None: no limit)


def resubmit_key(rejected_on: dt.date) -> str:
    return f"resubmit-{rejected_on.isoformat()}"


def plan_entries(deadline: dt.date, plan: ReminderPlan) -> list[PlanEntry]:
    """The cycle's planned messages in plan order (invitation first, by send day after that),
    each on its send day, spaced so that no two fall on consecutive send days."""
    by_deadline = last_send_day_by(deadline)

    def before(key: str, kind: OutboundKind, nominal: dt.date) -> PlanEntry:
        moved = next_send_day(nominal)
        send_on = moved if moved <= deadline else last_send_day_by(nominal)
        return PlanEntry(key, kind, nominal, send_on, latest=by_deadline)

    invitation = before(
        "invitation", "invitation", deadline - dt.timedelta(weeks=plan.invitation_weeks_before)
    )
    invitation = dataclasses.replace(invitation, latest=None)
    rest: list[PlanEntry] = []
    for days in sorted({d for d in plan.reminder_days_before if d > 0}, reverse=True):
        rest.append(before(f"before-{days}", "reminder_before", deadline - dt.timedelta(days=days)))
    if plan.on_deadline:
        rest.append(before("deadline", "deadline", deadline))
    for number in range(1, plan.max_overdue_reminders + 1):
        late = number * plan.overdue_every_days
        escalate = late >= plan.escalate_after_days
        kind: OutboundKind = "escalation" if escalate else "overdue"
        nominal = deadline + dt.timedelta(days=late)
        rest.append(PlanEntry(f"overdue-{number}", kind, nominal, next_send_day(nominal), escalate))
    order = {e.key: i for i, e in enumerate(rest)}
    rest.sort(key=lambda e: (e.send_on, order[e.key]))
    return [invitation, *_spaced(invitation, rest)]


def _spaced(invitation: PlanEntry, rest: list[PlanEntry]) -> list[PlanEntry]:
    """`rest` without two entries on the same or consecutive send days, nor one right after the
    invitation. From the end: the later message is kept; the earlier one, if it is a reminder
    before the deadline, moves back to leave a send day between, provided it then still leaves
    one after the message before it; else it is dropped (the later one supersedes it)."""
    kept: list[PlanEntry] = []
    for index in range(len(rest) - 1, -1, -1):
        entry = rest[index]
        previous = rest[index - 1].send_on if index > 0 else invitation.send_on
        if kept and not spaced(entry.send_on, kept[0].send_on):
            if entry.kind != "reminder_before":
                continue
            moved = previous_send_day(previous_send_day(kept[0].send_on))
            if not spaced(previous, moved):
                continue
            entry = dataclasses.replace(entry, send_on=moved)
        if not spaced(invitation.send_on, entry.send_on):
            continue
        kept.insert(0, entry)
    return kept


# --------------------------------------------------------------------------- one board


@dataclass(frozen=True)
class BoardFacts:
    """What the ledger knows about one board in one cycle, as far as the plan cares.

    `sent` maps plan keys already sent (or reserved: the flow re-sends those from
    `Ledger.unsent()`) to the local date they were sent or reserved.
    """

    sent: Mapping[str, dt.date] = field(default_factory=dict)
    has_valid_submission: bool = False
    last_rejection: dt.date | None = None

    @property
    def invited(self) -> bool:
        return "invitation" in self.sent

    @property
    def last_sent(self) -> dt.date | None:
        return max(self.sent.values(), default=None)

    @property
    def resubmit_requested(self) -> bool:
        return self.last_rejection is not None and resubmit_key(self.last_rejection) in self.sent


@dataclass(frozen=True)
class Due:
    """The message a board should get today."""

    key: str
    kind: OutboundKind
    nominal: dt.date
    send_on: dt.date
    escalate: bool  # copy the board's escalation contact


def _due(entry: PlanEntry) -> Due:
    return Due(entry.key, entry.kind, entry.nominal, entry.send_on, entry.escalate)


def due_message(
    deadline: dt.date, plan: ReminderPlan, facts: BoardFacts, today: dt.date
) -> Due | None:
    """The one message due for this board on `today`, or None."""
    if facts.has_valid_submission or not is_send_day(today):
        return None
    last = facts.last_sent
    if last is not None and not spaced(last, today):
        return None  # one message per board per day, never two on consecutive send days
    entries = plan_entries(deadline, plan)
    if not facts.invited:
        invitation = entries[0]
        if invitation.send_on > today or (today > deadline and not plan.late_invitation):
            return None
        return _due(invitation)

    rejected = facts.last_rejection
    if rejected is not None and not facts.resubmit_requested:
        # The rejection reply went out that day; the plan holds until the resubmit request.
        nominal = rejected + dt.timedelta(days=plan.resubmit_after_days)
        if next_send_day(nominal) > today:
            return None
        return Due(
            resubmit_key(rejected), "resubmit_request", nominal, next_send_day(nominal), False
        )

    contact = max(d for d in (last, rejected) if d is not None)
    fresh = [
        e
        for e in entries
        if e.key not in facts.sent
        and contact < e.send_on <= today
        and (e.latest is None or today <= e.latest)
    ]
    return _due(fresh[-1]) if fresh else None


def invitation_allowed(cycle: Cycle, day: dt.date) -> bool:
    """May an invitation go out on `day`? Not after the deadline, unless the plan chose it."""
    return day <= cycle.deadline or cycle.plan.late_invitation


def due_messages(
    deadline: dt.date, plan: ReminderPlan, facts: Mapping[str, BoardFacts], today: dt.date
) -> dict[str, Due]:
    """For each board id with something due on `today`, that message."""
    found = {board: due_message(deadline, plan, f, today) for board, f in facts.items()}
    return {board: due for board, due in found.items() if due is not None}


# --------------------------------------------------------------------------- from the ledger


def board_facts(
    board: str,
    outbound: Iterable[OutboundRecord],
    submissions: Iterable[SubmissionRecord],
    inbound: Iterable[InboundRecord] = (),
    *,
    include_reserved: bool = True,
) -> BoardFacts:
    """A board's facts from the cycle's ledger records (records of other boards are skipped).

    A plan message counts on its `due_date` when it has one, else on the day it was sent.
    Rejections are invalid submission versions and inbound messages with outcome "rejected"
    (e.g. a PDF) attributed to the board; once it has a valid version they no longer matter.
    """
    sent: dict[str, dt.date] = {}
    for message in outbound:
        if message.board != board or message.inbound_sha is not None:
            continue
        if message.kind not in PLAN_KINDS:
            continue
        moment = message.sent_at or (message.reserved_at if include_reserved else None)
        if moment is not None:
            # The day it was planned for, not the wall clock: a run with --today, or a crashed
            # reservation sent the next morning, still counts on the plan's own calendar.
            day = message.due_date or local_date(moment)
            sent[message.plan_key] = min(day, sent.get(message.plan_key, day))

    has_valid = False
    rejections: list[dt.date] = []
    for submission in submissions:
        if submission.board != board:
            continue
        if submission.valid:
            has_valid = True
        else:
            rejections.append(local_date(submission.received_at or submission.recorded_at))
    for item in inbound:
        if item.board == board and item.outcome == "rejected":
            rejections.append(local_date(item.received_at or item.stored_at))
    return BoardFacts(
        sent=sent,
        has_valid_submission=has_valid,
        last_rejection=max(rejections, default=None),
    )
