"""Editing a board's template the way Word does when a person fills it in.

Choosing a dropdown item, picking a date, typing in a cell, adding a row by copying one. Used by
the simulated boards (`flows.demo.answers`); it knows the template's own structure, not every
document a board might send (that is the reader's job).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Sequence

from lxml import etree

from flows.documents.ooxml import qn, text_element

W_TBL, W_TR, W_TC, W_P, W_R, W_T = (qn(f"w:{n}") for n in ("tbl", "tr", "tc", "p", "r", "t"))
W_SDT, W_SDT_PR, W_SDT_CONTENT = qn("w:sdt"), qn("w:sdtPr"), qn("w:sdtContent")
W_PPR, W_RPR, W_PSTYLE, W_RSTYLE = qn("w:pPr"), qn("w:rPr"), qn("w:pStyle"), qn("w:rStyle")
W_VAL = qn("w:val")


def paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(W_T))


def cell_text(tc: etree._Element) -> str:
    """What the cell shows, placeholder text left out."""
    parts: list[str] = []
    for p in tc.iter(W_P):
        texts = [t.text or "" for t in p.iter(W_T) if not _in_placeholder(t)]
        parts.append("".join(texts))
    return "\n".join(parts).strip()


def _in_placeholder(node: etree._Element) -> bool:
    for ancestor in node.iterancestors(W_SDT):
        props = ancestor.find(W_SDT_PR)
        if props is not None and props.find(qn("w:showingPlcHdr")) is not None:
            return True
    return False


def rows(tbl: etree._Element) -> list[etree._Element]:
    return list(tbl.iterchildren(W_TR))


def cells(tr: etree._Element) -> list[etree._Element]:
    return list(tr.iterchildren(W_TC))


def tables_with_header(
    body: etree._Element, header: Sequence[str]
) -> Iterator[tuple[etree._Element, list[etree._Element]]]:
    """Top-level tables with a row that reads exactly `header` among their first two (a row of
    guidance may come first), each with its rows below that header."""
    for tbl in body.iterchildren(W_TBL):
        table_rows = rows(tbl)
        for index, tr in enumerate(table_rows[:2]):
            if [cell_text(tc) for tc in cells(tr)] == list(header):
                yield tbl, table_rows[index + 1 :]
                break


def table_after_heading(body: etree._Element, heading: str) -> etree._Element | None:
    """The first table after the heading paragraph that reads `heading`."""
    found = False
    for child in body.iterchildren(W_P, W_TBL):
        if child.tag == W_P and paragraph_text(child).strip() == heading:
            found = True
        elif found and child.tag == W_TBL:
            return child
    return None


def headings(body: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(text, paragraph) for every paragraph with a Heading style, in order."""
    for p in body.iterchildren(W_P):
        style = p.find(f"{W_PPR}/{W_PSTYLE}")
        if style is not None and style.get(W_VAL, "").startswith("Heading"):
            yield paragraph_text(p).strip(), p


def set_cell_text(tc: etree._Element, text: str) -> None:
    """Type `text` in a cell (one paragraph per line), keeping the cell's paragraph style."""
    paragraphs = list(tc.iterchildren(W_P))
    p_pr = paragraphs[0].find(W_PPR) if paragraphs else None
    for p in paragraphs:
        tc.remove(p)
    for line in text.split("\n") if text else [""]:
        p = etree.SubElement(tc, W_P)
        if p_pr is not None:
            p.append(copy.deepcopy(p_pr))
        if line:
            r = etree.SubElement(p, W_R)
            r.append(text_element(line))


def content_control(tc: etree._Element) -> etree._Element | None:
    return next(tc.iter(W_SDT), None)


def _show_value(sdt: etree._Element, text: str) -> None:
    """Replace the control's content with `text` as typed text, placeholder flag removed."""
    props = sdt.find(W_SDT_PR)
    assert props is not None
    flag = props.find(qn("w:showingPlcHdr"))
    if flag is not None:
        props.remove(flag)
    content = sdt.find(W_SDT_CONTENT)
    assert content is not None
    for child in list(content):
        content.remove(child)
    r = etree.SubElement(content, W_R)
    run_props = props.find(W_RPR)
    if run_props is not None:
        kept = copy.deepcopy(run_props)
        for style in kept.findall(W_RSTYLE):
            kept.remove(style)
        if len(kept):
            r.append(kept)
    r.append(text_element(text))


def choose_item(sdt: etree._Element, value: str) -> None:
    """Pick `value` in a dropdown content control, as Word does."""
    props = sdt.find(W_SDT_PR)
    assert props is not None
    items = props.findall(f"{qn('w:dropDownList')}/{qn('w:listItem')}")
    for item in items:
        if item.get(qn("w:value")) == value:
            _show_value(sdt, item.get(qn("w:displayText")) or value)
            return
    raise ValueError(f"{value!r} is not an item of the dropdown")


def pick_date(sdt: etree._Element, day: dt.date | None, shown: str) -> None:
    """Fill a date picker: `w:fullDate` when the typed text is a date, then the text shown."""
    props = sdt.find(W_SDT_PR)
    assert props is not None
    date = props.find(qn("w:date"))
    if date is not None and day is not None:
        date.set(qn("w:fullDate"), f"{day.isoformat()}T00:00:00Z")
    _show_value(sdt, shown)


def replace_control_with_text(sdt: etree._Element, text: str) -> None:
    """The person deleted the control and typed instead (what a dropdown cannot hold)."""
    parent = sdt.getparent()
    assert parent is not None
    r = etree.Element(W_R)
    r.append(text_element(text))
    parent.replace(sdt, r)


def append_row_copy(tbl: etree._Element, template_row: etree._Element) -> etree._Element:
    """Insert a copy of `template_row` at the end of the table (Word: "Infoga rad nedanför")."""
    new = copy.deepcopy(template_row)
    tbl.append(new)
    return new


def renumber_controls(root: etree._Element) -> None:
    """Give copied content controls their own ids, as Word does."""
    seen: set[str] = set()
    ids = [int(e.get(W_VAL, "0")) for e in root.iter(qn("w:id"))]
    next_id = max(ids, default=100) + 1
    for element in root.iter(qn("w:id")):
        value = element.get(W_VAL, "")
        if value in seen:
            element.set(W_VAL, str(next_id))
            next_id += 1
        seen.add(element.get(W_VAL, ""))
