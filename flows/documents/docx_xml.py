"""One pass over WordprocessingML that yields what a reader of the document sees, as a simple
model of paragraphs and tables.

Seen: accepted tracked changes (insertions and moves in, deletions and moved-from text out,
deleted rows and cells out), content of content controls at every level (placeholder text as
empty), the selected value of legacy dropdown form fields and the result of other fields, text
inside smartTag/customXml/fldSimple/hyperlink wrappers, text boxes (their paragraphs become lines
of the paragraph or cell they are anchored in). Not seen: hidden text (w:vanish), field codes,
the VML fallback copy of a text box.

Cells carry their grid position (gridBefore + spans), their span, and whether they continue a
vertical merge, so tables are read by column header, not by position. A vertically merged cell's
value is given to every row it covers, as a person reading the table sees it; a horizontally
merged one counts once, under the column it starts in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
WPS_TXBX = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}txbx"

_P, _R, _T, _TBL, _TR, _TC, _SDT = (
    W + "p",
    W + "r",
    W + "t",
    W + "tbl",
    W + "tr",
    W + "tc",
    W + "sdt",
)
_SDT_CONTENT, _SDT_PR = W + "sdtContent", W + "sdtPr"
_TAB, _BR, _CR, _PTAB = W + "tab", W + "br", W + "cr", W + "ptab"
_FLD_CHAR, _NB_HYPHEN = W + "fldChar", W + "noBreakHyphen"
_TXBX_CONTENT = W + "txbxContent"
_VAL, _DEL = W + "val", W + "del"
_P_PR, _P_STYLE, _R_PR, _VANISH, _SPEC_VANISH = (
    W + "pPr",
    W + "pStyle",
    W + "rPr",
    W + "vanish",
    W + "specVanish",
)
_TR_PR, _GRID_BEFORE, _TBL_HEADER = W + "trPr", W + "gridBefore", W + "tblHeader"
_TC_PR, _GRID_SPAN, _V_MERGE, _CELL_DEL = W + "tcPr", W + "gridSpan", W + "vMerge", W + "cellDel"
_ALTERNATE = MC + "AlternateContent"
_CHOICE = MC + "Choice"

# Wrappers whose content is seen as if the wrapper were not there.
_TRANSPARENT = frozenset(
    W + name
    for name in ("ins", "moveTo", "smartTag", "customXml", "fldSimple", "hyperlink", "bdo", "dir")
)
# Content that is not seen at all.
_REMOVED = frozenset(W + name for name in ("del", "moveFrom"))
_DRAWINGS = frozenset((W + "drawing", W + "pict", _ALTERNATE, W + "object"))

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)
_SPACE_RE = re.compile(r"[^\S\n]+")


@dataclass(slots=True)
class Paragraph:
    text: str
    style: str = ""
    # A tracked deletion of the paragraph mark: the text runs on into the next paragraph.
    joins_next: bool = False


@dataclass(slots=True)
class Cell:
    text: str
    col: int
    span: int = 1
    merged_continue: bool = False


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    header: bool = False


@dataclass(slots=True)
class Table:
    rows: list[Row] = field(default_factory=list)


Block = Paragraph | Table


def clean(text: str) -> str:
    """NFC, zero-width characters removed, any whitespace run as one space, lines trimmed and
    empty lines dropped."""
    if not text:
        return ""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.translate(_ZERO_WIDTH)
    if "\n" not in text:
        return _SPACE_RE.sub(" ", text).strip()
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _on(element: etree._Element | None) -> bool:
    """A toggle property such as `<w:vanish/>` (on) or `<w:vanish w:val="0"/>` (off)."""
    if element is None:
        return False
    return element.get(W + "val", "true").lower() not in ("0", "false", "off")


def _is_placeholder(sdt: etree._Element) -> bool:
    props = sdt.find(_SDT_PR)
    return props is not None and _on(props.find(W + "showingPlcHdr"))


class _Fields:
    """State of complex fields (w:fldChar begin/separate/end) across runs of a paragraph."""

    __slots__ = ("stack",)

    def __init__(self) -> None:
        # Per open field: [in_result, dropdown value shown at its end or None]
        self.stack: list[list[object]] = []

    def visible(self) -> bool:
        return all(state[0] for state in self.stack)

    def handle(self, fld_char: etree._Element, parts: list[str]) -> None:
        kind = fld_char.get(W + "fldCharType")
        if kind == "begin":
            self.stack.append([False, _dropdown_value(fld_char)])
        elif kind == "separate" and self.stack:
            self.stack[-1][0] = True
        elif kind == "end" and self.stack:
            _, dropdown = self.stack.pop()
            if isinstance(dropdown, str) and self.visible():
                parts.append(dropdown)


def _dropdown_value(fld_char: etree._Element) -> str | None:
    """The selected entry of a legacy dropdown form field (FORMDROPDOWN)."""
    dd_list = fld_char.find(f"{W}ffData/{W}ddList")
    if dd_list is None:
        return None
    entries = [e.get(W + "val", "") for e in dd_list.findall(W + "listEntry")]
    chosen = dd_list.find(W + "result")
    if chosen is None:
        chosen = dd_list.find(W + "default")
    try:
        index = int(chosen.get(W + "val", "0")) if chosen is not None else 0
    except ValueError:
        index = 0
    return entries[index] if 0 <= index < len(entries) else ""


class _Reader:
    """Walks the body once; methods append to plain lists for speed."""

    def blocks(self, parent: etree._Element, placeholder: bool = False) -> list[Block]:
        out: list[Block] = []
        self._blocks(parent, out, placeholder)
        return out

    def _blocks(self, parent: etree._Element, out: list[Block], placeholder: bool) -> None:
        for child in parent:
            tag = child.tag
            if tag == _P:
                out.append(self.paragraph(child, placeholder))
            elif tag == _TBL:
                inner = _layout_table_content(child)
                if inner is not None:
                    self._blocks(inner, out, placeholder)
                    continue
                table = self.table(child, placeholder)
                if table.rows:
                    out.append(table)
            elif tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    self._blocks(content, out, placeholder or _is_placeholder(child))
            elif tag in _TRANSPARENT:
                self._blocks(child, out, placeholder)

    # --- paragraphs ---------------------------------------------------------------------------

    def paragraph(self, p: etree._Element, placeholder: bool = False) -> Paragraph:
        parts: list[str] = []
        extra: list[str] = []
        style = ""
        joins_next = False
        fields = _Fields()
        for child in p:
            tag = child.tag
            if tag == _R:
                self._run(child, parts, extra, fields, placeholder)
            elif tag == _P_PR:
                for prop in child:
                    if prop.tag == _P_STYLE:
                        style = prop.get(_VAL, "")
                    elif prop.tag == _R_PR:
                        joins_next = any(mark.tag == _DEL for mark in prop)
            elif tag in _TRANSPARENT:
                self._inline(child, parts, extra, fields, placeholder)
            elif tag == _SDT:
                self._inline_sdt(child, parts, extra, fields, placeholder)
            elif tag in _DRAWINGS:
                self._text_boxes(child, extra, placeholder)
        text = "".join(parts)
        if extra:
            text = "\n".join([text, *extra])
        return Paragraph(text, style, joins_next)

    def _inline(
        self,
        parent: etree._Element,
        parts: list[str],
        extra: list[str],
        fields: _Fields,
        placeholder: bool,
    ) -> None:
        for child in parent:
            tag = child.tag
            if tag == _R:
                self._run(child, parts, extra, fields, placeholder)
            elif tag in _TRANSPARENT:
                self._inline(child, parts, extra, fields, placeholder)
            elif tag == _SDT:
                self._inline_sdt(child, parts, extra, fields, placeholder)
            elif tag in _DRAWINGS:
                self._text_boxes(child, extra, placeholder)

    def _inline_sdt(
        self,
        sdt: etree._Element,
        parts: list[str],
        extra: list[str],
        fields: _Fields,
        placeholder: bool,
    ) -> None:
        content = sdt.find(_SDT_CONTENT)
        if content is not None:
            self._inline(content, parts, extra, fields, placeholder or _is_placeholder(sdt))

    def _run(
        self,
        run: etree._Element,
        parts: list[str],
        extra: list[str],
        fields: _Fields,
        placeholder: bool,
    ) -> None:
        hidden = False
        skip = placeholder or bool(fields.stack and not fields.visible())
        for child in run:
            tag = child.tag
            if tag == _T:
                if not skip:
                    parts.append(child.text or "")
            elif tag == _R_PR:
                for prop in child:
                    if (prop.tag == _VANISH or prop.tag == _SPEC_VANISH) and _on(prop):
                        skip = True
                        hidden = True
            elif tag == _FLD_CHAR:
                fields.handle(child, parts)
                skip = placeholder or hidden or not fields.visible()
            elif skip:
                continue
            elif tag in (_TAB, _PTAB):
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NB_HYPHEN:
                parts.append("-")
            elif tag in _DRAWINGS:
                self._text_boxes(child, extra, placeholder)

    def _text_boxes(self, drawing: etree._Element, extra: list[str], placeholder: bool) -> None:
        """Paragraphs of the text boxes in a drawing, once (the VML fallback copy is skipped)."""
        if drawing.tag == _ALTERNATE:
            choice = drawing.find(_CHOICE)
            if choice is None:
                choice = drawing.find(MC + "Fallback")
            if choice is None:
                return
            drawing = choice
        for box in drawing.iter(_TXBX_CONTENT):
            for block in self.blocks(box, placeholder):
                extra.append(block.text if isinstance(block, Paragraph) else _table_text(block))

    # --- tables -------------------------------------------------------------------------------

    def table(self, tbl: etree._Element, placeholder: bool = False) -> Table:
        table = Table()
        self._rows(tbl, table.rows, placeholder)
        _spread_vertical_merges(table.rows)
        return table

    def _rows(self, parent: etree._Element, rows: list[Row], placeholder: bool) -> None:
        for child in parent:
            tag = child.tag
            if tag == _TR:
                row = self.row(child, placeholder)
                if row is not None:
                    rows.append(row)
            elif tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    self._rows(content, rows, placeholder or _is_placeholder(child))
            elif tag in _TRANSPARENT:
                self._rows(child, rows, placeholder)

    def row(self, tr: etree._Element, placeholder: bool) -> Row | None:
        col = 0
        header = False
        for props in tr:
            if props.tag == _TR_PR:
                for prop in props:
                    tag = prop.tag
                    if tag == _DEL:
                        return None
                    if tag == _GRID_BEFORE:
                        col = _int_val(prop, 0)
                    elif tag == _TBL_HEADER:
                        header = _on(prop)
                break
        cells: list[Cell] = []
        self._cells(tr, cells, col, placeholder)
        return Row(cells, header)

    def _cells(self, parent: etree._Element, cells: list[Cell], col: int, placeholder: bool) -> int:
        for child in parent:
            tag = child.tag
            if tag == _TC:
                cell = self.cell(child, col, placeholder)
                if cell is not None:
                    cells.append(cell)
                    col += cell.span
            elif tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    col = self._cells(content, cells, col, placeholder or _is_placeholder(child))
            elif tag in _TRANSPARENT:
                col = self._cells(child, cells, col, placeholder)
        return col

    def cell(self, tc: etree._Element, col: int, placeholder: bool) -> Cell | None:
        span = 1
        for props in tc:
            if props.tag == _TC_PR:
                for prop in props:
                    tag = prop.tag
                    if tag == _GRID_SPAN:
                        span = max(_int_val(prop, 1), 1)
                    elif tag == _V_MERGE:
                        if prop.get(_VAL) != "restart":
                            return Cell("", col, span, True)
                    elif tag == _CELL_DEL:
                        return None
                break
        return Cell(self.cell_text(tc, placeholder), col, span)

    def cell_text(self, container: etree._Element, placeholder: bool) -> str:
        lines: list[str] = []
        joined_with_next = False
        for block in self.blocks(container, placeholder):
            if isinstance(block, Table):
                lines.append(_table_text(block))
                joined_with_next = False
                continue
            if joined_with_next and lines:
                lines[-1] += block.text
            else:
                lines.append(block.text)
            joined_with_next = block.joins_next
        return clean("\n".join(lines))


def _spread_vertical_merges(rows: list[Row]) -> None:
    """A vertically merged cell shows its value on every row it covers: a continuation cell
    takes the text of the cell above it that starts at the same grid column."""
    above: dict[int, str] = {}
    for row in rows:
        for cell in row.cells:
            if cell.merged_continue:
                cell.text = above.get(cell.col, "")
            above[cell.col] = cell.text


def _int_val(element: etree._Element | None, default: int) -> int:
    if element is None:
        return default
    try:
        return int(element.get(W + "val", default))
    except ValueError:
        return default


def _table_text(table: Table) -> str:
    """A nested table as lines: one per row, cells separated by " | "."""
    lines = []
    for row in table.rows:
        texts = [c.text.replace("\n", " ") for c in row.cells if c.text]
        if texts:
            lines.append(" | ".join(texts))
    return "\n".join(lines)


def _layout_table_content(tbl: etree._Element) -> etree._Element | None:
    """The cell of a one-cell table used as a frame around other tables, else None."""
    rows = tbl.findall(_TR)
    if len(rows) != 1:
        return None
    cells = rows[0].findall(_TC)
    if len(cells) != 1 or cells[0].find(_TBL) is None:
        return None
    return cells[0]


def read_body(document: etree._Element) -> list[Block]:
    """The blocks of `word/document.xml`'s body, in order."""
    body = document.find(W + "body")
    if body is None:
        return []
    return _Reader().blocks(body)


def read_text(part: etree._Element) -> str:
    """All visible text of a part (a header or footer), one paragraph per line."""
    reader = _Reader()
    lines = []
    for block in reader.blocks(part):
        lines.append(block.text if isinstance(block, Paragraph) else _table_text(block))
    return clean("\n".join(lines))
