"""WordprocessingML built directly with lxml: paragraphs, fields and large tables.

python-docx builds tables cell by cell through its object layer, which is slow for thousands of
rows (see benchmarks/compile.py); here a row is a handful of `SubElement` calls. Text is always
set as element text (lxml escapes it), never parsed as XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

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
    numeric: bool = False  # right-aligned


@dataclass(frozen=True)
class GroupRow:
    """A row spanning all columns that introduces a group (a board's activities)."""

    text: str


@dataclass(frozen=True)
class TotalRow:
    """A row of totals, set off like a group row."""

    cells: Sequence[str]


Row = Sequence[str] | GroupRow | TotalRow


@dataclass(frozen=True)
class TableStyles:
    table: str
    header: str
    text: str
    group: str


def _twips(cm: float) -> str:
    return str(round(cm * 567))


_BATCH_ROWS = 500


def text_xml(text: str) -> str:
    """`text` as the content of a w:r: escaped w:t pieces, w:br for line breaks, w:tab for tabs."""
    out = []
    for part in _BREAKS.split(clean(text)):
        if not part:
            continue
        if part == "\t":
            out.append("<w:tab/>")
        elif part in ("\n", "\r", "\r\n"):
            out.append("<w:br/>")
        else:
            space = ' xml:space="preserve"' if part[0].isspace() or part[-1].isspace() else ""
            out.append(f"<w:t{space}>{escape(part)}</w:t>")
    return "".join(out)


def table(
    columns: Sequence[Column],
    rows: Iterable[Row],
    styles: TableStyles,
    *,
    heading: str | None = None,
) -> etree._Element:
    """A table whose header row repeats on every page; rows never split across pages.

    `heading` (e.g. the board's name) is a first header row spanning all columns, repeated with
    the column titles on every page the table continues on.

    Written as one XML string and parsed once: an order of magnitude faster than an element per
    call for thousands of rows. Every text and attribute value goes through `escape`/`quoteattr`.
    """
    widths = [_twips(c.width_cm) for c in columns]
    total = _twips(sum(c.width_cm for c in columns))
    aligns = ['<w:jc w:val="right"/>' if c.numeric else "" for c in columns]

    def cell(text: str, style: str, width: str, extra_tcpr: str = "", extra_ppr: str = "") -> str:
        run = f"<w:r>{text_xml(text)}</w:r>" if text else ""
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{extra_tcpr}</w:tcPr>'
            f"<w:p><w:pPr><w:pStyle w:val={quoteattr(style)}/>{extra_ppr}</w:pPr>{run}</w:p></w:tc>"
        )

    parts = [
        f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblStyle w:val={quoteattr(styles.table)}/>'
        f'<w:tblW w:w="{total}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{width}"/>' for width in widths),
        "</w:tblGrid>",
        *(
            [
                "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
                cell(heading, styles.group, total, f'<w:gridSpan w:val="{len(columns)}"/>'),
                "</w:tr>",
            ]
            if heading
            else []
        ),
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
        *(
            cell(c.title, styles.header, width, extra_ppr=align)
            for c, width, align in zip(columns, widths, aligns, strict=True)
        ),
        "</w:tr>",
    ]
    parts.append("</w:tbl>")
    tbl = etree.fromstring("".join(parts))
    parts = []
    span = f'<w:gridSpan w:val="{len(columns)}"/>'
    row_start = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"

    def flush() -> None:
        # rows are parsed in batches so the XML text never holds a whole large table at once
        if parts:
            tbl.extend(etree.fromstring(f'<w:tbl xmlns:w="{W_NS}">{"".join(parts)}</w:tbl>'))
            parts.clear()

    for row in rows:
        if isinstance(row, GroupRow):
            # the group row stays on the page of its group's first row
            group = cell(row.text, styles.group, total, span, "<w:keepNext/>")
            parts.append(f"{row_start}{group}</w:tr>")
        else:
            style, values = (
                (styles.group, row.cells) if isinstance(row, TotalRow) else (styles.text, row)
            )
            cells = "".join(
                cell(value, style, width, extra_ppr=align)
                for value, width, align in zip(values, widths, aligns, strict=True)
            )
            parts.append(f"{row_start}{cells}</w:tr>")
        if len(parts) >= _BATCH_ROWS:
            flush()
    flush()
    return tbl
