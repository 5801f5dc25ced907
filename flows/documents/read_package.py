"""Read the parts of a .docx package safely: bounded in size, time and memory, and never through
a DOCTYPE or an entity.

A zip bomb is stopped by limits on the archive (member count, declared sizes, compression ratio)
and by counting the bytes actually inflated, since declared sizes can lie. XML is parsed with
lxml without entity resolution, DTD loading or network access, and any DOCTYPE is refused
outright: Word never writes one.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_PART_BYTES = 25 * 1024 * 1024
MAX_RATIO = 150
# Small parts compress extremely well (runs of spaces, repeated markup); only big ones are
# checked for their ratio.
RATIO_FLOOR_BYTES = 2 * 1024 * 1024
_CHUNK = 256 * 1024

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


# What zipfile and zlib raise on damaged archives (a flipped byte can make any of them).
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


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
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise PackageError("file.truncated", f"XML: {exc}") from None


@dataclass(frozen=True)
class WordPackage:
    """The parts of a .docx the reader needs, already parsed."""

    document: etree._Element
    custom_properties: etree._Element | None
    headers_footers: list[etree._Element]


class _Zip:
    def __init__(self, data: bytes) -> None:
        if len(data) > MAX_FILE_BYTES:
            raise PackageError("file.too_large", f"{len(data) / 2**20:.0f} MB")
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except ZIP_ERRORS as exc:
            raise PackageError("file.truncated", str(exc)) from None
        if len(infos) > MAX_MEMBERS:
            raise PackageError("file.zip_bomb", f"{len(infos)} delar")
        self.infos = {info.filename: info for info in infos}

    def read(self, name: str) -> bytes | None:
        info = self.infos.get(name)
        if info is None:
            return None
        if info.file_size > MAX_PART_BYTES:
            raise PackageError("file.zip_bomb", f"{name}: {info.file_size / 2**20:.0f} MB")
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise PackageError(
                "file.zip_bomb",
                f"{name}: packad {info.file_size // max(info.compress_size, 1)} gånger",
            )
        chunks: list[bytes] = []
        total = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_PART_BYTES:
                        raise PackageError(
                            "file.zip_bomb", f"{name}: över {MAX_PART_BYTES // 2**20} MB"
                        )
                    chunks.append(chunk)
        except PackageError:
            raise
        except ZIP_ERRORS as exc:
            raise PackageError("file.truncated", f"{name}: {exc}") from None
        return b"".join(chunks)

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


def open_word_package(data: bytes) -> WordPackage:
    """The main document, custom properties, headers and footers of a .docx."""
    package = _Zip(data)
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
