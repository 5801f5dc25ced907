"""The demo's script (pure): every part is cast, on the days the reminder plan implies."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.config import load_config
from flows.demo.script import cast, event_days, remind_days
from flows.model import Config
from flows.schedule import is_send_day
from tests.conftest import CONFIG_DIR


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def test_every_part_is_cast(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    boards = config.boards_in(cycle)
    script = cast(boards, cycle)
    forms = [d.form for d in script.deliveries]
    assert forms.count("libreoffice") == 1 and forms.count("pdf") == 1
    answering = {d.board for d in script.deliveries}
    assert answering | set(script.silent) == {b.id for b in boards}
    assert not answering & set(script.silent)
    pdf = next(d for d in script.deliveries if d.form == "pdf")
    again = [d for d in script.deliveries if d.board == pdf.board and d.form == "word"]
    assert len(again) == 1 and again[0].day > pdf.day
    late = [d for d in script.deliveries if d.day > cycle.deadline]
    assert len(late) == 2
    early = [d for d in script.deliveries if d.day < cycle.deadline - dt.timedelta(days=14)]
    assert len(early) >= 3
    assert all(is_send_day(d.day) for d in script.deliveries)
    assert script.end == cycle.compile_on


def test_only_days_with_something_to_do_are_visited(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    script = cast(config.boards_in(cycle), cycle)
    days = event_days(cycle, script)
    assert days[0] == dt.date(2027, 2, 3) and days[-1] == dt.date(2027, 4, 19)
    assert len(days) < 30  # of the 75 days of the spring
    reminders = remind_days(cycle, script)
    # Plan days (before-3 on Sunday 28 March goes out before Easter, not next to the deadline
    # message), the resubmit request.
    assert {dt.date(2027, 3, 17), dt.date(2027, 3, 25), dt.date(2027, 3, 31)} <= reminders
    assert dt.date(2027, 4, 7) in reminders and dt.date(2027, 4, 21) not in reminders
    assert reminders <= set(days)


def test_too_few_boards_for_the_story(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    with pytest.raises(ValueError, match="minst sex"):
        cast(config.boards_in(cycle)[:5], cycle)
