"""Read the parts of a .docx package safely: bounded in size, time and memory, and never through
a DOCTYPE or an entity.

A zip bomb is stopped by the bounded reader (`flows.untrusted.zipread`, limits in
`flows.untrusted.limits`): member count, declared and actually inflated sizes, ratio, total.
XML is parsed with lxml without entity resolution, DTD loading or network access, and any
DOCTYPE is refused outright: Word never writes one. Bidi control characters are removed from
all text, so a board's text cannot reorder what a receipt or the report shows.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lxml import etree

from flows.untrusted.limits import LIMITS, LimitExceeded, Limits
from flows.untrusted.text import strip_bidi_tree
from flows.untrusted.zipread import ZIP_ERRORS, ArchiveUnreadable, BoundedZip

MAX_FILE_BYTES = LIMITS.zip_bytes

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)
_HEADER_FOOTER_SUFFIXES = ("/header", "/footer")
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_TRANSITIONAL_W = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


__all__ = ["MAX_FILE_BYTES", "ZIP_ERRORS", "PackageError", "WordPackage", "open_word_package"]


class PackageError(Exception):
    """The package cannot be read; `code` is a `file.*` problem code."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def parse_xml(data: bytes) -> etree._Element:
    """Parse one XML part; refuses DOCTYPE and entity declarations."""
    # Markup in text is always escaped (&lt;!DOCTYPE), so these bytes only occur as markup.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise PackageError("file.unsafe_xml", "DOCTYPE")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError("file.truncated", f"XML: {exc}") from None
    strip_bidi_tree(root)
    return root


@dataclass(frozen=True)
class WordPackage:
    """The parts of a .docx the reader needs, already parsed."""

    document: etree._Element
    custom_properties: etree._Element | None
    headers_footers: list[etree._Element]


class _Zip:
    """The package's members through the bounded reader, as `file.*` problems when it fails."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        try:
            self.archive = BoundedZip(data, limits)
        except LimitExceeded as exc:
            code = "file.too_large" if len(data) > limits.zip_bytes else "file.zip_bomb"
            raise PackageError(code, exc.what) from None
        except ArchiveUnreadable as exc:
            raise PackageError("file.truncated", str(exc)) from None

    def read(self, name: str) -> bytes | None:
        try:
            return self.archive.read(name)
        except LimitExceeded as exc:
            raise PackageError("file.zip_bomb", exc.what) from None
        except ArchiveUnreadable as exc:
            raise PackageError("file.truncated", str(exc)) from None

    def xml(self, name: str) -> etree._Element | None:
        data = self.read(name)
        return None if data is None else parse_xml(data)


def _relationships(package: _Zip, part: str) -> list[tuple[str, str]]:
    """(type, target part name) of the relationships of `part` ("" for the package)."""
    folder, base = posixpath.split(part)
    rels = package.xml(posixpath.join(folder, "_rels", f"{base}.rels"))
    if rels is None:
        return []
    result = []
    for rel in rels:
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        if target.startswith("/"):
            name = target.lstrip("/")
        else:
            name = posixpath.normpath(posixpath.join(folder, target))
        result.append((rel.get("Type", ""), name))
    return result


def _word_xml(package: _Zip, name: str) -> etree._Element | None:
    """A WordprocessingML part; "Strict Open XML" namespaces are read as the usual ones."""
    data = package.read(name)
    if data is None:
        return None
    if _STRICT_W in data:
        data = data.replace(_STRICT_W, _TRANSITIONAL_W)
    return parse_xml(data)


def open_word_package(data: bytes, limits: Limits = LIMITS) -> WordPackage:
    """The main document, custom properties, headers and footers of a .docx."""
    package = _Zip(data, limits)
    package_rels = _relationships(package, "")
    main = next((n for t, n in package_rels if t in _REL_OFFICE_DOCUMENT), "word/document.xml")
    document = _word_xml(package, main)
    if document is None:
        raise PackageError("file.not_template", "Word-dokumentet saknar innehåll")
    custom_name = next(
        (n for t, n in package_rels if t.endswith("/custom-properties")), "docProps/custom.xml"
    )
    parts = []
    for rel_type, name in _relationships(package, main):
        if rel_type.endswith(_HEADER_FOOTER_SUFFIXES):
            part = _word_xml(package, name)
            if part is not None:
                parts.append(part)
    return WordPackage(
        document=document, custom_properties=package.xml(custom_name), headers_footers=parts
    )
