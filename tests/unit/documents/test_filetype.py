"""What kind of file an attachment is, from its bytes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from flows.config import load_config
from flows.documents.filetype import FileKind, sniff
from flows.model import Config
from tests.support import docx_fixtures as fx


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_kinds(config: Config) -> None:
    docx = fx.filled(config)
    assert sniff(docx)[0] is FileKind.DOCX
    assert sniff(fx.encrypted(docx))[0] is FileKind.ENCRYPTED
    assert sniff(fx.odt_document("X"))[0] is FileKind.ODT
    assert sniff(fx.rtf_document("X"))[0] is FileKind.RTF
    assert sniff(fx.pdf_document())[0] is FileKind.PDF
    assert sniff(b"")[0] is FileKind.EMPTY
    assert sniff(docx[: len(docx) // 2])[0] is FileKind.TRUNCATED
    assert sniff(fx.word_lockfile(), "rapport.docx")[0] is FileKind.LOCKFILE
    assert sniff(docx, "~$rapport.docx")[0] is FileKind.LOCKFILE
    assert sniff(b"x", ".~lock.rapport.docx#")[0] is FileKind.LOCKFILE


def test_other_office_and_unknown_files(config: Config) -> None:
    assert sniff(_zip(["[Content_Types].xml", "xl/workbook.xml"])) == (FileKind.OTHER, "Excel-fil")
    assert sniff(_zip(["a.txt"])) == (FileKind.OTHER, "zip-arkiv")
    assert sniff(b"\x89PNG\r\n\x1a\n....") == (FileKind.OTHER, "en bild")
    assert sniff(b"hello world") == (FileKind.OTHER, "okänt filformat")


def test_ole_without_known_streams_is_not_word() -> None:
    # A well-formed but streamless OLE header is rejected by olefile: treated as broken.
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)[0] is FileKind.TRUNCATED
