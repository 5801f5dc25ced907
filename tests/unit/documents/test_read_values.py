"""Swedish numbers, dates and protocol paragraphs."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.documents.read_values import NumberReading, parse_date, parse_number, parse_paragraph


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("1 234", NumberReading(1234.0)),
        ("1\u00a0234", NumberReading(1234.0)),
        ("1.234", NumberReading(1234.0, ambiguous=True)),
        ("1.234.567", NumberReading(1234567.0)),
        ("1 234,5", NumberReading(1234.5)),
        ("12,5", NumberReading(12.5)),
        ("12.5", NumberReading(12.5)),
        ("40 %", NumberReading(40.0)),
        ("38 st", NumberReading(38.0)),
        ("-3", NumberReading(-3.0)),
        ("ca 40", NumberReading(40.0, approximate=True)),
        ("Cirka 1 200", NumberReading(1200.0, approximate=True)),
        ("drygt 30", NumberReading(30.0, approximate=True)),
        ("40+", NumberReading(40.0, approximate=True)),
        ("", NumberReading(None)),
        ("många", NumberReading(None, unreadable=True)),
        ("30–40", NumberReading(None, unreadable=True)),
        ("se kommentar", NumberReading(None, unreadable=True)),
    ],
)
def test_numbers(text: str, reading: NumberReading) -> None:
    assert parse_number(text) == reading


@pytest.mark.parametrize(
    "text",
    [
        "2027-03-12",
        "2027-3-12",
        "12 mars 2027",
        "den 12 mars 2027",
        "12 Mars 2027",
        "12 mar. 2027",
        "12/3 2027",
        "12/3/2027",
        "12.3.2027",
        "20270312",
    ],
)
def test_dates(text: str) -> None:
    assert parse_date(text) == dt.date(2027, 3, 12)


@pytest.mark.parametrize("text", ["", "i mars", "2027-02-30", "31/2 2027", "12 smarch 2027"])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("§ 34", "§ 34"),
        ("§34", "§ 34"),
        ("34", "§ 34"),
        ("34 §", "§ 34"),
        ("Paragraf 34", "§ 34"),
        ("KFN § 34/2027", "KFN § 34/2027"),
        ("", None),
    ],
)
def test_paragraphs(text: str, expected: str | None) -> None:
    assert parse_paragraph(text) == expected
