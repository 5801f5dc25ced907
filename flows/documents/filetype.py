"""What kind of file an attachment is, from its bytes (the name is only a hint for lock files).

Pure: no file system, no conversion. The reader decides what to do with each kind.
"""

from __future__ import annotations

import io
from enum import Enum

import olefile

from flows.untrusted.limits import LimitExceeded
from flows.untrusted.zipread import ArchiveUnreadable, BoundedZip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Word's owner file ("~$name.docx") is 162 bytes: the user's name, padded, twice.
WORD_LOCKFILE_SIZE = 162


class FileKind(Enum):
    DOCX = "docx"
    DOC = "doc"
    ODT = "odt"
    RTF = "rtf"
    PDF = "pdf"
    ENCRYPTED = "encrypted"
    LOCKFILE = "lockfile"
    EMPTY = "empty"
    TRUNCATED = "truncated"
    UNSAFE = "unsafe"  # over the limits of the bounded zip reader (a zip bomb)
    OTHER = "other"


# Formats LibreOffice can turn into .docx for us, with the name boards know them by.
CONVERTIBLE: dict[FileKind, str] = {
    FileKind.DOC: "Word 97–2003 (.doc)",
    FileKind.ODT: "OpenDocument (.odt)",
    FileKind.RTF: "RTF (.rtf)",
}


def is_lockfile_name(filename: str) -> bool:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("~$") or name.startswith(".~lock.")


def sniff(data: bytes, filename: str = "") -> tuple[FileKind, str]:
    """The kind of file and a short Swedish detail for messages (empty when obvious)."""
    if is_lockfile_name(filename):
        return FileKind.LOCKFILE, ""
    if not data:
        return FileKind.EMPTY, ""
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    if data.startswith(b"%PDF-"):
        return FileKind.PDF, ""
    if data.lstrip()[:5] == b"{\\rtf":
        return FileKind.RTF, ""
    if len(data) == WORD_LOCKFILE_SIZE and 0 < data[0] <= 53:
        return FileKind.LOCKFILE, ""
    if data.lstrip()[:5] in (b"<?xml", b"<w:wo", b"<pkg:"):
        return FileKind.OTHER, "XML-fil, inte .docx"
    if data[:3] in (b"\xff\xd8\xff", b"\x89PN", b"GIF"):
        return FileKind.OTHER, "en bild"
    return FileKind.OTHER, "okänt filformat"


def _sniff_zip(data: bytes) -> tuple[FileKind, str]:
    try:
        archive = BoundedZip(data)
        names = set(archive.names)
        if "mimetype" in names:
            # Its declared size may lie: read at most a few hundred bytes of it.
            mimetype = (archive.read("mimetype", max_bytes=200) or b"").strip()
            if mimetype == ODT_MIMETYPE:
                return FileKind.ODT, ""
            return FileKind.OTHER, "OpenDocument, men inte ett textdokument"
    except ArchiveUnreadable:
        return FileKind.TRUNCATED, ""
    except LimitExceeded as exc:
        return FileKind.UNSAFE, exc.what
    if "[Content_Types].xml" not in names:
        return FileKind.OTHER, "zip-arkiv"
    if any(n.startswith("word/") for n in names):
        return FileKind.DOCX, ""
    if any(n.startswith("xl/") for n in names):
        return FileKind.OTHER, "Excel-fil"
    if any(n.startswith("ppt/") for n in names):
        return FileKind.OTHER, "PowerPoint-fil"
    return FileKind.OTHER, "Office-fil, men inte Word"


def _sniff_ole(data: bytes) -> tuple[FileKind, str]:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
            if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
                return FileKind.ENCRYPTED, ""
            if "WordDocument" in streams:
                fib = ole.openstream("WordDocument").read(12)
                # FibBase.fEncrypted: bit 0x0100 of the flags at offset 10.
                if len(fib) >= 12 and int.from_bytes(fib[10:12], "little") & 0x0100:
                    return FileKind.ENCRYPTED, ""
                return FileKind.DOC, ""
            if "Workbook" in streams or "Book" in streams:
                return FileKind.OTHER, "Excel-fil"
            if "PowerPoint Document" in streams:
                return FileKind.OTHER, "PowerPoint-fil"
            return FileKind.OTHER, "Office-fil av okänt slag"
    except (OSError, ValueError, IndexError, RecursionError, MemoryError):
        return FileKind.TRUNCATED, ""
