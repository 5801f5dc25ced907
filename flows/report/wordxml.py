"""WordprocessingML built directly with lxml: paragraphs, fields and large tables.

python-docx builds tables cell by cell through its object layer, which is slow for thousands of
rows (see benchmarks/compile.py); here a row is a handful of `SubElement` calls. Text is always
set as element text (lxml escapes it), never parsed as XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W_NS}}}"

# Characters XML 1.0 forbids (lxml refuses them); boards paste all sorts of things.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"(\r\n|\r|\n|\t)")

P, R, T, PPR, PSTYLE, BR, TAB = (
    f"{_W}p",
    f"{_W}r",
    f"{_W}t",
    f"{_W}pPr",
    f"{_W}pStyle",
    f"{_W}br",
    f"{_W}tab",
)
TBL, TR, TC, TRPR, TCPR = f"{_W}tbl", f"{_W}tr", f"{_W}tc", f"{_W}trPr", f"{_W}tcPr"
VAL = f"{_W}val"
SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    """Qualified name of a `w:` element or attribute."""
    return f"{_W}{tag}"


def clean(text: str) -> str:
    """`text` without the characters XML cannot hold."""
    return _ILLEGAL_XML.sub("", text)


def add_text(run: etree._Element, text: str) -> None:
    """Append `text` to `run`: line breaks become w:br, tabs w:tab."""
    for part in _BREAKS.split(clean(text)):
        if not part:
            continue
        if part == "\t":
            etree.SubElement(run, TAB)
        elif part in ("\n", "\r", "\r\n"):
            etree.SubElement(run, BR)
        else:
            t = etree.SubElement(run, T)
            t.text = part
            if part[0].isspace() or part[-1].isspace():
                t.set(SPACE, "preserve")


def run(text: str, *, bold: bool = False, italic: bool = False) -> etree._Element:
    r = etree.Element(R)
    if bold or italic:
        rpr = etree.SubElement(r, w("rPr"))
        if bold:
            etree.SubElement(rpr, w("b"))
        if italic:
            etree.SubElement(rpr, w("i"))
    add_text(r, text)
    return r


def paragraph(
    text: str = "",
    style: str | None = None,
    *,
    bold: bool = False,
    keep_next: bool = False,
    page_break_before: bool = False,
) -> etree._Element:
    p = etree.Element(P)
    if style or keep_next or page_break_before:
        ppr = etree.SubElement(p, PPR)
        if style:
            etree.SubElement(ppr, PSTYLE).set(VAL, style)
        if keep_next:
            etree.SubElement(ppr, w("keepNext"))
        if page_break_before:
            etree.SubElement(ppr, w("pageBreakBefore"))
    if text:
        p.append(run(text, bold=bold))
    return p


def labelled(label: str, text: str, style: str | None = None) -> etree._Element:
    """A paragraph `label: text` with the label in bold."""
    p = paragraph(style=style)
    p.append(run(f"{label}: ", bold=True))
    p.append(run(text))
    return p


def page_break() -> etree._Element:
    p = etree.Element(P)
    etree.SubElement(etree.SubElement(p, R), BR).set(w("type"), "page")
    return p


def field_runs(instruction: str, cached: str) -> list[etree._Element]:
    """A complex field (begin, instruction, separate, cached result, end) as runs."""

    def char(kind: str, dirty: bool = False) -> etree._Element:
        r = etree.Element(R)
        fld = etree.SubElement(r, w("fldChar"))
        fld.set(w("fldCharType"), kind)
        if dirty:
            fld.set(w("dirty"), "true")
        return r

    instr = etree.Element(R)
    it = etree.SubElement(instr, w("instrText"))
    it.set(SPACE, "preserve")
    it.text = f" {instruction} "
    return [char("begin", dirty=True), instr, char("separate"), run(cached), char("end")]


@dataclass(frozen=True)
class Column:
    title: str
    width_cm: float


@dataclass(frozen=True)
class GroupRow:
    """A row spanning all columns that introduces a group (a board's activities)."""

    text: str


Row = Sequence[str] | GroupRow


@dataclass(frozen=True)
class TableStyles:
    table: str
    header: str
    text: str
    group: str


def _twips(cm: float) -> str:
    return str(round(cm * 567))


def table(columns: Sequence[Column], rows: Iterable[Row], styles: TableStyles) -> etree._Element:
    """A table whose header row repeats on every page; rows never split across pages."""
    tbl = etree.Element(TBL)
    tblpr = etree.SubElement(tbl, w("tblPr"))
    etree.SubElement(tblpr, w("tblStyle")).set(VAL, styles.table)
    width = etree.SubElement(tblpr, w("tblW"))
    width.set(w("w"), _twips(sum(c.width_cm for c in columns)))
    width.set(w("type"), "dxa")
    etree.SubElement(tblpr, w("tblLayout")).set(w("type"), "fixed")
    look = etree.SubElement(tblpr, w("tblLook"))
    for attr, value in (("val", "0420"), ("firstRow", "1"), ("lastRow", "0"), ("noHBand", "1")):
        look.set(w(attr), value)
    look.set(w("firstColumn"), "0")
    look.set(w("lastColumn"), "0")
    look.set(w("noVBand"), "1")
    grid = etree.SubElement(tbl, w("tblGrid"))
    widths = [_twips(c.width_cm) for c in columns]
    for twips in widths:
        etree.SubElement(grid, w("gridCol")).set(w("w"), twips)

    header = etree.SubElement(tbl, TR)
    hpr = etree.SubElement(header, TRPR)
    etree.SubElement(hpr, w("cantSplit"))
    etree.SubElement(hpr, w("tblHeader"))
    for column, twips in zip(columns, widths, strict=True):
        _cell(header, column.title, styles.header, twips)

    span = str(len(columns))
    total = _twips(sum(c.width_cm for c in columns))
    cant_split = w("cantSplit")
    for row in rows:
        tr = etree.SubElement(tbl, TR)
        etree.SubElement(etree.SubElement(tr, TRPR), cant_split)
        if isinstance(row, GroupRow):
            tc = _cell(tr, row.text, styles.group, total)
            etree.SubElement(tc[0], w("gridSpan")).set(VAL, span)
            # keep the group row with the first row of its group
            tc[1][0].append(etree.Element(w("keepNext")))
        else:
            for value, twips in zip(row, widths, strict=True):
                _cell(tr, value, styles.text, twips)
    return tbl


def _cell(tr: etree._Element, text: str, style: str, twips: str) -> etree._Element:
    tc = etree.SubElement(tr, TC)
    tcw = etree.SubElement(etree.SubElement(tc, TCPR), w("tcW"))
    tcw.set(w("w"), twips)
    tcw.set(w("type"), "dxa")
    p = etree.SubElement(tc, P)
    etree.SubElement(etree.SubElement(p, PPR), PSTYLE).set(VAL, style)
    if text:
        add_text(etree.SubElement(p, R), text)
    return tc
