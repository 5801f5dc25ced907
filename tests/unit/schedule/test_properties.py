"""Property tests: simulate a spring of daily (or irregular) runs and check the plan's promises."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.model import ReminderPlan
from flows.schedule import (
    BoardFacts,
    Due,
    due_message,
    is_send_day,
    last_send_day_by,
    next_send_day,
    plan_entries,
    spaced,
)

BEFORE_DEADLINE = ("reminder_before", "deadline")

plans = st.builds(
    ReminderPlan,
    invitation_weeks_before=st.integers(1, 12),
    reminder_days_before=st.lists(st.integers(1, 30), max_size=4),
    on_deadline=st.booleans(),
    overdue_every_days=st.integers(1, 14),
    escalate_after_days=st.integers(0, 30),
    max_overdue_reminders=st.integers(0, 8),
    resubmit_after_days=st.integers(0, 7),
    late_invitation=st.booleans(),
)
deadlines = st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31))


def horizon(deadline: dt.date, plan: ReminderPlan) -> tuple[dt.date, dt.date]:
    start = deadline - dt.timedelta(weeks=plan.invitation_weeks_before, days=40)
    end = deadline + dt.timedelta(days=plan.overdue_every_days * plan.max_overdue_reminders + 30)
    return start, end


def simulate(
    deadline: dt.date,
    plan: ReminderPlan,
    run_days: list[dt.date],
    rejected_on: dt.date | None = None,
    valid_on: dt.date | None = None,
) -> list[tuple[dt.date, Due]]:
    sent: dict[str, dt.date] = {}
    log = []
    for day in run_days:
        facts = BoardFacts(
            sent=dict(sent),
            has_valid_submission=valid_on is not None and day >= valid_on,
            last_rejection=rejected_on if rejected_on is not None and day >= rejected_on else None,
        )
        due = due_message(deadline, plan, facts, day)
        assert due_message(deadline, plan, facts, day) == due  # deterministic
        if due is not None:
            sent[due.key] = day
            log.append((day, due))
    return log


def every_day(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def check_common(deadline: dt.date, plan: ReminderPlan, log: list[tuple[dt.date, Due]]) -> None:
    keys = [due.key for _, due in log]
    days = [day for day, _ in log]
    assert len(set(keys)) == len(keys), "a message planned twice"
    assert len(set(days)) == len(days), "two messages to one board on one day"
    assert days == sorted(days)
    for earlier, later in itertools.pairwise(days):
        assert spaced(earlier, later), "two messages to one board on consecutive send days"
    for day, due in log:
        assert is_send_day(day)
        assert due.send_on <= day
        if due.kind in BEFORE_DEADLINE:
            assert day <= deadline, "a message meant for the deadline or before it sent after it"
            assert due.send_on <= last_send_day_by(deadline)
        elif due.kind == "invitation":
            assert plan.late_invitation or day <= deadline, "invited after the deadline"
        else:
            assert due.send_on == next_send_day(due.nominal)
    if log:
        assert log[0][1].key == "invitation"


@settings(max_examples=150, deadline=None)
@given(deadlines, plans)
def test_the_plan_is_spaced_and_never_past_the_deadline(
    deadline: dt.date, plan: ReminderPlan
) -> None:
    entries = plan_entries(deadline, plan)
    days = [e.send_on for e in entries]
    for earlier, later in itertools.pairwise(days):
        assert spaced(earlier, later)
    for entry in entries:
        assert is_send_day(entry.send_on)
        if entry.kind in BEFORE_DEADLINE:
            assert entry.send_on <= last_send_day_by(deadline) == entry.latest
            assert entry.send_on <= next_send_day(entry.nominal)
    by_key = {e.key: e for e in entries}
    if "deadline" in by_key:
        # on the deadline itself, or on the last send day before it when it is not a send day
        assert by_key["deadline"].send_on == last_send_day_by(deadline)
    kept = {e.key for e in entries}
    overdue = [f"overdue-{n}" for n in range(1, plan.max_overdue_reminders + 1)]
    if overdue:
        assert overdue[-1] in kept, "the end of the chase is never dropped"
    if plan.on_deadline and not any(k in kept for k in overdue):
        assert "deadline" in kept or not spaced(entries[0].send_on, last_send_day_by(deadline))


@settings(max_examples=150, deadline=None)
@given(deadlines, plans)
def test_daily_runs_send_the_plan_in_order_on_time(deadline: dt.date, plan: ReminderPlan) -> None:
    entries = plan_entries(deadline, plan)
    log = simulate(deadline, plan, every_day(*horizon(deadline, plan)))
    check_common(deadline, plan, log)

    order = {e.key: i for i, e in enumerate(entries)}
    indexes = [order[due.key] for _, due in log]
    assert indexes == sorted(indexes), "plan order kept"
    for day, due in log:
        assert day == due.send_on, "daily runs send on the send day itself"
    invitation_day = log[0][0]
    assert invitation_day == entries[0].send_on
    expected = [
        e.key
        for e in entries[1:]
        if e.send_on > invitation_day
        and not any(o.send_on == e.send_on and order[o.key] > order[e.key] for o in entries)
    ]
    assert [due.key for _, due in log[1:]] == expected, "every message not superseded is sent"
    for _, due in log:
        if due.key.startswith("overdue-"):
            late = (due.nominal - deadline).days
            assert due.escalate == (late >= plan.escalate_after_days)
            assert due.kind == ("escalation" if due.escalate else "overdue")
            assert 1 <= int(due.key.split("-")[1]) <= plan.max_overdue_reminders


@settings(max_examples=150, deadline=None)
@given(deadlines, plans, st.data())
def test_irregular_runs_catch_up_with_one_message(
    deadline: dt.date, plan: ReminderPlan, data: st.DataObject
) -> None:
    days = every_day(*horizon(deadline, plan))
    run_days = sorted(data.draw(st.sets(st.sampled_from(days), max_size=60)))
    entries = plan_entries(deadline, plan)
    log = simulate(deadline, plan, run_days)
    check_common(deadline, plan, log)

    previous: dt.date | None = None
    for day, due in log:
        if due.key != "invitation":
            assert previous is not None
            newer = [
                e
                for e in entries[1:]
                if previous < e.send_on <= day and (e.latest is None or day <= e.latest)
            ]
            assert due.key == newer[-1].key, "the most recent due message, not an older one"
        previous = day
    if log and entries[1:]:
        last = entries[-1]
        invited_on = log[0][0]
        sent_days = [d for d, _ in log]

        def free(d: dt.date) -> bool:
            before = [s for s in sent_days if s < d]
            return is_send_day(d) and (not before or spaced(before[-1], d))

        def in_time(d: dt.date) -> bool:
            return d >= last.send_on and (last.latest is None or d <= last.latest)

        if last.send_on > invited_on and any(in_time(d) and free(d) for d in run_days):
            assert log[-1][1].key == last.key, "the chase reaches the end of the plan"


@settings(max_examples=100, deadline=None)
@given(deadlines, plans, st.data())
def test_nothing_after_a_valid_submission(
    deadline: dt.date, plan: ReminderPlan, data: st.DataObject
) -> None:
    days = every_day(*horizon(deadline, plan))
    valid_on = data.draw(st.sampled_from(days))
    log = simulate(deadline, plan, days, valid_on=valid_on)
    check_common(deadline, plan, log)
    assert all(day < valid_on for day, _ in log)


@settings(max_examples=100, deadline=None)
@given(deadlines, plans, st.data())
def test_a_rejection_is_followed_by_a_resubmit_request(
    deadline: dt.date, plan: ReminderPlan, data: st.DataObject
) -> None:
    days = every_day(*horizon(deadline, plan))
    rejected_on = data.draw(st.sampled_from(days))
    log = simulate(deadline, plan, days, rejected_on=rejected_on)
    check_common(deadline, plan, log)
    after = [(day, due) for day, due in log if day >= rejected_on and due.key != "invitation"]
    if after:
        day, first = after[0]
        assert first.kind == "resubmit_request"
        assert first.key == f"resubmit-{rejected_on.isoformat()}"
        earliest = next_send_day(rejected_on + dt.timedelta(days=plan.resubmit_after_days))
        previous = max(d for d, _ in log if d < day)
        # the first send day from the earliest day that leaves a send day after the last message
        expected = earliest
        while not spaced(previous, expected):
            expected = next_send_day(expected + dt.timedelta(days=1))
        assert day == expected
        for _, later in after[1:]:
            assert later.send_on > day and later.kind != "resubmit_request"


@given(deadlines, plans, st.dates(dt.date(2024, 1, 1), dt.date(2031, 12, 31)))
def test_weekends_and_holidays_never_send(
    deadline: dt.date, plan: ReminderPlan, today: dt.date
) -> None:
    facts = BoardFacts(sent={"invitation": deadline - dt.timedelta(days=400)})
    if not is_send_day(today):
        assert due_message(deadline, plan, facts, today) is None
        assert due_message(deadline, plan, BoardFacts(), today) is None
