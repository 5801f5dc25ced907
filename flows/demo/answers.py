"""Simulated boards: what a board answers, and its template filled in as Word would leave it.

`demo_answer` invents a plausible Swedish answer (modelled on Västerås stad's report of what its
administrations did: trainings, certifications, Pride, lectures for managers, material for
workplace meetings), the same for the same seed. `fill_template` writes an answer into a board's
template; `libreoffice_roundtrip` gives the same document as saved by LibreOffice.
`expected_result` is what a correct reader must get back from the filled template.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from flows.demo import template_fill
from flows.demo.board_answer import (
    BoardAnswer,
    IndicatorAnswer,
)
from flows.demo.simulated_boards import simulate_answer
from flows.documents import ooxml
from flows.documents.libreoffice import convert
from flows.documents.ooxml import qn
from flows.documents.template import (
    ACTIVITY_HEADERS,
    ANALYSIS_HEADING,
    DECISION_LABELS,
    INDICATOR_HEADERS,
    SUPPORT_HEADING,
)
from flows.model import (
    ActivityRow,
    Board,
    Config,
    Cycle,
    Decision,
    Indicator,
    ParsedTemplate,
    Texts,
)

# --------------------------------------------------------------------------- filling a template


def fill_template(template: bytes, answer: BoardAnswer) -> bytes:
    """`template` with `answer` filled in, as Word saves it after a person typed it."""
    parts, stamp = ooxml.read_package(template)
    files = dict(parts)
    document = ooxml.parse_xml(files["word/document.xml"])
    body = document.find(qn("w:body"))
    if body is None:
        raise ValueError("word/document.xml has no body")
    _fill_activities(body, answer)
    _fill_indicators(body, answer.indicators)
    _fill_text_box(body, ANALYSIS_HEADING, answer.analysis)
    _fill_text_box(body, SUPPORT_HEADING, answer.support)
    _fill_decision(body, answer)
    template_fill.renumber_controls(document)
    files["word/document.xml"] = ooxml.to_xml(document)
    saved_at = answer.saved_at or stamp.replace(tzinfo=dt.UTC)
    if "docProps/core.xml" in files:
        files["docProps/core.xml"] = _touch_core(files["docProps/core.xml"], answer, saved_at)
    return ooxml.write_package([(n, files[n]) for n, _ in parts], timestamp=saved_at)


# "Strategiområde 2", "Målområde 2. Likvärdig service": the strategy's label, its number, a title
_AREA_RE = re.compile(r"^[A-ZÅÄÖ][\w-]* (\d+)(?:\. .+)?$")


def _area_tables(body: etree._Element) -> dict[int, etree._Element]:
    tables: dict[int, etree._Element] = {}
    area: int | None = None
    header = list(ACTIVITY_HEADERS)
    for child in body.iterchildren(template_fill.W_P, template_fill.W_TBL):
        if child.tag == template_fill.W_P:
            match = _AREA_RE.match(template_fill.paragraph_text(child).strip())
            if match:
                area = int(match.group(1))
        elif area is not None and area not in tables:
            first = template_fill.rows(child)[:1]
            cells = template_fill.cells(first[0]) if first else []
            if [template_fill.cell_text(c) for c in cells] == header:
                tables[area] = child
    return tables


def _is_empty_row(tr: etree._Element) -> bool:
    return all(not template_fill.cell_text(tc) for tc in template_fill.cells(tr))


def _write_status(tc: etree._Element, status_text: str) -> None:
    if not status_text:
        return
    control = template_fill.content_control(tc)
    if control is None:
        template_fill.set_cell_text(tc, status_text)
    elif status_text in _dropdown_values(control):
        template_fill.choose_item(control, status_text)
    else:
        template_fill.replace_control_with_text(control, status_text)


def _dropdown_values(control: etree._Element) -> set[str]:
    items = control.iter(qn("w:listItem"))
    return {item.get(qn("w:value")) or "" for item in items}


def _fill_activities(body: etree._Element, answer: BoardAnswer) -> None:
    by_nr = {a.nr: a for a in answer.activities}
    for area, tbl in _area_tables(body).items():
        rows = template_fill.rows(tbl)[1:]
        empty = [tr for tr in rows if _is_empty_row(tr)]
        pristine = etree.fromstring(etree.tostring(empty[-1])) if empty else None
        for tr in rows:
            cells = template_fill.cells(tr)
            planned = by_nr.get(template_fill.cell_text(cells[0]))
            if planned is None:
                continue
            _write_status(cells[4], planned.status_text)
            if planned.comment:
                template_fill.set_cell_text(cells[5], planned.comment)
        for added in (a for a in answer.added if a.area == area):
            if empty:
                tr = empty.pop(0)
            elif pristine is not None:
                tr = template_fill.append_row_copy(tbl, pristine)
            else:
                raise ValueError(f"strategiområde {area}: no row to copy")
            cells = template_fill.cells(tr)
            texts = (added.nr, added.activity, added.responsible, added.timeframe)
            for tc, text in zip(cells[:4], texts, strict=True):
                if text:
                    template_fill.set_cell_text(tc, text)
            _write_status(cells[4], added.status_text)
            if added.comment:
                template_fill.set_cell_text(cells[5], added.comment)


def _fill_indicators(body: etree._Element, indicators: Sequence[IndicatorAnswer]) -> None:
    by_name = {i.name: i for i in indicators}
    for _, data_rows in template_fill.tables_with_header(body, INDICATOR_HEADERS):
        for tr in data_rows:
            cells = template_fill.cells(tr)
            printed = template_fill.cell_text(cells[0])
            found = by_name.get(printed) or by_name.get(printed.rsplit(" (", 1)[0])
            if found is None:
                continue
            if found.value_text:
                template_fill.set_cell_text(cells[1], found.value_text)
            if found.comment:
                template_fill.set_cell_text(cells[2], found.comment)


def _fill_text_box(body: etree._Element, heading: str, text: str) -> None:
    if not text:
        return
    tbl = template_fill.table_after_heading(body, heading)
    if tbl is None:
        raise ValueError(f"the template has no box under {heading!r}")
    # the box is the last row: the question heads it in our templates
    template_fill.set_cell_text(template_fill.cells(template_fill.rows(tbl)[-1])[0], text)


def _fill_decision(body: etree._Element, answer: BoardAnswer) -> None:
    for tbl in body.iterchildren(template_fill.W_TBL):
        for tr in template_fill.rows(tbl):
            cells = template_fill.cells(tr)
            label = template_fill.cell_text(cells[0]) if cells else ""
            if label == DECISION_LABELS[0] and answer.decision_date_text:
                control = template_fill.content_control(cells[1])
                if control is None:
                    template_fill.set_cell_text(cells[1], answer.decision_date_text)
                else:
                    template_fill.pick_date(
                        control, answer.decision_date, answer.decision_date_text
                    )
            elif label == DECISION_LABELS[1] and answer.decision_paragraph:
                template_fill.set_cell_text(cells[1], answer.decision_paragraph)


def _touch_core(data: bytes, answer: BoardAnswer, saved_at: dt.datetime) -> bytes:
    root = ooxml.parse_xml(data)
    if answer.filled_by:
        node = root.find(f"{{{ooxml.CP_NS}}}lastModifiedBy")
        if node is not None:
            node.text = answer.filled_by
    node = root.find(f"{{{ooxml.DCTERMS_NS}}}modified")
    if node is not None:
        node.text = saved_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ooxml.to_xml(root)


# --------------------------------------------------------------------------- LibreOffice


def libreoffice_roundtrip(data: bytes) -> bytes:
    """The document as LibreOffice saves it after opening it (Word 2007 XML)."""
    return libreoffice_roundtrip_many([data])[0]


def libreoffice_roundtrip_many(documents: Sequence[bytes]) -> list[bytes]:
    """Several documents through LibreOffice in one call (starting it takes seconds)."""
    with tempfile.TemporaryDirectory(prefix="followup-roundtrip-") as tmp:
        source, target = Path(tmp, "in"), Path(tmp, "out")
        source.mkdir()
        files = []
        for i, data in enumerate(documents):
            path = source / f"answer-{i:03d}.docx"
            path.write_bytes(data)
            files.append(path)
        outputs = convert(files, "docx:MS Word 2007 XML", target)
        return [p.read_bytes() for p in outputs]


# --------------------------------------------------------------------------- what a reader gets


def expected_result(
    config: Config, cycle: Cycle, board: Board, answer: BoardAnswer
) -> ParsedTemplate:
    """What a correct reader returns for `answer` filled into the board's template (no problems)."""
    by_nr = {a.nr: a for a in answer.activities}
    rows: list[ActivityRow] = []
    planned = config.planned_activities(cycle, board.id)
    for area in config.strategy_of(cycle).areas:
        for activity in (a for a in planned if a.area == area.number):
            given = by_nr.get(activity.nr)
            rows.append(
                ActivityRow(
                    area=area.number,
                    nr=activity.nr,
                    activity=activity.activity,
                    responsible=activity.responsible,
                    timeframe=activity.timeframe,
                    status=given.status if given else None,
                    status_text=given.status_text if given else "",
                    comment=given.comment if given else "",
                )
            )
        for added in (a for a in answer.added if a.area == area.number):
            rows.append(
                ActivityRow(
                    area=area.number,
                    nr=added.nr or None,
                    activity=added.activity,
                    responsible=added.responsible,
                    timeframe=added.timeframe,
                    status=added.status,
                    status_text=added.status_text,
                    comment=added.comment,
                )
            )
    by_name = {i.name: i for i in answer.indicators}
    indicators = []
    for name in config.strategy_of(cycle).indicator_names:
        given_indicator = by_name.get(name)
        indicators.append(
            Indicator(
                name=name,
                value=given_indicator.value if given_indicator else None,
                value_text=given_indicator.value_text if given_indicator else "",
                comment=given_indicator.comment if given_indicator else "",
            )
        )
    return ParsedTemplate(
        file="",
        board=board.id,
        cycle=cycle.id,
        template_version=cycle.template_version,
        activities=rows,
        indicators=indicators,
        texts=Texts(analysis=answer.analysis, support=answer.support),
        decision=Decision(date=answer.decision_date, paragraph=answer.decision_paragraph or None),
    )


# --------------------------------------------------------------------------- simulated boards


def demo_answer(config: Config, cycle: Cycle, board: Board, *, seed: int) -> BoardAnswer:
    """A plausible Swedish answer for `board`, the same for the same seed."""
    return simulate_answer(config, cycle, board, seed=seed)
