"""Files that are not a readable template are rejected with one clear Swedish `file.*` error,
never an exception, within bounded time and memory."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.config import load_config
from flows.documents.reader import read_file, read_template
from flows.model import Config
from tests.support import docx_fixtures as fx


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


_VALID = fx.filled(load_config(Path(__file__).resolve().parents[3] / "config"))


def _only_error(data: bytes, name: str, config: Config, **kwargs: object) -> tuple[str, str]:
    result = read_template(data, name, config, **kwargs)  # type: ignore[arg-type]
    assert result.unreadable, result.problems
    assert len(result.problems) == 1
    assert result.activities == [] and result.board is None
    return result.problems[0].code, result.problems[0].message


def test_encrypted_document(config: Config) -> None:
    code, message = _only_error(fx.encrypted(fx.filled(config)), "svar.docx", config)
    assert code == "file.encrypted"
    assert "lösenord" in message and "svar.docx" in message


def test_pdf(config: Config) -> None:
    code, message = _only_error(fx.pdf_document(), "svar.pdf", config)
    assert code == "file.pdf"
    assert "PDF" in message and ".docx" in message


@pytest.mark.parametrize(
    ("maker", "name", "code"),
    [
        (lambda c: fx.rtf_document("X"), "svar.rtf", "file.rtf"),
        (lambda c: fx.odt_document("X"), "svar.odt", "file.odt"),
    ],
)
def test_convertible_formats_rejected_when_conversion_is_off(config, maker, name, code) -> None:
    assert _only_error(maker(config), name, config, convert=False)[0] == code


def test_truncated_document(config: Config) -> None:
    data = fx.filled(config)
    for cut in (len(data) // 2, len(data) - 30, 100):
        code, message = _only_error(data[:cut], "svar.docx", config)
        assert code == "file.truncated"
        assert "ofullständig eller skadad" in message


def test_member_cut_inside_a_complete_zip_directory(config: Config) -> None:
    # The central directory is intact but document.xml's compressed data is damaged.
    data = bytearray(fx.filled(config))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 200] = b"\xff" * 200
    assert _only_error(bytes(data), "svar.docx", config)[0] == "file.truncated"


def test_office_lock_file(config: Config) -> None:
    code, message = _only_error(fx.word_lockfile(), "~$svar.docx", config)
    assert code == "file.lockfile"
    assert "låsfil" in message
    # The same bytes under another name are still recognised by their shape.
    assert _only_error(fx.word_lockfile(), "svar.docx", config)[0] == "file.lockfile"


def test_empty_and_foreign_files(config: Config) -> None:
    assert _only_error(b"", "svar.docx", config)[0] == "file.empty"
    code, message = _only_error(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "svar.docx", config)
    assert code == "file.not_template" and "en bild" in message


def test_zip_bomb_is_stopped_in_bounded_time_and_memory(config: Config) -> None:
    bomb = fx.zip_bomb(100 * 1024 * 1024)
    tracemalloc.start()
    started = time.perf_counter()
    code, message = _only_error(bomb, "bomb.docx", config)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == "file.zip_bomb"
    assert "säkerhetsskäl" in message
    assert elapsed < 2.0
    assert peak < 10 * 1024 * 1024  # nothing was inflated


def test_zip_bomb_lying_about_its_size_is_stopped_while_inflating(config: Config) -> None:
    # Declares 1 MB (under every limit) but inflates to 64 MB: reading stops at the declared
    # size and the archive's own checksum then fails.
    bomb = fx.zip_bomb(64 * 1024 * 1024, declared=1024 * 1024)
    tracemalloc.start()
    started = time.perf_counter()
    code, _ = _only_error(bomb, "bomb.docx", config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code in {"file.zip_bomb", "file.truncated"}
    assert time.perf_counter() - started < 2.0
    assert peak < 32 * 1024 * 1024


def test_zip_with_too_many_members(config: Config) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<x/>")
        for i in range(2001):
            archive.writestr(f"word/media/{i}.bin", b"")
    assert _only_error(buffer.getvalue(), "svar.docx", config)[0] == "file.zip_bomb"


def test_doctype_and_entities_are_refused(config: Config, tmp_path: Path) -> None:
    code, message = _only_error(fx.entity_document(config), "svar.docx", config)
    assert code == "file.unsafe_xml"
    assert "säkerhetsskäl" in message


def test_entities_in_custom_properties_are_refused(config: Config) -> None:
    data = fx.filled(config)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "docProps/custom.xml":
                content = content.replace(
                    b"?>", b'?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1
                ).replace(b"kultur-och-fritidsnamnden", b"&x;")
            archive.writestr(item, content)
    assert _only_error(out.getvalue(), "svar.docx", config)[0] == "file.unsafe_xml"


def test_read_file_refuses_too_large_files_without_reading_them(
    config: Config, tmp_path: Path
) -> None:
    big = tmp_path / "stor.docx"
    with big.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)  # sparse: no 60 MB written
    result = read_file(big, config)
    assert [p.code for p in result.problems] == ["file.too_large"]
    assert "60 MB" in result.problems[0].message


def test_attachment_name_is_only_shown_never_a_path(config: Config) -> None:
    result = read_template(b"", "../../etc/\x07passwd", config)
    assert result.file == "passwd"


def test_conversion_without_libreoffice_is_a_clear_error(
    config: Config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    code, message = _only_error(fx.odt_document("X"), "svar.odt", config)
    assert code == "file.odt"
    assert "OpenDocument-format (.odt)" in message and ".docx" in message


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_documents_never_raise(config: Config, data: st.DataObject) -> None:
    """Whatever bytes arrive, the reader answers with a result, never an exception."""
    original = bytearray(_VALID)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        del original[data.draw(st.integers(1, len(original))) :]
    result = read_template(bytes(original), "svar.docx", config)
    assert result.file == "svar.docx"
    assert all(p.message for p in result.problems)


@given(st.binary(max_size=2000))
@settings(max_examples=30, deadline=None)
def test_random_bytes_never_raise(config: Config, blob: bytes) -> None:
    result = read_template(blob, "svar.docx", config)
    assert result.unreadable
