"""The styles the report uses, looked up by name in the reference document.

Word writes localized style ids (a Swedish Word calls "heading 1" `Rubrik1`), so styles are found
by name and the id is what goes into the XML. A replacement reference that lacks one of our own
styles (`Mål`, `Tabelltext`, ...) gets it copied from the committed reference, so the build never
breaks on a municipality's template.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.styles.style import BaseStyle

from flows.report.wordxml import w

# name in the reference -> attribute of StyleIds
REQUIRED: dict[str, str] = {
    "Normal": "normal",
    "Title": "title",
    "Subtitle": "subtitle",
    "Heading 1": "heading1",
    "Heading 2": "heading2",
    "Heading 3": "heading3",
    "TOC Heading": "toc_heading",
    "Caption": "caption",
    "Mål": "goal",
    "Titeluppgift": "title_detail",
    "Tabellrubrik": "table_header",
    "Tabelltext": "table_text",
    "Nämndrad": "group_row",
    "Etikett": "label",
    "Uppföljningstabell": "table",
}


@dataclass(frozen=True)
class StyleIds:
    normal: str
    title: str
    subtitle: str
    heading1: str
    heading2: str
    heading3: str
    toc_heading: str
    caption: str
    goal: str
    title_detail: str
    table_header: str
    table_text: str
    group_row: str
    label: str
    table: str


def _find(doc: DocxDocument, name: str) -> BaseStyle | None:
    # python-docx maps the UI names of built-in styles ("Heading 1") to the stored lowercase ones.
    try:
        style: BaseStyle = doc.styles[name]
    except KeyError:
        return None
    return style


def ensure_styles(doc: DocxDocument, fallback: Path) -> StyleIds:
    """Style ids for every name in REQUIRED; missing styles are copied from `fallback`."""
    spare: DocxDocument | None = None
    ids: dict[str, str] = {}
    for name, attr in REQUIRED.items():
        style = _find(doc, name)
        if style is None:
            spare = spare or docx.Document(str(fallback))
            source = _find(spare, name)
            if source is None:
                raise KeyError(f"stilen {name!r} saknas i referensdokumentet {fallback}")
            element = copy.deepcopy(source.element)
            based_on = element.find(w("basedOn"))
            if based_on is not None and _id_missing(doc, based_on.get(w("val")) or ""):
                element.remove(based_on)
            doc.styles.element.append(element)
            style = _find(doc, name)
            assert style is not None
        ids[attr] = style.style_id
    return StyleIds(**ids)


def _id_missing(doc: DocxDocument, style_id: str) -> bool:
    return not any(s.style_id == style_id for s in doc.styles)
