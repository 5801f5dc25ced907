"""Swedish text for users: dates, numbers, counts with the right plural, genitives. Pure functions.

Every email, document, receipt and command-line line that shows a date, a number or a count goes
through here, so "15 mars 2027", "1 234,5" and "1 dag"/"2 dagar" look the same everywhere.
"""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")

# Nouns counted in user text: singular and plural (indefinite).
NOUNS: dict[str, tuple[str, str]] = {
    "dag": ("dag", "dagar"),
    "vecka": ("vecka", "veckor"),
    "aktivitet": ("aktivitet", "aktiviteter"),
    "nämnd": ("nämnd", "nämnder"),
    "meddelande": ("meddelande", "meddelanden"),
    "svar": ("svar", "svar"),
    "bilaga": ("bilaga", "bilagor"),
    "påminnelse": ("påminnelse", "påminnelser"),
    "inbjudan": ("inbjudan", "inbjudningar"),
    "version": ("version", "versioner"),
    "problem": ("problem", "problem"),
    "varning": ("varning", "varningar"),
    "fel": ("fel", "fel"),
}


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def long_date(value: dt.date | dt.datetime | None) -> str:
    """`15 mars 2027`; empty for None. A datetime gives its own (local) calendar day."""
    if value is None:
        return ""
    day = _day(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def den_date(value: dt.date | dt.datetime) -> str:
    """`den 15 mars 2027`, as in "senast den 15 mars 2027"."""
    return f"den {long_date(value)}"


def weekday_name(value: dt.date | dt.datetime) -> str:
    """`måndag` … `söndag`."""
    return WEEKDAYS[_day(value).weekday()]


def weekday_date(value: dt.date | dt.datetime) -> str:
    """`måndag 15 mars 2027`."""
    return f"{weekday_name(value)} {long_date(value)}"


def moment(value: dt.datetime) -> str:
    """`15 mars 2027 kl. 08.30` in the datetime's own time zone."""
    return f"{long_date(value)} kl. {value:%H.%M}"


def month_year(value: dt.date | dt.datetime) -> str:
    """`mars 2027`."""
    day = _day(value)
    return f"{MONTHS[day.month - 1]} {day.year}"


def number(value: float | None, decimals: int = 2, empty: str = "") -> str:
    """`1 234,5`: a space between thousands, a decimal comma, at most `decimals` decimals with
    trailing zeros dropped, integers without decimals. `empty` for None."""
    if value is None:
        return empty
    text = f"{value:,.{decimals}f}" if decimals > 0 else f"{round(value):,}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", " ").replace(".", ",")


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 dag`, `2 dagar`, `0 nämnder`; the plural comes from NOUNS when not given."""
    if plural is None:
        if singular not in NOUNS:
            raise KeyError(f"no Swedish plural known for {singular!r}; pass it")
        singular, plural = NOUNS[singular]
    return f"{number(n)} {singular if n == 1 else plural}"


def days(n: int) -> str:
    """`1 dag`, `3 dagar`."""
    return count(n, "dag")


def genitive(name: str) -> str:
    """`Socialnämndens`, `Ekebyhem AB:s`; names ending in s, x or z take none."""
    if not name:
        return name
    last = name[-1]
    if last in "sxzSXZ":
        return name
    if last.isupper() or last.isdigit():
        return f"{name}:s"
    return f"{name}s"


def listing(items: list[str], conjunction: str = "och") -> str:
    """`a`, `a och b`, `a, b och c`; semicolons between items that hold commas themselves
    (`Ekeby Hamn AB, styrelsen; Ekeby Vatten AB, styrelsen och Socialnämnden`)."""
    if len(items) <= 1:
        return "".join(items)
    separator = "; " if any("," in item for item in items) else ", "
    return f"{separator.join(items[:-1])} {conjunction} {items[-1]}"


def pydantic_choices(expected: str) -> str:
    """Pydantic's list of allowed values (`'a', 'b' or 'c'`) in Swedish: `'a', 'b' eller 'c'`."""
    return expected.replace(" or ", " eller ")


NUMBER_WORDS: tuple[str, ...] = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta")
NUMBER_WORDS += ("nio", "tio", "elva", "tolv")


def number_word(n: int, *, neuter: bool = False) -> str:
    """`tre`, `ett` (neuter) for 0–12 as in running text; digits from 13 on."""
    if 0 <= n < len(NUMBER_WORDS):
        return "ett" if neuter and n == 1 else NUMBER_WORDS[n]
    return number(n)


def count_words(n: int, singular: str, plural: str | None = None, *, neuter: bool = False) -> str:
    """`en nämnd`, `tre nämnder`, `14 nämnder`: a count to open or run in a sentence (Swedish
    style spells out small numbers and never starts a sentence with a digit)."""
    figure = count(n, singular, plural)
    return f"{number_word(n, neuter=neuter)}{figure[len(number(n)) :]}"


def capitalize_first(text: str) -> str:
    """`Tre nämnder …` from `tre nämnder …`; the rest unchanged."""
    return text[:1].upper() + text[1:]


def percent(share: float) -> str:
    """`42 procent` from 0.42 (whole percent)."""
    return f"{number(round(share * 100))} procent"
