"""Numbers, dates and protocol paragraphs as Swedish boards write them. Pure functions.

A value is either read exactly, read with a flag saying it was approximate ("ca 40" → 40), or not
read at all; the caller turns the last two into warnings. Nothing is guessed silently.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from flows.swedish import MONTHS

_MONTHS = {name: i for i, name in enumerate(MONTHS, start=1)} | {
    name[:3]: i for i, name in enumerate(MONTHS, start=1)
}
_MONTHS["sept"] = 9

_APPROXIMATE = re.compile(
    r"^(?:ca\.?|c:a|cirka|circa|ungefär|ung\.?|runt|omkring|drygt|knappt|nästan|minst|"
    r"max|högst|över|under|mer än|mindre än|fler än|färre än|~|≈|>|<|>=|<=|≥|≤)\s*",
)
_NUMBER = re.compile(r"^[-−–]?\d{1,3}(?:[ .]\d{3})+(?:,\d+)?$|^[-−–]?\d+(?:[,.]\d+)?$")
# Units that may follow a number without making it uncertain.
_UNITS = re.compile(
    r"\s*(?:%|procent|st\.?|stycken|personer|pers\.?|deltagare|medarbetare|tillfällen|"
    r"timmar|tim|h|kr|kronor|tkr|mnkr)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NumberReading:
    value: float | None
    approximate: bool = False
    unreadable: bool = False
    # "1.234": a thousands separator in Swedish, a decimal point in English.
    ambiguous: bool = False


def parse_number(text: str) -> NumberReading:
    """Swedish number formats: "1 234", "1 234,5", "12,5", "12.5", "40 %", "ca 40"."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        return NumberReading(None)
    s = raw.casefold()
    s = re.sub(r"[\u00a0\u2007\u2009\u202f]", " ", s)
    approximate = False
    stripped = _APPROXIMATE.sub("", s, count=1)
    if stripped != s:
        approximate = True
        s = stripped
    if s.endswith("+"):
        approximate = True
        s = s[:-1].strip()
    s = _UNITS.sub("", s).strip()
    if not _NUMBER.match(s):
        return NumberReading(None, unreadable=True)
    negative = s[0] in "-−–"
    s = s.lstrip("-−–")
    ambiguous = bool(re.fullmatch(r"\d{1,3}\.\d{3}", s))
    if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+(?:,\d+)?", s):
        s = s.replace(" ", "").replace(".", "")
    value = float(s.replace(",", "."))
    return NumberReading(
        -value if negative else value, approximate=approximate, ambiguous=ambiguous
    )


def parse_date(text: str) -> dt.date | None:
    """Swedish date formats: 2027-03-12, 2027-3-12, 12 mars 2027, den 12 mars 2027, 12/3 2027,
    12/3/2027, 12.3.2027. None if it is not a real date."""
    s = unicodedata.normalize("NFKC", text).casefold().strip().rstrip(".")
    s = re.sub(r"^(?:den|datum:?)\s+", "", s)
    s = re.sub(r"\s+", " ", s)
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})\.? ([a-zåäö]+)\.? (\d{4})", s):
            month = _MONTHS.get(m[2])
            return dt.date(int(m[3]), month, int(m[1])) if month else None
        if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/. ] ?|-)(\d{4})", s):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def parse_paragraph(text: str) -> str | None:
    """ "§ 34", "§34", "34", "34 §", "paragraf 34" → "§ 34"; other text is kept as written."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    m = re.fullmatch(r"(?:§|paragraf|par\.?)?\s*(\d+[a-z]?)\s*§?", s, re.IGNORECASE)
    if m:
        return f"§ {m[1]}"
    return s
