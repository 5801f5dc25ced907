"""The reminder plan for hbtqia-2026 (deadline Wednesday 31 March 2027, Easter just before)."""

from __future__ import annotations

import datetime as dt
import itertools

from flows.model import ReminderPlan
from flows.schedule import (
    BoardFacts,
    Due,
    due_message,
    due_messages,
    next_send_day,
    plan_entries,
)

D = dt.date
DEADLINE = D(2027, 3, 31)
PLAN = ReminderPlan(
    invitation_weeks_before=8,
    reminder_days_before=[14, 3],
    on_deadline=True,
    overdue_every_days=7,
    escalate_after_days=14,
    max_overdue_reminders=3,
    resubmit_after_days=3,
)


def due(facts: BoardFacts, today: dt.date, plan: ReminderPlan = PLAN) -> Due | None:
    return due_message(DEADLINE, plan, facts, today)


def sent(**keys: dt.date) -> BoardFacts:
    return BoardFacts(sent={k.replace("_", "-"): v for k, v in keys.items()})


def test_the_plan_in_order_with_send_days() -> None:
    entries = plan_entries(DEADLINE, PLAN)
    assert [(e.key, e.kind, e.nominal, e.send_on, e.escalate) for e in entries] == [
        ("invitation", "invitation", D(2027, 2, 3), D(2027, 2, 3), False),
        ("before-14", "reminder_before", D(2027, 3, 17), D(2027, 3, 17), False),
        # Easter Sunday, then Easter Monday: Tuesday would be the day before the deadline
        # message, so it goes out on the Thursday before Good Friday instead
        ("before-3", "reminder_before", D(2027, 3, 28), D(2027, 3, 25), False),
        ("deadline", "deadline", D(2027, 3, 31), D(2027, 3, 31), False),
        ("overdue-1", "overdue", D(2027, 4, 7), D(2027, 4, 7), False),
        ("overdue-2", "escalation", D(2027, 4, 14), D(2027, 4, 14), True),
        ("overdue-3", "escalation", D(2027, 4, 21), D(2027, 4, 21), True),
    ]


def test_plan_options() -> None:
    plan = PLAN.model_copy(
        update={
            "on_deadline": False,
            "reminder_days_before": [3, 0, -2, 3],
            "max_overdue_reminders": 0,
        }
    )
    assert [e.key for e in plan_entries(DEADLINE, plan)] == ["invitation", "before-3"]
    eager = PLAN.model_copy(update={"escalate_after_days": 0})
    assert all(e.escalate for e in plan_entries(DEADLINE, eager) if e.key.startswith("overdue"))


def test_nothing_before_the_invitation_date() -> None:
    assert due(BoardFacts(), D(2027, 2, 2)) is None
    invitation = due(BoardFacts(), D(2027, 2, 3))
    assert invitation is not None and invitation.key == "invitation"


def test_invitation_first_even_when_late() -> None:
    late = due(BoardFacts(), D(2027, 3, 30))
    assert late is not None and late.key == "invitation"
    # not the deadline-day message the next day: never two messages on consecutive send days
    assert due(sent(invitation=D(2027, 3, 30)), D(2027, 3, 31)) is None
    # nor after the deadline: nothing meant for the deadline day goes out after it
    assert due(sent(invitation=D(2027, 3, 30)), D(2027, 4, 1)) is None
    nxt = due(sent(invitation=D(2027, 3, 30)), D(2027, 4, 7))
    assert nxt is not None and nxt.key == "overdue-1"


def test_no_invitation_after_the_deadline_unless_chosen() -> None:
    assert due(BoardFacts(), D(2027, 3, 31)) is not None  # the deadline day itself: still invited
    assert due(BoardFacts(), D(2027, 4, 1)) is None
    assert due(BoardFacts(), D(2027, 4, 8)) is None
    chosen = PLAN.model_copy(update={"late_invitation": True})
    late = due(BoardFacts(), D(2027, 4, 8), chosen)
    assert late is not None and late.key == "invitation"
    # the next day: nothing, everything due so far was superseded by the invitation
    assert due(sent(invitation=D(2027, 4, 8)), D(2027, 4, 9), chosen) is None
    nxt = due(sent(invitation=D(2027, 4, 8)), D(2027, 4, 14), chosen)
    assert nxt is not None and nxt.key == "overdue-2" and nxt.escalate


def test_each_message_on_its_day_and_not_again() -> None:
    facts = sent(invitation=D(2027, 2, 3))
    assert due(facts, D(2027, 3, 16)) is None
    before = due(facts, D(2027, 3, 17))
    assert before == Due("before-14", "reminder_before", D(2027, 3, 17), D(2027, 3, 17), False)
    facts = sent(invitation=D(2027, 2, 3), before_14=D(2027, 3, 17))
    assert due(facts, D(2027, 3, 18)) is None
    moved = due(facts, D(2027, 3, 25))
    assert moved is not None and moved.key == "before-3" and moved.nominal == D(2027, 3, 28)
    facts = sent(invitation=D(2027, 2, 3), before_14=D(2027, 3, 17), before_3=D(2027, 3, 25))
    for quiet in (D(2027, 3, 26), D(2027, 3, 29), D(2027, 3, 30)):  # Good Friday, Easter Monday
        assert due(facts, quiet) is None
    deadline = due(facts, D(2027, 3, 31))
    assert deadline is not None and deadline.key == "deadline"


EASTER_2027 = ReminderPlan(
    invitation_weeks_before=8,
    reminder_days_before=[14, 3, 1],
    on_deadline=True,
    overdue_every_days=7,
    escalate_after_days=7,
    max_overdue_reminders=2,
)


def test_easter_2027_never_two_messages_on_consecutive_send_days() -> None:
    """Deadline Wednesday 31 March 2027; Good Friday 26, Easter Monday 29 March. The plan asks
    for reminders 14, 3 and 1 days before: 3 days before is Easter Sunday (next send day Tuesday
    30), 1 day before is Tuesday 30 too, the day before the deadline message."""
    entries = plan_entries(DEADLINE, EASTER_2027)
    assert [(e.key, e.send_on) for e in entries] == [
        ("invitation", D(2027, 2, 3)),
        ("before-14", D(2027, 3, 17)),
        # before-3 and before-1 both land on Tuesday 30, the day before the deadline message:
        # one reminder goes out on Thursday 25 (before Good Friday), the other is dropped
        ("before-3", D(2027, 3, 25)),
        ("deadline", D(2027, 3, 31)),
        ("overdue-1", D(2027, 4, 7)),
        ("overdue-2", D(2027, 4, 14)),
    ]
    facts: dict[str, dt.date] = {}
    log = []
    day = D(2027, 1, 1)
    while day <= D(2027, 5, 1):
        found = due_message(DEADLINE, EASTER_2027, BoardFacts(sent=dict(facts)), day)
        if found is not None:
            facts[found.key] = day
            log.append(day)
        day += dt.timedelta(days=1)
    assert log == [e.send_on for e in entries]
    for earlier, later in itertools.pairwise(log):
        assert next_send_day(earlier + dt.timedelta(days=1)) < later


def test_a_deadline_on_a_sunday_gets_its_message_on_the_friday_before() -> None:
    sunday = D(2027, 3, 14)
    entries = {e.key: e for e in plan_entries(sunday, PLAN)}
    assert entries["deadline"].send_on == D(2027, 3, 12)
    assert entries["deadline"].nominal == sunday
    facts = sent(invitation=D(2027, 1, 18), before_14=D(2027, 3, 1), before_3=D(2027, 3, 10))
    assert due_message(sunday, PLAN, facts, D(2027, 3, 11)) is None
    friday = due_message(sunday, PLAN, facts, D(2027, 3, 12))
    assert friday is not None and friday.key == "deadline"
    # a run that missed the Friday does not send "today is the last day" on the Monday after
    assert due_message(sunday, PLAN, facts, D(2027, 3, 15)) is None
    # reminders before a deadline that is not a send day never move past it either
    saturday_reminder = PLAN.model_copy(update={"reminder_days_before": [1]})
    by_day = {e.key: e.send_on for e in plan_entries(sunday, saturday_reminder)}
    assert by_day["before-1"] < sunday


def test_one_message_per_day() -> None:
    facts = sent(invitation=D(2027, 2, 3), before_14=D(2027, 4, 7))
    assert due(facts, D(2027, 4, 7)) is None


def test_catch_up_sends_only_the_latest_due_message() -> None:
    facts = sent(invitation=D(2027, 2, 3))
    caught_up = due(facts, D(2027, 4, 15))
    assert caught_up is not None and caught_up.key == "overdue-2" and caught_up.escalate
    after = sent(invitation=D(2027, 2, 3), overdue_2=D(2027, 4, 15))
    assert due(after, D(2027, 4, 16)) is None
    assert due(after, D(2027, 4, 20)) is None
    third = due(after, D(2027, 4, 21))
    assert third is not None and third.key == "overdue-3"


def test_no_more_messages_after_the_last_overdue() -> None:
    facts = sent(invitation=D(2027, 2, 3), overdue_3=D(2027, 4, 21))
    assert due(facts, D(2027, 6, 1)) is None


def test_weekends_and_holidays_send_nothing() -> None:
    assert due(BoardFacts(), D(2027, 2, 6)) is None  # Saturday
    assert due(BoardFacts(), D(2027, 3, 26)) is None  # Good Friday
    assert due(BoardFacts(), D(2027, 2, 8)) is not None  # Monday


def test_a_valid_submission_ends_the_chase() -> None:
    facts = BoardFacts(sent={"invitation": D(2027, 2, 3)}, has_valid_submission=True)
    for day in (D(2027, 3, 17), D(2027, 3, 31), D(2027, 4, 14)):
        assert due(facts, day) is None
    assert due(BoardFacts(has_valid_submission=True), D(2027, 2, 3)) is None


def test_resubmit_request_after_a_rejection() -> None:
    facts = BoardFacts(sent={"invitation": D(2027, 2, 3)}, last_rejection=D(2027, 3, 18))
    assert due(facts, D(2027, 3, 19)) is None
    assert due(facts, D(2027, 3, 20)) is None  # Saturday
    request = due(facts, D(2027, 3, 22))
    assert request == Due(
        "resubmit-2027-03-18", "resubmit_request", D(2027, 3, 21), D(2027, 3, 22), False
    )
    asked = BoardFacts(
        sent={"invitation": D(2027, 2, 3), "resubmit-2027-03-18": D(2027, 3, 22)},
        last_rejection=D(2027, 3, 18),
    )
    assert asked.resubmit_requested
    assert due(asked, D(2027, 3, 23)) is None
    later = due(asked, D(2027, 3, 30))
    assert later is not None and later.key == "before-3"
    again = BoardFacts(sent=asked.sent, last_rejection=D(2027, 4, 1))
    second = due(again, D(2027, 4, 6))
    assert second is not None and second.key == "resubmit-2027-04-01"


def test_resubmit_request_wins_over_a_reminder_the_same_day() -> None:
    facts = BoardFacts(sent={"invitation": D(2027, 2, 3)}, last_rejection=D(2027, 3, 12))
    request = due(facts, D(2027, 3, 17))
    assert request is not None and request.kind == "resubmit_request"


def test_due_messages_for_several_boards() -> None:
    facts = {
        "kfn": BoardFacts(),
        "bun": sent(invitation=D(2027, 2, 3)),
        "ks": BoardFacts(has_valid_submission=True),
    }
    result = due_messages(DEADLINE, PLAN, facts, D(2027, 3, 17))
    assert {b: d.key for b, d in result.items()} == {"kfn": "invitation", "bun": "before-14"}


def test_an_invitation_is_allowed_up_to_the_deadline_unless_late_ones_are_chosen() -> None:
    from flows.model import Cycle
    from flows.schedule import invitation_allowed

    cycle = Cycle(
        id="hbtqia-2026",
        code="HBT26",
        strategy="hbtqia",
        year=2026,
        deadline=DEADLINE,
        council_meeting=D(2027, 5, 24),
        plan=PLAN,
    )
    assert invitation_allowed(cycle, DEADLINE)
    # an approval that waited past midnight after the deadline day: no invitation now
    assert not invitation_allowed(cycle, D(2027, 4, 1))
    late = cycle.model_copy(update={"plan": PLAN.model_copy(update={"late_invitation": True})})
    assert invitation_allowed(late, D(2027, 4, 1))
