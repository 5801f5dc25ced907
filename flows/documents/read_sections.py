"""From the document's paragraphs and tables to what the board answered: activities per strategy
area, key figures, free texts and the board's decision. Pure: blocks in, results and problems out.

Sections are found by their headings (`Strategiområde N`, `Nyckeltal`, `Sammanfattande analys`,
`Behov av stöd`, `… beslut`), also when an editor dropped the heading style; tables are classified
by their header row. A table without a header right after an activity table continues it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from flows.documents.carry_forward import is_last_year_note
from flows.documents.docx_xml import Block, Paragraph, Row, Table, clean
from flows.documents.problems import problem
from flows.documents.read_columns import (
    ACTIVITY_HEADERS,
    ColumnMap,
    find_header,
    without_placeholder,
)
from flows.documents.read_values import parse_date, parse_number, parse_paragraph
from flows.documents.statuses import map_status, normalize
from flows.model import ActivityRow, Decision, Indicator, Problem, Strategy, Texts
from flows.swedish import number

# "Strategiområde N" is always understood (last year's templates), besides the strategy's label.
_AREA_PATTERN = r"^(?:strategiområde{label})\s*(\d{{1,2}})\b(?!\s*[–-]\s*\d)"
_UNIT_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^()]*)\)$", re.S)
_NR_AREA = re.compile(r"^\s*(\d{1,2})\s*[.,]\s*\d")
_INLINE_DATE = re.compile(r"^(?:beslutsdatum|datum för beslut(?:et)?)\s*:\s*(.*)$", re.I | re.S)
_INLINE_PARAGRAPH = re.compile(r"^(?:paragraf|protokollsparagraf)\s*:\s*(.*)$", re.I | re.S)

_ANALYSIS = ("sammanfattande analys", "analys", "sammanfattning")
_SUPPORT = ("behov av stöd", "stödbehov", "behov av stöd från kommunledningskontoret")
_INDICATORS = ("nyckeltal", "indikatorer")
_DATE_LABELS = ("beslutsdatum", "datum för beslut", "datum för beslutet", "sammanträdesdatum")
_PARAGRAPH_LABELS = ("paragraf", "protokollsparagraf", "beslutsparagraf", "§")
_HINT_STYLES = ("hint", "goal")


@dataclass
class Sections:
    activities: list[ActivityRow] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    texts: Texts = field(default_factory=Texts)
    decision: Decision = field(default_factory=Decision)
    problems: list[Problem] = field(default_factory=list)
    activity_tables: int = 0


def _is_heading(p: Paragraph) -> bool:
    style = p.style.casefold()
    return any(word in style for word in ("heading", "rubrik", "title", "berschrift"))


class _Vocabulary:
    """What the strategy calls things: area label, statuses, section titles, decision fields."""

    def __init__(self, strategy: Strategy | None) -> None:
        self.strategy = strategy
        label = strategy.area_label if strategy is not None else "Strategiområde"
        extra = "" if normalize(label) == "strategiområde" else "|" + re.escape(label)
        self.area = re.compile(_AREA_PATTERN.format(label=extra), re.IGNORECASE)
        self.area_label = label
        self.statuses = strategy.statuses if strategy is not None else None
        self.sections: dict[str, str] = {k: "analysis" for k in _ANALYSIS}
        self.sections.update({k: "support" for k in _SUPPORT})
        if strategy is not None:
            self.sections.update({normalize(s.title): s.key for s in strategy.sections})
        self.text_keys = list(dict.fromkeys(["analysis", "support", *self.sections.values()]))
        self.decision_fields = (
            set(strategy.decision_fields) if strategy is not None else {"date", "paragraph"}
        )
        self.indicator_names = set(strategy.indicator_names) if strategy is not None else set()

    def indicator_name(self, printed: str) -> str:
        """`Andel kvinnor bland chefer (procent)` → the key figure's name, if it is one."""
        match = _UNIT_SUFFIX.match(printed)
        if match and printed not in self.indicator_names:
            name = match.group("name").strip()
            if name in self.indicator_names:
                return name
        return printed


def _section_of(text: str, vocabulary: _Vocabulary | None = None) -> str | None:
    """The section a heading text opens, if it is one of the template's headings."""
    key = normalize(text)
    if key in _INDICATORS:
        return "indicators"
    if vocabulary is not None and key in vocabulary.sections:
        return vocabulary.sections[key]
    if key in _ANALYSIS:
        return "analysis"
    if key in _SUPPORT:
        return "support"
    if key.endswith(" beslut") and len(key.split()) <= 3:
        return "decision"
    return None


class _SectionReader:
    def __init__(self, strategy: Strategy | None = None, hints: Iterable[str] = ()) -> None:
        self.words = _Vocabulary(strategy)
        self.out = Sections()
        self.section: str | None = None
        self.area: int | None = None
        self.columns: ColumnMap | None = None  # the last activity table's, for continuations
        self.previous_was_activity_table = False
        self.free_text: dict[str, list[str]] = {k: [] for k in self.words.text_keys}
        self.hints = frozenset(normalize(h) for h in hints)
        self.decision_date: str | None = None
        self.decision_paragraph: str | None = None
        self.warned_columns: set[str] = set()

    # --- dispatch -----------------------------------------------------------------------------

    def read(self, blocks: list[Block]) -> Sections:
        for block in blocks:
            if isinstance(block, Paragraph):
                self.paragraph(block)
            else:
                self.table(block)
        self.finish()
        return self.out

    def paragraph(self, p: Paragraph) -> None:
        text = clean(p.text)
        if not text:
            return
        if match := self.words.area.match(text):
            self.section, self.area = "area", int(match.group(1))
            self.previous_was_activity_table = False
            return
        section = _section_of(text, self.words)
        if section is not None and (_is_heading(p) or len(text) < 40):
            self.section = section
            self.previous_was_activity_table = False
            return
        if _is_heading(p):
            self.section = "other"
            self.previous_was_activity_table = False
            return
        if match := _INLINE_DATE.match(text):
            self.decision_date = match.group(1).strip()
            return
        if match := _INLINE_PARAGRAPH.match(text):
            self.decision_paragraph = match.group(1).strip()
            return
        if self.section in self.free_text and (answer := self.typed_part(text, p.style)):
            # Typed under the heading, above, below or instead of the answer box: all of it.
            self.free_text[self.section].append(answer)
        elif self.section == "area" and not p.style.casefold().startswith(_HINT_STYLES):
            self.outside_table(text)

    def outside_table(self, text: str) -> None:
        """Text a person wrote under an area heading but not in its table: not an activity,
        so not read as one, and said so rather than dropped."""
        typed = [
            line
            for line in text.split("\n")
            # the goal line is the template's, even one an editor lost the style of and the
            # coordinator has reworded since
            if normalize(line) not in self.hints and not line.startswith("Mål:")
        ]
        if typed:
            excerpt = textwrap.shorten(" ".join(typed), width=60, placeholder=" …")
            label = (
                f"{self.words.area_label} {self.area}" if self.area is not None else "ett område"
            )
            self.out.problems.append(problem("text.outside_table", excerpt=excerpt, area=label))

    def typed_part(self, text: str, style: str = "") -> str:
        """What a person wrote in a line of a free-text section: not the template's guidance,
        known by its words (an editor may drop the style) or by its style, but whatever was
        typed after the guidance's words in the same paragraph."""
        after = self.after_hint(text)
        if after is not None:
            return after
        return "" if style.casefold().startswith(_HINT_STYLES) else text

    def after_hint(self, text: str) -> str | None:
        """The text after a known hint that `text` starts with; None when it starts with none."""
        key = normalize(text)
        for hint in self.hints:
            if key == hint:
                return ""
            if key.startswith(hint + " "):
                # The hint's words end within a few times its length (punctuation and spaces
                # are what normalize drops); never scan a long answer prefix by prefix.
                for end in range(len(hint), min(len(text), 4 * len(hint) + 16) + 1):
                    if normalize(text[:end]) == hint:
                        return text[end:].lstrip(" .,:;?!-–").rstrip()
        return None

    def table(self, table: Table) -> None:
        rows = table.rows
        header = find_header(rows, "activity")
        if header is not None:
            for title_row in rows[:header]:  # "Strategiområde 2" as a merged title row
                texts = [c.text for c in title_row.cells if c.text]
                if len(texts) == 1 and (match := self.words.area.match(texts[0])):
                    self.section, self.area = "area", int(match.group(1))
            columns = ColumnMap(rows[header], "activity")
            self.check_columns(columns)
            self.columns = columns
            self.activity_table(rows[header + 1 :], columns)
            return
        self.previous_was_activity_table = False
        indicator_header = find_header(rows, "indicator")
        if indicator_header is not None:
            self.indicator_table(
                rows[indicator_header + 1 :], ColumnMap(rows[indicator_header], "indicator")
            )
            return
        if self.labelled_table(rows):
            return
        if self.section in self.free_text:
            # the answer box (the question heads it as its first row in our templates)
            lines = (
                self.typed_part(line)
                for row in rows
                for c in row.cells
                for line in without_placeholder(c.text).split("\n")
            )
            self.free_text[self.section].extend(line for line in lines if line)
            return
        if self.columns is not None and self.section == "area" and _fits(rows, self.columns):
            self.activity_table(rows, self.columns)
            return
        if self.section == "area" and any(c.text for row in rows for c in row.cells):
            first = next(c.text for row in rows for c in row.cells if c.text)
            self.out.problems.append(
                problem("table.unrecognized", detail=f"börjar med ”{first[:40]}”")
            )

    # --- activities ---------------------------------------------------------------------------

    def check_columns(self, columns: ColumnMap) -> None:
        for header in columns.unknown:
            if header not in self.warned_columns:
                self.warned_columns.add(header)
                self.out.problems.append(problem("table.unknown_column", header=header))
        for key, header in ACTIVITY_HEADERS.items():
            if key not in columns.keys and header not in self.warned_columns:
                self.warned_columns.add(header)
                self.out.problems.append(problem("table.missing_column", header=header))

    def activity_table(self, rows: list[Row], columns: ColumnMap) -> None:
        self.out.activity_tables += 1
        self.previous_was_activity_table = True
        area = self.area
        if area is None:
            area = self.out.activity_tables
            guessed_from_nr = False
            for row in rows:
                nr_match = _NR_AREA.match(columns.values(row).get("nr", ""))
                if nr_match:
                    area, guessed_from_nr = int(nr_match.group(1)), True
                    break
            if not guessed_from_nr:
                self.out.problems.append(problem("activity.no_area", area=area))
        for row in rows:
            if columns.is_header_again(row) or not _has_own_content(row):
                continue
            values = columns.values(row)
            self.activity(values, area)

    def activity(self, values: dict[str, str], area: int) -> None:
        activity = "\n".join(
            line for line in values.get("activity", "").split("\n") if not is_last_year_note(line)
        )
        status_text = values.get("status", "")
        comment = values.get("comment", "")
        nr = values.get("nr") or None
        if not (activity or status_text or comment or values.get("responsible")):
            return  # blank, or only a pre-filled number
        row_area = area
        where = f"{self.words.area_label} {row_area}" + (f", aktivitet {nr}" if nr else "")
        label = _activity_label(nr, activity)
        if not activity:
            self.out.problems.append(problem("activity.missing_text", where=where))
        status = map_status(status_text, self.words.statuses) if status_text else None
        if not status_text:
            self.out.problems.append(problem("status.missing", where=where, activity=label))
        elif status is None:
            self.out.problems.append(
                problem("status.unknown", where=where, activity=label, text=status_text)
            )
        self.out.activities.append(
            ActivityRow(
                area=row_area,
                nr=nr,
                activity=activity,
                responsible=values.get("responsible", ""),
                timeframe=values.get("timeframe", ""),
                status=status,
                status_text=status_text,
                comment=comment,
            )
        )

    # --- key figures, labelled tables ---------------------------------------------------------

    def indicator_table(self, rows: list[Row], columns: ColumnMap) -> None:
        for row in rows:
            if columns.is_header_again(row):
                continue
            values = columns.values(row)
            name, value_text = (
                self.words.indicator_name(values.get("name", "")),
                values.get("value", ""),
            )
            comment = values.get("comment", "")
            if not (name or value_text or comment):
                continue
            reading = parse_number(value_text)
            where = f"Nyckeltal: {name}"
            if not value_text:
                if not comment:
                    self.out.problems.append(problem("indicator.missing", where=where, name=name))
            elif reading.unreadable:
                self.out.problems.append(
                    problem("indicator.unreadable", where=where, name=name, text=value_text)
                )
            elif reading.ambiguous:
                self.out.problems.append(
                    problem(
                        "indicator.ambiguous",
                        where=where,
                        name=name,
                        text=value_text,
                        value=number(reading.value),
                        text_decimal=value_text.replace(".", ","),
                    )
                )
            elif reading.approximate:
                self.out.problems.append(
                    problem(
                        "indicator.approximate",
                        where=where,
                        name=name,
                        text=value_text,
                        value=number(reading.value),
                    )
                )
            self.out.indicators.append(
                Indicator(name=name, value=reading.value, value_text=value_text, comment=comment)
            )

    def labelled_table(self, rows: list[Row]) -> bool:
        """Rows of label | value (decision, free texts), or labels over values; True if read."""
        found = False
        for index, row in enumerate(rows):
            for position, cell in enumerate(row.cells):
                kind = _label_kind(cell.text, self.words)
                if kind is None:
                    continue
                value = _value_beside(row, position)
                if value is None and index + 1 < len(rows):
                    value = _value_below(rows[index + 1], cell.col)
                found = True
                self.set_labelled(kind, without_placeholder(value or ""))
        return found

    def set_labelled(self, kind: str, value: str) -> None:
        if kind == "date":
            self.decision_date = value
        elif kind == "paragraph":
            self.decision_paragraph = value
        elif value:
            self.free_text[kind].append(value)

    # --- the end ------------------------------------------------------------------------------

    def finish(self) -> None:
        out = self.out
        out.texts = Texts(**{key: "\n".join(lines) for key, lines in self.free_text.items()})
        asked = self.words.decision_fields
        date = None
        if self.decision_date:
            date = parse_date(self.decision_date)
            if date is None:
                out.problems.append(
                    problem("decision.date_unreadable", where="Beslut", text=self.decision_date)
                )
        elif "date" in asked:
            out.problems.append(problem("decision.date_missing", where="Beslut"))
        paragraph = parse_paragraph(self.decision_paragraph or "")
        if paragraph is None and "paragraph" in asked:
            out.problems.append(problem("decision.paragraph_missing", where="Beslut"))
        out.decision = Decision(date=date, paragraph=paragraph)


def _label_kind(text: str, vocabulary: _Vocabulary | None = None) -> str | None:
    if not text:
        return None
    key = normalize(text.splitlines()[0])
    if vocabulary is not None and key in vocabulary.sections and key not in _ANALYSIS[1:]:
        return vocabulary.sections[key]
    if key in _DATE_LABELS or text.strip() == "§":
        return "date" if key in _DATE_LABELS else "paragraph"
    if key in _PARAGRAPH_LABELS:
        return "paragraph"
    if key in _ANALYSIS[:1] or key in _SUPPORT:
        return "analysis" if key in _ANALYSIS else "support"
    return None


def _value_beside(row: Row, position: int) -> str | None:
    if position + 1 >= len(row.cells):
        return None
    neighbour = row.cells[position + 1]
    return None if _label_kind(neighbour.text) else neighbour.text


def _value_below(row: Row, col: int) -> str | None:
    for cell in row.cells:
        if cell.col <= col < cell.col + cell.span:
            return cell.text
    return None


def _has_own_content(row: Row) -> bool:
    """Something typed in the row itself, not only the value of a cell merged down into it."""
    return any(c.text and not c.merged_continue for c in row.cells)


def _fits(rows: list[Row], columns: ColumnMap) -> bool:
    """A header-less table can continue an activity table if its cells sit under known columns."""
    cols = {c.col for row in rows for c in row.cells if c.text}
    return bool(cols) and cols <= set(columns.by_col)


def _activity_label(nr: str | None, activity: str) -> str:
    short = activity.split("\n")[0]
    if len(short) > 60:
        short = short[:57].rstrip() + "…"
    if nr and short:
        return f"{nr} ”{short}”"
    if short:
        return f"”{short}”"
    return nr or "utan namn"


def read_sections(
    blocks: list[Block], strategy: Strategy | None = None, hints: Iterable[str] = ()
) -> Sections:
    """The answer in `blocks`, read in `strategy`'s words (default: today's template). `hints`
    are the template's guidance texts (`template.guidance_texts`), never an answer."""
    return _SectionReader(strategy, hints).read(blocks)
