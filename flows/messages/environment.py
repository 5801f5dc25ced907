"""Jinja2 environments over `templates/email/`: HTML autoescaped; plain text and subjects not."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "email"


def swedish_date(value: dt.date | dt.datetime | None) -> str:
    """`31 mars 2027`; empty for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(format_date(value, "d MMMM y", locale="sv"))


def swedish_weekday_date(value: dt.date) -> str:
    """`onsdag 31 mars 2027`."""
    return str(format_date(value, "EEEE d MMMM y", locale="sv"))


def swedish_day_and_date(value: dt.date) -> str:
    """`söndag den 15 mars 2027`."""
    return f"{format_date(value, 'EEEE', locale='sv')} den {swedish_date(value)}"


def swedish_count(value: int, singular: str, plural: str) -> str:
    """`1 dag`, `3 dagar`, `0 dagar`."""
    return f"{value} {singular if abs(value) == 1 else plural}"


def swedish_number(value: float | None) -> str:
    """`1 234,5`-style numbers; integers without decimals."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale="sv"))


def swedish_genitive(name: str) -> str:
    """`Socialnämndens`, `Ekebyhem AB:s`, `Kommunens`; names ending in s, x or z take none."""
    if not name:
        return name
    last = name[-1]
    if last in "sxzSXZ":
        return name
    if last.isupper() or last.isdigit():
        return f"{name}:s"
    return f"{name}s"


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,  # noqa: S701 - text/plain bodies and subjects are not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["datum"] = swedish_date
    env.filters["veckodag_datum"] = swedish_weekday_date
    env.filters["tal"] = swedish_number
    env.filters["dag_och_datum"] = swedish_day_and_date
    env.filters["antal"] = swedish_count
    env.filters["genitiv"] = swedish_genitive
    return env


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    return _environment(autoescape=True)


@lru_cache(maxsize=1)
def text_environment() -> Environment:
    return _environment(autoescape=False)


def render_subject(kind: str, context: dict[str, Any]) -> str:
    subject = text_environment().get_template(f"{kind}.subject.j2").render(context)
    # A subject is one line whatever the template or board text contains.
    return " ".join(subject.split())


def render_text(kind: str, context: dict[str, Any]) -> str:
    return text_environment().get_template(f"{kind}.txt.j2").render(context).strip() + "\n"


def render_html(kind: str, context: dict[str, Any]) -> str:
    return html_environment().get_template(f"{kind}.html.j2").render(context).strip() + "\n"
