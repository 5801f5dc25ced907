"""Find a table's columns by their header text, never by position.

Headers are compared after normalising case, punctuation and whitespace ("Kommentar / resultat:"
is "kommentar resultat"), against known synonyms; failing that, by their first word
("Status 2026", "Kommentarer och resultat").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from flows.documents.docx_xml import Row
from flows.documents.statuses import normalize

# The activity table (DESIGN.md §4): Nr, Aktivitet, Ansvarig, Tidsplan, Status, Kommentar/resultat.
ACTIVITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "nr": (
        "nr", "nummer", "num", "no", "id", "ref", "aktivitetsnummer", "aktivitetsnr", "lnr",
        "löpnummer", "löpnr", "aktivitet nr", "nr aktivitet",
    ),
    "activity": (
        "aktivitet", "aktiviteter", "aktivitet åtgärd", "åtgärd", "åtgärder", "insats",
        "insatser", "beskrivning", "aktivitetsbeskrivning", "beskrivning av aktivitet",
        "planerad aktivitet", "planerade aktiviteter",
    ),
    "responsible": (
        "ansvarig", "ansvariga", "ansvar", "ansvarig enhet", "ansvarig person",
        "ansvarig funktion", "ansvarig förvaltning", "ansvarig chef", "vem ansvarar",
    ),
    "timeframe": (
        "tidsplan", "tidplan", "tid", "tidpunkt", "tidsram", "tidsperiod", "period", "när",
        "datum", "klart senast", "genomförs", "tidsplan klart",
    ),
    "status": ("status", "läge", "statusläge", "status för aktiviteten", "aktivitetens status"),
    "comment": (
        "kommentar resultat", "kommentar", "kommentarer", "resultat", "resultat kommentar",
        "kommentar och resultat", "resultat och kommentar", "kommentarer och resultat",
        "kommentar resultat effekt", "uppföljning", "uppföljning kommentar", "notering",
        "noteringar", "anteckningar", "resultat effekt",
    ),
}  # fmt: skip
ACTIVITY_HEADERS: dict[str, str] = {
    "nr": "Nr",
    "activity": "Aktivitet",
    "responsible": "Ansvarig",
    "timeframe": "Tidsplan",
    "status": "Status",
    "comment": "Kommentar/resultat",
}
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("nyckeltal", "indikator", "indikatorer", "mått", "nyckeltal indikator", "uppgift"),
    "value": ("värde", "värden", "utfall", "antal", "siffra", "resultat"),
    "comment": ("kommentar", "kommentarer", "förklaring", "kommentar förklaring", "notering"),
}

# Placeholder texts of Word's content controls and of our template. Editors that drop the
# "showing placeholder" flag (LibreOffice, Google Docs) keep them as ordinary text.
PLACEHOLDER_TEXTS = frozenset(
    normalize(text)
    for text in (
        "Välj status", "Välj datum", "Välj ett objekt.", "Välj ett objekt", "Ange ett datum.",
        "Klicka här för att ange text.", "Klicka eller tryck här för att ange text.",
        "Klicka här för att skriva text.", "Klicka eller tryck för att ange ett datum.",
        "Click here to enter text.", "Click or tap here to enter text.", "Choose an item.",
        "Click or tap to enter a date.",
    )
)  # fmt: skip


_PLACEHOLDER_MAX = max(map(len, PLACEHOLDER_TEXTS)) + 5
_PLACEHOLDER_INITIALS = frozenset(t[0] for t in PLACEHOLDER_TEXTS)


def without_placeholder(text: str) -> str:
    """`text`, or "" if it is only a content control's placeholder text."""
    if not text or len(text) > _PLACEHOLDER_MAX or text[0].casefold() not in _PLACEHOLDER_INITIALS:
        return text
    return "" if normalize(text) in PLACEHOLDER_TEXTS else text


_YEAR = re.compile(r"\s*\b(?:19|20)\d{2}\b\s*")


def _lookup(columns: Mapping[str, Sequence[str]]) -> tuple[dict[str, str], dict[str, str]]:
    exact = {normalize(s): key for key, synonyms in columns.items() for s in synonyms}
    first_words: dict[str, str] = {}
    for key, synonyms in columns.items():
        for synonym in synonyms:
            first_words.setdefault(normalize(synonym).split(" ")[0], key)
    return exact, first_words


_ACTIVITY_LOOKUP = _lookup(ACTIVITY_COLUMNS)
_INDICATOR_LOOKUP = _lookup(INDICATOR_COLUMNS)


def _key(text: str, lookup: tuple[dict[str, str], dict[str, str]]) -> str | None:
    lines = text.strip().splitlines()
    if not lines:
        return None
    exact, first_words = lookup
    for candidate in (text, lines[0]):
        key = normalize(candidate)
        if key in exact:
            return exact[key]
        without_year = _YEAR.sub(" ", key).strip()
        if without_year in exact:
            return exact[without_year]
    words = normalize(lines[0]).split(" ")
    # Only short headers fall back to their first word: a sentence is not a header.
    if len(words) <= 4:
        return first_words.get(words[0])
    return None


def activity_key(text: str) -> str | None:
    return _key(text, _ACTIVITY_LOOKUP)


def indicator_key(text: str) -> str | None:
    return _key(text, _INDICATOR_LOOKUP)


class ColumnMap:
    """Grid column → field key, from a header row; unknown headers are kept for warnings."""

    def __init__(self, row: Row, lookup: str = "activity") -> None:
        key_of = activity_key if lookup == "activity" else indicator_key
        self.by_col: dict[int, str] = {}
        self.keys: set[str] = set()
        self.unknown: list[str] = []
        self.header_texts: dict[int, str] = {}
        for cell in row.cells:
            key = key_of(cell.text) if cell.text else None
            if cell.text:
                self.header_texts[cell.col] = normalize(cell.text)
            if key is None:
                if cell.text:
                    self.unknown.append(cell.text.replace("\n", " "))
                continue
            self.keys.add(key)
            for col in range(cell.col, cell.col + cell.span):
                self.by_col.setdefault(col, key)

    def values(self, row: Row) -> dict[str, str]:
        """Field key → text of `row`; cells under the same key are joined by a line break."""
        out: dict[str, str] = {}
        for cell in row.cells:
            text = without_placeholder(cell.text)
            if not text:
                continue
            key = self.by_col.get(cell.col)
            if key is None:
                continue
            out[key] = f"{out[key]}\n{text}" if key in out else text
        return out

    def is_header_again(self, row: Row) -> bool:
        """A repeated header row (copied, or a continued table that repeats its header)."""
        matches = 0
        for cell in row.cells:
            header = self.header_texts.get(cell.col)
            # Cheap first-letter check before normalising: most cells are not headers.
            if header and cell.text and cell.text.lstrip()[:1].casefold() == header[:1]:
                matches += normalize(cell.text) == header
        return matches >= 2


def find_header(rows: Sequence[Row], lookup: str = "activity", scan: int = 3) -> int | None:
    """Index of the header row among the first `scan` non-empty rows, or None."""
    key_of = activity_key if lookup == "activity" else indicator_key
    required = ("activity", "status") if lookup == "activity" else ("name", "value")
    seen = 0
    for index, row in enumerate(rows):
        texts = [c.text for c in row.cells if c.text]
        if not texts:
            continue
        keys = {key_of(t) for t in texts} - {None}
        if len(keys) >= 2 and any(k in keys for k in required):
            return index
        seen += 1
        if seen >= scan:
            break
    return None
