"""Low-level Office Open XML: namespaces, element building, and reading/writing the zip package.

Used to write the board's template and by the simulated boards that edit it as Word would.
The package writer is deterministic: fixed part order and fixed zip timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
XML_NS = "http://www.w3.org/XML/1998/namespace"

NSMAP: dict[str, str] = {"w": W_NS, "r": R_NS}
W_NSMAP: dict[str, str] = {"w": W_NS, "r": R_NS}

# Relationship types and content types of the parts the template has.
REL_OFFICE_DOCUMENT = f"{R_NS}/officeDocument"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_EXTENDED = f"{R_NS}/extended-properties"
REL_CUSTOM = f"{R_NS}/custom-properties"
REL_STYLES = f"{R_NS}/styles"
REL_SETTINGS = f"{R_NS}/settings"
REL_NUMBERING = f"{R_NS}/numbering"
REL_FOOTER = f"{R_NS}/footer"
REL_HEADER = f"{R_NS}/header"
REL_FONT_TABLE = f"{R_NS}/fontTable"
REL_THEME = f"{R_NS}/theme"

_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
CT_DOCUMENT = f"{_WML}.document.main+xml"
CT_STYLES = f"{_WML}.styles+xml"
CT_SETTINGS = f"{_WML}.settings+xml"
CT_NUMBERING = f"{_WML}.numbering+xml"
CT_FOOTER = f"{_WML}.footer+xml"
CT_HEADER = f"{_WML}.header+xml"
CT_FONT_TABLE = f"{_WML}.fontTable+xml"
CT_THEME = "application/vnd.openxmlformats-officedocument.theme+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_EXTENDED = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

# The format id Office uses for user-defined document properties.
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

Attrs = Mapping[str, str | int]


def _nsmap(default: str, **prefixed: str) -> Any:
    """A namespace map with a default namespace (lxml-stubs do not type the `None` key)."""
    return {None: default, **prefixed}


def qn(name: str) -> str:
    """`w:p` → `{namespace}p`."""
    prefix, _, local = name.partition(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def el(tag: str, attrs: Attrs | None = None, *children: etree._Element | None) -> etree._Element:
    """A WordprocessingML element; `None` children are skipped so optional parts read naturally."""
    element = etree.Element(qn(tag), nsmap=W_NSMAP)
    for key, value in (attrs or {}).items():
        element.set(qn(key), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def val(tag: str, value: str | int) -> etree._Element:
    """An element with only `w:val`, e.g. `<w:pStyle w:val="Heading1"/>`."""
    return el(tag, {"w:val": value})


def text_element(text: str) -> etree._Element:
    t = el("w:t")
    t.text = text
    if text != text.strip() or "  " in text:
        t.set(f"{{{XML_NS}}}space", "preserve")
    return t


def to_xml(element: etree._Element) -> bytes:
    if element.tag.startswith(f"{{{W_NS}}}"):
        # Declared once at the root, like Word; some readers look up `r` on any element.
        etree.cleanup_namespaces(element, top_nsmap=W_NSMAP, keep_ns_prefixes=["w", "r"])
    else:
        etree.cleanup_namespaces(element)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def parse_xml(data: bytes) -> etree._Element:
    """Parse a part we wrote or a board edited; never resolves entities or fetches anything."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


# --------------------------------------------------------------------------- package parts


def content_types(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> bytes:
    root = etree.Element(f"{{{CT_NS}}}Types", nsmap=_nsmap(CT_NS))
    for extension, content_type in defaults.items():
        etree.SubElement(root, f"{{{CT_NS}}}Default", Extension=extension, ContentType=content_type)
    for part, content_type in overrides.items():
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=part, ContentType=content_type)
    return to_xml(root)


def relationships(rels: Iterable[tuple[str, str, str]]) -> bytes:
    """`rels` as (id, type, target)."""
    root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap=_nsmap(PKG_REL_NS))
    for rel_id, rel_type, target in rels:
        etree.SubElement(
            root, f"{{{PKG_REL_NS}}}Relationship", Id=rel_id, Type=rel_type, Target=target
        )
    return to_xml(root)


def custom_properties(properties: Mapping[str, str | int]) -> bytes:
    """docProps/custom.xml: strings as `vt:lpwstr`, integers as `vt:i4`."""
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap=_nsmap(CUSTOM_NS, vt=VT_NS))
    for pid, (name, value) in enumerate(properties.items(), start=2):
        prop = etree.SubElement(
            root, f"{{{CUSTOM_NS}}}property", fmtid=CUSTOM_FMTID, pid=str(pid), name=name
        )
        kind = "i4" if isinstance(value, int) else "lpwstr"
        etree.SubElement(prop, f"{{{VT_NS}}}{kind}").text = str(value)
    return to_xml(root)


def core_properties(
    *, title: str, subject: str, creator: str, keywords: str, timestamp: dt.datetime
) -> bytes:
    root = etree.Element(
        f"{{{CP_NS}}}coreProperties",
        nsmap={"cp": CP_NS, "dc": DC_NS, "dcterms": DCTERMS_NS, "xsi": XSI_NS},
    )
    stamp = timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(root, f"{{{DC_NS}}}title").text = title
    etree.SubElement(root, f"{{{DC_NS}}}subject").text = subject
    etree.SubElement(root, f"{{{DC_NS}}}creator").text = creator
    etree.SubElement(root, f"{{{CP_NS}}}keywords").text = keywords
    etree.SubElement(root, f"{{{CP_NS}}}lastModifiedBy").text = creator
    etree.SubElement(root, f"{{{DC_NS}}}language").text = "sv-SE"
    for name in ("created", "modified"):
        node = etree.SubElement(root, f"{{{DCTERMS_NS}}}{name}")
        node.set(f"{{{XSI_NS}}}type", "dcterms:W3CDTF")
        node.text = stamp
    return to_xml(root)


def extended_properties(*, application: str, company: str) -> bytes:
    root = etree.Element(f"{{{EP_NS}}}Properties", nsmap=_nsmap(EP_NS, vt=VT_NS))
    etree.SubElement(root, f"{{{EP_NS}}}Application").text = application
    etree.SubElement(root, f"{{{EP_NS}}}Company").text = company
    etree.SubElement(root, f"{{{EP_NS}}}DocSecurity").text = "0"
    return to_xml(root)


# --------------------------------------------------------------------------- zip package


def write_package(parts: Iterable[tuple[str, bytes]], *, timestamp: dt.datetime) -> bytes:
    """Zip `parts` (name, bytes) in order with one fixed timestamp: same input, same bytes."""
    stamp = timestamp.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(max(stamp[0], 1980), *stamp[1:]))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def read_package(data: bytes) -> tuple[list[tuple[str, bytes]], dt.datetime]:
    """The parts of a package in their order, and the timestamp of its first entry."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        parts = [(info.filename, archive.read(info)) for info in infos]
        stamp = dt.datetime(*infos[0].date_time) if infos else dt.datetime(1980, 1, 1)
    return parts, stamp
