"""Hostile and unlucky inbound messages, built from scratch (nothing is stored in the repository),
each with the outcome collect must give it. Shared by tests/hostile/ and benchmarks/hostile.py.

The cases are what the world sends on a bad day (issue 11): a `Message-ID: <>..`, a bounce to
`undisclosed-recipients:;`, a 53-byte winmail.dat that makes tnefparse loop, zip members that lie
about their size, compress a thousandfold or come by the thousand, unreferenced header parts,
MIME nested too deep or split too often, a header block of 300 KB, 30 attachments, 100 copies of
one template, bidi overrides, forged senders, binary junk.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP

from flows.config import load_config
from flows.demo.answers import demo_answer, fill_template
from flows.documents.template import build_template
from flows.model import Config
from tests.conftest import CONFIG_DIR

CYCLE = "hbtqia-2026"
MAILBOX = "uppfoljning@ekeby.example"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
MB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    outcome: str  # the inbound outcome collect must record
    board: str | None = None  # the board whose template it carries, if any
    reply: str | None = None  # the reply kind it must get ("receipt", "rejection", ...)
    note: str = ""  # a Swedish phrase the reply (or the quarantine reason) must contain
    # Decided by the sender-authenticity policy (issue 11, item 3), not by the intake boundary:
    # the suite asserts one outcome and the valid answer behind it, not which outcome.
    by_sender_policy: bool = False


def config() -> Config:
    return load_config(CONFIG_DIR)


def filled_template(cfg: Config, board_id: str, seed: int = 7) -> bytes:
    cycle = cfg.cycle(CYCLE)
    board = cfg.board(board_id)
    answer = demo_answer(cfg, cycle, board, seed=seed)
    activities = tuple(
        a if a.status_text else dataclasses.replace(a, status_text="Pågående", status="Pågående")
        for a in answer.activities
    )
    added = tuple(
        a if a.status_text else dataclasses.replace(a, status_text="Pågående", status="Pågående")
        for a in answer.added
    )
    answer = dataclasses.replace(answer, activities=activities, added=added)
    return fill_template(build_template(cfg, cycle, board), answer)


def message(
    *,
    sender: str,
    subject: str = "Uppföljning",
    body: str = "Hej, här kommer vår uppföljning.",
    serial: int,
    attachments: list[tuple[str, bytes, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = MAILBOX
    msg["Subject"] = subject
    msg["Date"] = "Mon, 01 Mar 2027 09:00:00 +0100"
    msg["Message-ID"] = f"<hostile-{serial}@client.example>"
    for name, value in headers or []:
        msg[name] = value
    msg.set_content(body)
    for filename, data, content_type in attachments or []:
        main, _, sub = content_type.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return msg.as_bytes()


# --------------------------------------------------------------------------- bombs


def tnef_loop() -> bytes:
    """53 bytes of winmail.dat whose MAPI property block claims 2**32 - 1 properties."""
    obj = struct.pack("<BHHI", 1, 0x9003, 0x0006, 4) + b"\xff\xff\xff\xff" + b"\x00\x00"
    data = struct.pack("<IH", 0x223E9F78, 0) + obj
    return data + b"\x00" * (53 - len(data))


def _set_sizes(data: bytes, member: str, declared: int) -> bytes:
    """The archive with `member`'s uncompressed size rewritten to `declared` (both headers)."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04")
    while local >= 0:
        name_len = struct.unpack_from("<H", out, local + 26)[0]
        if bytes(out[local + 30 : local + 30 + name_len]) == name:
            struct.pack_into("<I", out, local + 22, declared)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", out, central + 28)[0]
        if bytes(out[central + 46 : central + 46 + name_len]) == name:
            struct.pack_into("<I", out, central + 24, declared)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


@functools.cache
def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """(raw deflate stream, CRC-32) of `size` zero bytes: one fully flushed block of a megabyte
    of zeros repeated (a full flush makes it independent of what came before), then an empty
    final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\x00" * MB
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(chunk, crc)
    return block * (size // MB) + b"\x03\x00", crc


def handmade_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive from (name, raw deflate data, CRC-32, declared size) members, written by
    hand so the declared sizes can be anything."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size,
            len(encoded), 0,
        ) + encoded + data  # fmt: skip
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data),
            size, len(encoded), 0, 0, 0, 0, 0, offset,
        ) + encoded  # fmt: skip
    start = len(out)
    out += central
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), start, 0
    )
    return bytes(out)


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def lying_mimetype(inflated: int = 256 * MB) -> bytes:
    """An .odt whose `mimetype` says 39 bytes and inflates to `inflated` (zeros, deflated)."""
    zeros, crc = _deflated_zeros(inflated)
    return handmade_zip(
        [("mimetype", zeros, crc, 39), ("content.xml", *_deflate(b"<office:document-content/>"))]
    )


def high_ratio_docx(inflated: int = 30 * MB) -> bytes:
    """A .docx whose document.xml is `inflated` bytes of spaces (ratio about 1000)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            member.write(b"<w:document>")
            for _ in range(inflated // MB):
                member.write(b" " * MB)
            member.write(b"</w:document>")
    return buffer.getvalue()


def many_entries_docx(entries: int = 5000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(entries):
            archive.writestr(f"word/media/{i}.bin", b"")
    return buffer.getvalue()


def unreferenced_headers(docx: bytes, parts: int = 300, size: int = 5 * MB) -> bytes:
    """A valid .docx plus `parts` unreferenced header parts of `size` bytes each (about 1.5 MB
    compressed): what made collect read gigabytes looking for a reference code."""
    filler = _deflate(b"<w:hdr>" + b" " * size + b"</w:hdr>")
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        members = [(info.filename, *_deflate(source.read(info))) for info in source.infolist()]
    members += [(f"word/header{100 + i}.xml", *filler) for i in range(parts)]
    return handmade_zip(members)


def deep_mime(depth: int = 60) -> bytes:
    lines = [b"From: okand@example.org", b"To: " + MAILBOX.encode(), b"Subject: djup"]
    body = b"innerst\r\n"
    for level in range(depth):
        boundary = f"b{level}".encode()
        body = (
            b"--" + boundary + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + boundary
            + b"\r\nContent-Type: multipart/mixed; boundary=\"b" + str(level - 1).encode()
            + b"\"\r\n\r\n" + body + b"\r\n--" + boundary + b"--\r\n"
        )  # fmt: skip
    top = f"b{depth - 1}".encode()
    return b"\r\n".join(
        [*lines, b"MIME-Version: 1.0", b'Content-Type: multipart/mixed; boundary="' + top + b'"']
    ) + b"\r\n\r\n" + body  # fmt: skip


def many_parts(parts: int = 2000, sender: str = "okand@example.org") -> bytes:
    head = (
        f"From: {sender}\r\nTo: {MAILBOX}\r\nSubject: delar\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
    ).encode()
    part = b"--x\r\nContent-Type: text/plain\r\n\r\nhej\r\n"
    return head + part * parts + b"--x--\r\n"


def huge_header(size: int = 300 * 1024) -> bytes:
    return (
        b"From: okand@example.org\r\nTo: " + MAILBOX.encode() + b"\r\nSubject: lang\r\n"
        + b"X-Filler: " + b"a" * size + b"\r\n\r\nhej\r\n"
    )  # fmt: skip


def with_bidi(docx: bytes) -> bytes:
    """The .docx with U+202E (RIGHT-TO-LEFT OVERRIDE) put before every `Genomförd`."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace("Genomförd".encode(), "\u202eGenomförd".encode())
            archive.writestr(info, data)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the cases


def hostile_cases(cfg: Config) -> list[Case]:
    """Every hostile message, with the outcome collect must give it."""
    contact = cfg.board("socialnamnden").primary.email
    hamn = cfg.board("ekeby-hamn").primary.email
    social = filled_template(cfg, "socialnamnden")
    hamn_doc = filled_template(cfg, "ekeby-hamn")
    serial = iter(range(1000, 2000))

    def msg(**kw: object) -> bytes:
        return message(serial=next(serial), **kw)  # type: ignore[arg-type]

    return [
        Case(
            "message-id <>..",
            b"From: okand@example.org\r\nMessage-ID: <>..\r\nTo: "
            + MAILBOX.encode()
            + b"\r\nSubject: hej\r\nDate: 1 Mar 2027 09:00 +0100\r\n\r\nHej!\r\n",
            "quarantined",
        ),
        Case(
            "message-id <>.. from a contact",
            b"From: "
            + contact.encode()
            + b"\r\nMessage-ID: <>..\r\nTo: "
            + MAILBOX.encode()
            + b"\r\nSubject: fraga\r\n\r\nHar ni fatt var mall?\r\n",
            "no_attachment",
            reply="no_attachment_reply",
        ),
        Case(
            "bounce to undisclosed-recipients",
            b"From: MAILER-DAEMON@mx.ekeby.example\r\nTo: undisclosed-recipients:;\r\n"
            b"Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
            b' boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n--r\r\n'
            b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
            b"Final-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n--r--\r\n",
            "ignored",
        ),
        Case(
            "winmail.dat that loops",
            msg(
                sender=contact,
                attachments=[("winmail.dat", tnef_loop(), "application/ms-tnef")],
            ),
            "quarantined",
            note="winmail.dat",
        ),
        Case(
            "odt whose mimetype lies about its size",
            msg(sender=contact, attachments=[("svar.odt", lying_mimetype(), ODT)]),
            "rejected",
            board="socialnamnden",
            reply="rejection",
        ),
        Case(
            "docx inflating a thousandfold",
            msg(sender=contact, attachments=[("svar.docx", high_ratio_docx(), DOCX)]),
            "rejected",
            board="socialnamnden",
            reply="rejection",
            note="säkerhetsskäl",
        ),
        Case(
            "docx with 5000 members",
            msg(sender=contact, attachments=[("svar.docx", many_entries_docx(), DOCX)]),
            "rejected",
            board="socialnamnden",
            reply="rejection",
            note="säkerhetsskäl",
        ),
        Case(
            "valid docx with 300 unreferenced header parts",
            msg(sender=contact, attachments=[("svar.docx", unreferenced_headers(social), DOCX)]),
            "submitted",
            board="socialnamnden",
            reply="receipt",
        ),
        Case("MIME nested 60 deep", deep_mime(), "quarantined", note="för komplext"),
        Case("2000 MIME parts", many_parts(), "quarantined", note="för komplext"),
        Case("300 KB header block", huge_header(), "quarantined", note="för komplext"),
        Case(
            "30 attachments",
            msg(
                sender=contact,
                attachments=[(f"bilaga{i}.txt", b"x", "text/plain") for i in range(30)],
            ),
            "rejected",
            reply="rejection",
            note="30 bilagor",
        ),
        Case(
            "100 copies of the template",
            msg(
                sender=hamn,
                attachments=[(f"svar {i}.docx", hamn_doc, DOCX) for i in range(100)],
            ),
            "rejected",
            reply="rejection",
            note="100 bilagor",
        ),
        Case(
            "3 copies of the template",
            msg(sender=hamn, attachments=[(f"svar {i}.docx", hamn_doc, DOCX) for i in range(3)]),
            "submitted",
            board="ekeby-hamn",
            reply="receipt",
            note="3 ifyllda mallar",
        ),
        Case(
            "bidi overrides in subject, name and document",
            msg(
                sender=hamn,
                subject="Svar \u202eKS\u202c",
                attachments=[("svar\u202excod.docx", with_bidi(hamn_doc), DOCX)],
            ),
            "submitted",
            board="ekeby-hamn",
            reply="receipt",
        ),
        Case(
            "forged: address-looking display name",
            msg(
                sender=f'"{contact}" <evil@attacker.example>',
                attachments=[("svar.docx", social, DOCX)],
            ),
            "quarantined",
        ),
        Case(
            "forged: unquoted angle trick",
            b"From: "
            + contact.encode()
            + b" <evil@attacker.example>\r\nTo: "
            + MAILBOX.encode()
            + b"\r\nSubject: svar\r\nMessage-ID: <forged-2@x.example>\r\n"
            + b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHej\r\n",
            "quarantined",
            by_sender_policy=True,
        ),
        Case(
            "zone-less Date and a 400-character sender",
            b"From: "
            + b"a" * 380
            + b"@example.org\r\nTo: "
            + MAILBOX.encode()
            + b"\r\nDate: Mon, 1 Mar 2027 09:00:00 -0000\r\nSubject: x\r\n\r\nhej\r\n",
            "quarantined",
        ),
        Case("binary junk", bytes(range(256)) * 40, "quarantined"),
        Case("empty file", b"", "quarantined"),
    ]


def valid_answers(cfg: Config, count: int) -> list[tuple[str, bytes]]:
    """`count` distinct valid answers (board id, raw), one board after another."""
    boards = [
        b.id for b in cfg.boards_in(cfg.cycle(CYCLE)) if b.id not in ("socialnamnden", "ekeby-hamn")
    ]
    documents = {b: filled_template(cfg, b) for b in boards}
    result = []
    for i in range(count):
        board = cfg.board(boards[i % len(boards)])
        raw = message(
            sender=board.primary.email,
            subject=f"Uppföljning {board.name} ({i})",
            serial=5000 + i,
            attachments=[(f"Uppföljning {i}.docx", documents[board.id], DOCX)],
        )
        result.append((board.id, raw))
    return result


Builder = Callable[[Config], list[Case]]
