"""Builders for inbound mail as boards' mail clients write it: replies with attachments,
forwarded messages (message/rfc822), and Outlook's winmail.dat (TNEF)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TNEF_SIGNATURE = 0x223E9F78
_LVL_MESSAGE = 0x01
_LVL_ATTACHMENT = 0x02
_ATT_TNEF_VERSION = 0x9006
_ATT_OEM_CODEPAGE = 0x9007
_ATT_MESSAGE_CLASS = 0x8008
_ATT_ATTACH_REND_DATA = 0x9002
_ATT_ATTACH_TITLE = 0x8010
_ATT_ATTACH_DATA = 0x800F
_ATT_ATTACHMENT = 0x9005
_PR_ATTACH_LONG_FILENAME = 0x3707
_PT_UNICODE = 0x001F


def fake_docx(label: str, size: int = 2048) -> bytes:
    """Distinct bytes that start like a .docx (a zip); enough for transport tests."""
    body = (label.encode() * (size // max(1, len(label)) + 1))[:size]
    return b"PK\x03\x04" + body


def reply(
    *,
    sender: str = "sekreterare@kfn.ekeby.example",
    to: str = "uppfoljning@ekeby.example",
    subject: str = "Re: Uppföljning HBT26-KFN-Q7",
    message_id: str = "<reply-1@kfn.ekeby.example>",
    text: str = "Hej! Här kommer vår uppföljning.",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(datetime(2027, 3, 15, 9, 30, tzinfo=UTC))
    msg.set_content(text)
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)


def forwarded(inner: bytes, *, message_id: str, sender: str = "chef@kfn.ekeby.example") -> bytes:
    """`inner` forwarded as an attachment (message/rfc822), as Outlook's "Vidarebefordra som
    bilaga" does."""
    from email import message_from_bytes
    from email.policy import default

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "uppfoljning@ekeby.example"
    msg["Subject"] = "VB: Uppföljning"
    msg["Message-ID"] = message_id
    msg.set_content("Vidarebefordrar nämndens svar.")
    msg.add_attachment(message_from_bytes(inner, policy=default))
    return msg.as_bytes(policy=SMTP)


def tnef(files: list[tuple[str, bytes]]) -> bytes:
    """A winmail.dat holding `files`, with the long file name as a MAPI property (as Outlook
    writes it) and an 8.3 title."""
    out = struct.pack("<IH", TNEF_SIGNATURE, 0x0001)
    out += _attribute(_LVL_MESSAGE, _ATT_TNEF_VERSION, 0x0008, struct.pack("<I", 0x00010000))
    out += _attribute(_LVL_MESSAGE, _ATT_OEM_CODEPAGE, 0x0006, struct.pack("<II", 1252, 0))
    out += _attribute(_LVL_MESSAGE, _ATT_MESSAGE_CLASS, 0x0007, b"IPM.Note\x00")
    for index, (name, data) in enumerate(files):
        out += _attribute(
            _LVL_ATTACHMENT, _ATT_ATTACH_REND_DATA, 0x0006, b"\x01\x00" + b"\x00" * 12
        )
        short = f"ATTACH{index}.DAT".encode("ascii") + b"\x00"
        out += _attribute(_LVL_ATTACHMENT, _ATT_ATTACH_TITLE, 0x0001, short)
        out += _attribute(_LVL_ATTACHMENT, _ATT_ATTACH_DATA, 0x0006, data)
        out += _attribute(_LVL_ATTACHMENT, _ATT_ATTACHMENT, 0x0006, _mapi_long_name(name))
    return out


def winmail(
    files: list[tuple[str, bytes]], *, message_id: str, sender: str = "kansli@kfn.ekeby.example"
) -> bytes:
    """A message as Outlook sends it with "Rich Text" format: the files inside winmail.dat."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "uppfoljning@ekeby.example"
    msg["Subject"] = "Uppföljning"
    msg["Message-ID"] = message_id
    msg.set_content("Se bifogad fil.")
    msg.add_attachment(
        tnef(files), maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    return msg.as_bytes(policy=SMTP)


def _attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)


def _mapi_long_name(name: str) -> bytes:
    value = name.encode("utf-16-le") + b"\x00\x00"
    padded = value + b"\x00" * (-len(value) % 4)
    return (
        struct.pack("<I", 1)
        + struct.pack("<HH", _PT_UNICODE, _PR_ATTACH_LONG_FILENAME)
        + struct.pack("<I", 1)
        + struct.pack("<I", len(value))
        + padded
    )
