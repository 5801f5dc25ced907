"""What kind of file an attachment is, judged by its bytes first and its name second."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from flows.mail.port import Attachment
from flows.untrusted.limits import LimitExceeded
from flows.untrusted.zipread import ArchiveUnreadable, BoundedZip

FileKind = Literal["docx", "doc", "pdf", "odt", "other"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_EXTENSIONS = (".docx", ".docm", ".dotx")
_XML_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


@dataclass(frozen=True)
class ClassifiedAttachment:
    attachment: Attachment
    kind: FileKind

    @property
    def filename(self) -> str:
        return self.attachment.filename


def classify(attachment: Attachment) -> FileKind:
    data = attachment.data
    name = attachment.filename.lower()
    if data.startswith(b"%PDF") or name.endswith(".pdf"):
        return "pdf"
    if data.startswith(b"PK"):
        try:
            names = set(BoundedZip(data).names)
        except (ArchiveUnreadable, LimitExceeded):
            names = set()  # the reader says why it cannot be read
        if "word/document.xml" in names:
            return "docx"
        if "content.xml" in names and name.endswith(".odt"):
            return "odt"
        return "docx" if name.endswith(_WORD_EXTENSIONS) else "other"
    if data.startswith(_OLE_MAGIC):
        # An old .doc, or an encrypted .docx (Word wraps those in OLE): the reader tells which.
        return "docx" if name.endswith(_WORD_EXTENSIONS) else "doc"
    if name.endswith(_WORD_EXTENSIONS):
        return "docx"  # damaged: the reader reports why it cannot be read
    if name.endswith(".doc") or name.endswith(".rtf"):
        return "doc"
    if name.endswith(".odt"):
        return "odt"
    return "other"


def classify_all(attachments: list[Attachment]) -> list[ClassifiedAttachment]:
    return [ClassifiedAttachment(a, classify(a)) for a in attachments]


_MAX_FOOTER_PARTS = 24
_CORE_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]{1,40})</dcterms:modified>")


def footer_text(docx: bytes) -> str:
    """The text of a .docx's headers and footers (where the template prints its reference).

    Reads parts by name, also unreferenced ones (a copy may have lost its relationships), within
    the bounded reader's budget and at most a couple of dozen parts."""
    try:
        archive = BoundedZip(docx)
        parts = [n for n in archive.names if re.fullmatch(r"word/(footer|header)\d*\.xml", n)]
        chunks: list[str] = []
        for part in sorted(parts)[:_MAX_FOOTER_PARTS]:
            data = archive.read(part) or b""
            chunks.extend(m.decode("utf-8", "replace") for m in _XML_TEXT.findall(data))
    except (ArchiveUnreadable, LimitExceeded):
        return ""
    return " ".join(chunks)


def modified_time(docx: bytes) -> str:
    """The document's last-saved time (`dcterms:modified`, ISO 8601), "" when unknown."""
    try:
        data = BoundedZip(docx).read("docProps/core.xml", max_bytes=1024 * 1024) or b""
    except (ArchiveUnreadable, LimitExceeded):
        return ""
    found = _CORE_MODIFIED.search(data)
    return found.group(1).decode("ascii", "replace").strip() if found else ""
