"""Looking inside a .docx from a test, straight from the XML (independent of the reader).

Only what the tests of the template and of the simulated boards need: parts, custom properties,
the body's headings and tables, and the text a person sees in a cell (placeholders left out).
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "core": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def all_text(element: etree._Element) -> str:
    """Every text node under `element`, placeholders included."""
    return "".join(str(t) for t in element.itertext())


def custom_properties(data: bytes) -> dict[str, str]:
    root = part(data, "docProps/custom.xml")
    return {
        prop.get("name", ""): all_text(prop).strip() for prop in root.findall("cp:property", NS)
    }


def body(data: bytes) -> etree._Element:
    found = part(data, "word/document.xml").find("w:body", NS)
    assert found is not None
    return found


def _placeholder(node: etree._Element) -> bool:
    for sdt in node.iterancestors(w("sdt")):
        if sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None:
            return True
    return False


def paragraph_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")) if not _placeholder(t))


def cell_text(tc: etree._Element) -> str:
    return "\n".join(paragraph_text(p) for p in tc.iter(w("p"))).strip()


def style_of(p: etree._Element) -> str:
    style = p.find("w:pPr/w:pStyle", NS)
    return style.get(w("val"), "") if style is not None else ""


def table_rows(tbl: etree._Element) -> list[list[str]]:
    return [[cell_text(tc) for tc in tr.findall("w:tc", NS)] for tr in tbl.findall("w:tr", NS)]


def blocks(data: bytes) -> list[etree._Element]:
    """The body's paragraphs and tables in order."""
    return [c for c in body(data) if c.tag in (w("p"), w("tbl"))]


def table_after(data: bytes, heading: str) -> etree._Element:
    seen = False
    for block in blocks(data):
        if block.tag == w("p") and paragraph_text(block).strip() == heading:
            seen = True
        elif seen and block.tag == w("tbl"):
            return block
    raise AssertionError(f"no table after {heading!r}")


def activity_tables(data: bytes) -> dict[int, etree._Element]:
    """Area number → the first table after its `Strategiområde N` heading."""
    tables: dict[int, etree._Element] = {}
    area = None
    for block in blocks(data):
        if block.tag == w("p"):
            text = paragraph_text(block).strip()
            if text.startswith("Strategiområde "):
                area = int(text.split()[1])
        elif area is not None and area not in tables:
            tables[area] = block
    return tables
