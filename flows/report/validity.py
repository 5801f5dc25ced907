"""What Word needs to open the report without repairing it, applied to the python-docx package.

Each rule is one the Open XML SDK validator checks (see tests/support/ooxml_validation.py):
elements of a paragraph's properties in schema order, no stale `stylesWithEffects.xml` (Word 2010's
copy of the styles, which must match styles.xml exactly or Word treats it as unreadable content;
Word 2013 and later neither need nor write it), and drawing ids unique across the whole document
(body, headers and footers), which python-docx numbers per part.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.opc.part import XmlPart
from lxml import etree

from flows.report.wordxml import w

REL_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"

# The order of w:pPr's children (ECMA-376 Part 1, CT_PPrBase followed by CT_PPr's own).
PPR_ORDER: tuple[str, ...] = tuple(
    w(name)
    for name in (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
        "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
        "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
        "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
        "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    )
)  # fmt: skip


def insert_in_order(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> None:
    """Insert `child` into `parent` where the schema's sequence `order` puts it, replacing an
    existing element of the same name."""
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = order.index(child.tag)
    later = set(order[rank + 1 :])
    for index, sibling in enumerate(parent):
        if sibling.tag in later:
            parent.insert(index, child)
            return
    parent.append(child)


def drop_styles_with_effects(doc: DocxDocument) -> None:
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype == REL_STYLES_WITH_EFFECTS:
            doc.part.rels.pop(rel_id)


def unique_drawing_ids(doc: DocxDocument) -> None:
    """Number every `wp:docPr` 1, 2, … across all parts, in package order."""
    next_id = 1
    for part in doc.part.package.iter_parts():
        if not isinstance(part, XmlPart):
            continue
        for doc_pr in part.element.iter(WP_DOCPR):
            doc_pr.set("id", str(next_id))
            next_id += 1


def make_valid(doc: DocxDocument) -> None:
    drop_styles_with_effects(doc)
    unique_drawing_ids(doc)
