"""Send days: weekdays that are not Swedish public holidays or office-closing eves."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.schedule import holiday_name, is_send_day, next_send_day, send_days

D = dt.date


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (D(2027, 1, 1), "nyårsdagen"),
        (D(2027, 1, 6), "trettondedag jul"),
        (D(2027, 3, 26), "långfredagen"),
        (D(2027, 3, 29), "annandag påsk"),
        (D(2027, 5, 6), "Kristi himmelsfärds dag"),
        (D(2026, 6, 19), "midsommarafton"),
        (D(2027, 12, 24), "julafton"),
        (D(2027, 12, 31), "nyårsafton"),
        (D(2026, 6, 6), "nationaldagen on a Saturday"),
        (D(2027, 3, 27), "Saturday"),
        (D(2027, 3, 28), "Sunday (påskdagen)"),
    ],
)
def test_not_send_days(day: dt.date, why: str) -> None:
    assert not is_send_day(day), why


@pytest.mark.parametrize(
    "day",
    [
        D(2027, 3, 25),
        D(2027, 3, 30),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 6, 7),
        D(2027, 12, 23),
    ],
)
def test_ordinary_weekdays_are_send_days(day: dt.date) -> None:
    assert is_send_day(day)
    assert holiday_name(day) is None


def test_weekday_holidays_have_a_name() -> None:
    assert holiday_name(D(2027, 3, 26)) == "Good Friday"
    assert holiday_name(D(2027, 3, 28)) is None  # a Sunday: a weekend, not listed


def test_next_send_day_moves_over_easter() -> None:
    assert next_send_day(D(2027, 3, 26)) == D(2027, 3, 30)
    assert next_send_day(D(2027, 3, 30)) == D(2027, 3, 30)
    assert next_send_day(D(2027, 12, 24)) == D(2027, 12, 27)
    assert next_send_day(D(2027, 12, 31)) == D(2028, 1, 3)


def test_send_days_over_a_range() -> None:
    assert send_days(D(2027, 3, 24), D(2027, 4, 2)) == [
        D(2027, 3, 24),
        D(2027, 3, 25),
        D(2027, 3, 30),
        D(2027, 3, 31),
        D(2027, 4, 1),
        D(2027, 4, 2),
    ]
    assert send_days(D(2027, 3, 26), D(2027, 3, 29)) == []
    assert send_days(D(2027, 4, 2), D(2027, 4, 1)) == []


def test_2027_has_eight_weekday_holidays() -> None:
    weekdays = [D(2027, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    closed = [d for d in weekdays if d.weekday() < 5 and not is_send_day(d)]
    assert closed == [
        D(2027, 1, 1),
        D(2027, 1, 6),
        D(2027, 3, 26),
        D(2027, 3, 29),
        D(2027, 5, 6),
        D(2027, 6, 25),
        D(2027, 12, 24),
        D(2027, 12, 31),
    ]
    assert len(send_days(D(2027, 1, 1), D(2027, 12, 31))) == 365 - 104 - 8
