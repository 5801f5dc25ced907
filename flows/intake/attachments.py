"""What kind of file an attachment is, judged by its bytes first and its name second."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

from flows.mail.port import Attachment

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
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
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


def footer_text(docx: bytes) -> str:
    """The text of a .docx's headers and footers (where the template prints its reference)."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            parts = [
                n for n in archive.namelist() if re.fullmatch(r"word/(footer|header)\d*\.xml", n)
            ]
            chunks: list[str] = []
            for part in sorted(parts):
                info = archive.getinfo(part)
                if info.file_size > 5_000_000:
                    continue
                chunks.extend(
                    m.decode("utf-8", "replace") for m in _XML_TEXT.findall(archive.read(part))
                )
    except (zipfile.BadZipFile, KeyError, OSError):
        return ""
    return " ".join(chunks)
