"""Jinja2 environments over `templates/email/`: HTML autoescaped; plain text and subjects not."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from flows import swedish
from flows.resources import templates_dir

TEMPLATE_DIR = templates_dir() / "email"


def _weekday_den_date(value: dt.date) -> str:
    """`söndag den 14 mars 2027`, as in "sista dag är söndag den 14 mars 2027"."""
    return f"{swedish.weekday_name(value)} {swedish.den_date(value)}"


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,  # noqa: S701 - text/plain bodies and subjects are not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["datum"] = swedish.long_date
    env.filters["den_datum"] = swedish.den_date
    env.filters["veckodag_datum"] = swedish.weekday_date
    env.filters["dag_och_datum"] = _weekday_den_date
    env.filters["tal"] = swedish.number
    env.filters["dagar"] = swedish.days
    env.filters["antal"] = swedish.count
    env.filters["genitiv"] = swedish.genitive
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
