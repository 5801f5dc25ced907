"""The bounded readers stop each bomb quickly and in little memory (item 2 of issue 11): zip
members that lie about their size, inflate a thousandfold or come by the thousand, unreferenced
header parts, TNEF that loops, MIME nested too deep or split too often, a huge header block."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from flows.documents.filetype import FileKind, sniff
from flows.documents.reader import read_template
from flows.intake.attachments import footer_text
from flows.mail.mime import extract_attachments, parse_envelope
from flows.model import Config
from flows.untrusted import tnef
from flows.untrusted.limits import MB, LimitExceeded, Limits
from flows.untrusted.mime_bounds import check_raw
from flows.untrusted.zipread import ArchiveUnreadable, BoundedZip, central_directory
from tests.support import hostile_mail as h


@pytest.fixture(scope="module")
def config() -> Config:
    return h.config()


@contextmanager
def budget(seconds: float, megabytes: float) -> Iterator[None]:
    """Python allocations and wall time of the block stay within the budget."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes * MB, f"peak {peak / MB:.0f} MB"


def test_a_mimetype_lying_about_its_size_is_read_a_few_bytes_at_a_time() -> None:
    bomb = h.lying_mimetype()
    with budget(6.0, 16):
        kind, _ = sniff(bomb, "svar.odt")
    assert kind is FileKind.TRUNCATED  # its checksum fails after 39 bytes


def test_a_member_inflating_a_thousandfold_is_refused_by_its_declared_size(
    config: Config,
) -> None:
    with budget(6.0, 16):
        parsed = read_template(h.high_ratio_docx(), "svar.docx", config)
    assert [p.code for p in parsed.problems] == ["file.zip_bomb"]


def test_a_ratio_bomb_with_honest_small_declared_size_is_stopped_while_inflating() -> None:
    limits = Limits(zip_ratio_floor_bytes=64 * 1024)
    data, crc = h._deflated_zeros(8 * MB)
    archive = BoundedZip(h.handmade_zip([("word/document.xml", data, crc, 8 * MB)]), limits)
    with budget(6.0, 8), pytest.raises(LimitExceeded, match="packad"):
        archive.read("word/document.xml")


def test_the_entry_count_is_checked_before_zipfile_builds_its_index(config: Config) -> None:
    bomb = h.many_entries_docx()
    assert central_directory(bomb)[0] == 5002
    with pytest.raises(LimitExceeded, match="för många delar"):
        BoundedZip(bomb)
    assert [p.code for p in read_template(bomb, "svar.docx", config).problems] == ["file.zip_bomb"]


def test_the_total_inflated_budget_covers_all_members_together() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.xml", b"a" * 700_000)
        archive.writestr("b.xml", b"b" * 700_000)
    bounded = BoundedZip(buffer.getvalue(), Limits(zip_total_bytes=MB))
    assert bounded.read("a.xml") == b"a" * 700_000
    with pytest.raises(LimitExceeded, match="för mycket"):
        bounded.read("b.xml")


def test_bzip2_and_lzma_members_are_not_inflated() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
    with pytest.raises(ArchiveUnreadable, match="komprimeringsmetod"):
        BoundedZip(buffer.getvalue()).read("word/document.xml")


def test_unreferenced_header_parts_cost_little(config: Config) -> None:
    bomb = h.unreferenced_headers(h.filled_template(config, "socialnamnden"))
    with budget(8.0, 48):
        assert footer_text(bomb) == ""  # over the ratio limit: no reference from the footers
        parsed = read_template(bomb, "svar.docx", config)
    assert parsed.board == "socialnamnden" and not parsed.problems


def test_a_looping_winmail_dat_is_stopped_by_its_child_process_limits() -> None:
    started = time.perf_counter()
    with pytest.raises(LimitExceeded, match=r"winmail\.dat"):
        tnef.unpack(h.tnef_loop(), Limits(tnef_seconds=1.0))
    assert time.perf_counter() - started < 5.0


def test_tnef_that_is_not_tnef_is_reported_as_such() -> None:
    with pytest.raises(tnef.NotTnef):
        tnef.unpack(b"PK\x03\x04 not a winmail.dat at all")


@pytest.mark.parametrize(
    ("build", "what"),
    [
        (h.deep_mime, "delar"),  # 60 levels need 60 boundaries: over the part limit first
        (lambda: h.deep_mime(12), "nivåer"),
        (h.many_parts, "delar"),
        (h.huge_header, "huvud"),
    ],
)
def test_mime_structure_over_the_limits_is_refused_before_or_while_parsing(
    build: Callable[[], bytes], what: str
) -> None:
    raw = build()
    limits = Limits(mime_depth=10, mime_parts=50)
    with budget(6.0, 32), pytest.raises(LimitExceeded, match=what):
        extract_attachments(raw, limits)


def test_a_header_field_flood_is_refused() -> None:
    raw = b"From: a@b.example\r\n" + b"X-A: b\r\n" * 5000 + b"\r\nhej"
    with pytest.raises(LimitExceeded, match="rubrikfält"):
        check_raw(raw)


def test_a_message_at_the_limits_is_still_read() -> None:
    raw = h.many_parts(40, sender="sanna.oberg@ekebyhem.example")
    assert extract_attachments(raw, Limits(mime_parts=50)) == []
    assert parse_envelope(raw).sender == "sanna.oberg@ekebyhem.example"


def test_headers_the_parser_rejects_are_read_as_text() -> None:
    cases: dict[bytes, Any] = {
        b"Message-ID: <>..": ("message_id", "<>.."),
        b"To: undisclosed-recipients:;": ("to", ()),
        b"Date: Mon, 1 Mar 2027 09:00:00 -0000": ("date", "2027-03-01T09:00:00+00:00"),
        b"Subject: =?utf-8?q?tr=C3=A4?= \xe2\x80\xaeevil": ("subject", "trä evil"),
    }
    for header, (field, expected) in cases.items():
        envelope = parse_envelope(b"From: a@b.example\r\n" + header + b"\r\n\r\nhej\r\n")
        value = getattr(envelope, field)
        assert (value.isoformat() if field == "date" else value) == expected
