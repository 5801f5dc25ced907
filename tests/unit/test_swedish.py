"""flows.swedish: the one place user text gets its dates, numbers and plurals."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from flows import swedish


def test_dates() -> None:
    day = dt.date(2027, 3, 15)
    assert swedish.long_date(day) == "15 mars 2027"
    assert swedish.den_date(day) == "den 15 mars 2027"
    assert swedish.weekday_name(day) == "måndag"
    assert swedish.weekday_date(dt.date(2027, 3, 21)) == "söndag 21 mars 2027"
    assert swedish.month_year(day) == "mars 2027"
    assert swedish.long_date(None) == ""
    moment = dt.datetime(2027, 1, 1, 8, 5, tzinfo=dt.UTC)
    assert swedish.long_date(moment) == "1 januari 2027"
    assert swedish.moment(moment) == "1 januari 2027 kl. 08.05"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_agree_with_cldr(day: dt.date) -> None:
    assert swedish.long_date(day) == format_date(day, "d MMMM y", locale="sv")
    assert swedish.weekday_name(day) == format_date(day, "EEEE", locale="sv")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (1250, "1 250"),
        (1234.5, "1 234,5"),
        (1234567.891, "1 234 567,89"),
        (2.0, "2"),
        (0.10, "0,1"),
        (-1500, "-1 500"),
        (-0.001, "0"),
    ],
)
def test_numbers(value: float, text: str) -> None:
    assert swedish.number(value) == text


def test_number_of_none_and_decimals() -> None:
    assert swedish.number(None) == ""
    assert swedish.number(None, empty="–") == "–"
    assert swedish.number(2.345, decimals=0) == "2"
    assert swedish.number(1.25, decimals=1) == "1,2"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_group_by_three(n: int) -> None:
    text = swedish.number(n)
    assert text.replace(" ", "") == str(n)
    assert all(len(group) == 3 for group in text.lstrip("-").split(" ")[1:])


def test_plurals() -> None:
    assert swedish.days(1) == "1 dag"
    assert swedish.days(2) == "2 dagar"
    assert swedish.days(0) == "0 dagar"
    assert swedish.count(1, "aktivitet") == "1 aktivitet"
    assert swedish.count(3, "aktivitet") == "3 aktiviteter"
    assert swedish.count(1, "nämnd") == "1 nämnd"
    assert swedish.count(2, "nämnd") == "2 nämnder"
    assert swedish.count(1, "inbjudan") == "1 inbjudan"
    assert swedish.count(4, "inbjudan") == "4 inbjudningar"
    assert swedish.count(1200, "meddelande") == "1 200 meddelanden"
    assert swedish.count(1, "styrelse", "styrelser") == "1 styrelse"
    with pytest.raises(KeyError):
        swedish.count(2, "okänt ord")


def test_genitive_and_listing() -> None:
    assert swedish.genitive("Socialnämnden") == "Socialnämndens"
    assert swedish.genitive("Ekebyhem AB") == "Ekebyhem AB:s"
    assert swedish.genitive("Kalmar Vatten") == "Kalmar Vattens"
    assert swedish.genitive("Kommunfullmäktiges") == "Kommunfullmäktiges"
    assert swedish.listing([]) == ""
    assert swedish.listing(["a"]) == "a"
    assert swedish.listing(["a", "b"]) == "a och b"
    assert swedish.listing(["a", "b", "c"], "eller") == "a, b eller c"
    # board names that hold a comma are told apart by semicolons
    companies = ["Ekeby Hamn AB, styrelsen", "Ekeby Vatten AB, styrelsen", "Socialnämnden"]
    assert swedish.listing(companies) == (
        "Ekeby Hamn AB, styrelsen; Ekeby Vatten AB, styrelsen och Socialnämnden"
    )


def test_email_filters_use_this_module() -> None:
    from flows.messages.environment import text_environment

    env = text_environment()
    rendered = env.from_string(
        "{{ d|datum }}; {{ 1|dagar }}; {{ 5|dagar }}; {{ 1|antal('aktivitet') }}; {{ 1234.5|tal }}"
    ).render(d=dt.date(2027, 3, 15))
    assert rendered == "15 mars 2027; 1 dag; 5 dagar; 1 aktivitet; 1 234,5"


def test_pydantic_choices_in_swedish() -> None:
    assert swedish.pydantic_choices("'nämnd', 'styrelse' or 'utskott'") == (
        "'nämnd', 'styrelse' eller 'utskott'"
    )
