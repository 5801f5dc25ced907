"""RFC 5322 messages: build what we send, read what arrives (envelope, body, attachments).

Pure functions over bytes; every adapter and the collect flow share them.
"""

from __future__ import annotations

import email.policy
import logging
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from typing import Any

from flows.mail.port import Attachment, OutboundMessage

log = logging.getLogger(__name__)

_POLICY = email.policy.SMTP.clone(max_line_length=998)
_MAX_NESTING = 10
_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
_UNSAFE_FILENAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
MAX_FILENAME_LENGTH = 150


def build_message(
    message: OutboundMessage, *, sender: str, date: datetime | None = None
) -> EmailMessage:
    """The RFC 5322 message for `message`: text (+ html alternative), attachments, our ids."""
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    msg["To"] = ", ".join(message.to)
    if message.cc:
        msg["Cc"] = ", ".join(message.cc)
    if message.reply_to:
        msg["Reply-To"] = message.reply_to
    msg["Subject"] = message.subject
    msg["Message-ID"] = message.message_id
    msg["Date"] = format_datetime(date or datetime.now().astimezone())
    if message.in_reply_to:
        msg["In-Reply-To"] = message.in_reply_to
        msg["References"] = message.in_reply_to
    for name, value in message.headers:
        msg[name] = value
    msg.set_content(message.text, subtype="plain", charset="utf-8")
    if message.html is not None:
        msg.add_alternative(message.html, subtype="html", charset="utf-8")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        msg.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=safe_filename(attachment.filename),
        )
    return msg


def message_bytes(message: OutboundMessage, *, sender: str) -> bytes:
    return build_message(message, sender=sender).as_bytes(policy=_POLICY)


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


@dataclass(frozen=True)
class Envelope:
    sender: str | None  # the From address, lower-case
    sender_name: str | None
    to: tuple[str, ...]
    subject: str
    message_id: str | None
    in_reply_to: str | None
    date: datetime | None
    text: str  # the plain-text body (from HTML if there is no text part)


def parse_envelope(raw: bytes) -> Envelope:
    """Sender, recipients, subject, ids, date and plain-text body of a raw message."""
    msg = parse(raw)
    sender_name, sender = _first_address(_header(msg, "From"))
    to = tuple(addr.lower() for _, addr in getaddresses([_header(msg, "To") or ""]) if addr)
    return Envelope(
        sender=sender,
        sender_name=sender_name,
        to=to,
        subject=_header(msg, "Subject") or "",
        message_id=_header(msg, "Message-ID"),
        in_reply_to=_header(msg, "In-Reply-To"),
        date=_date(_header(msg, "Date")),
        text=_plain_text(msg),
    )


def parse_envelope_headers(raw: bytes) -> dict[str, str]:
    """Only the headers (cheap): lower-case name → first value."""
    headers = BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)
    result: dict[str, str] = {}
    for name, value in headers.items():
        result.setdefault(name.lower(), str(value).strip())
    return result


def extract_attachments(raw: bytes) -> list[Attachment]:
    """Every attached file, also inside forwarded messages (nested) and winmail.dat (TNEF)."""
    found: list[Attachment] = []
    _collect(parse(raw), found, depth=0)
    return found


def safe_filename(name: str | None, *, fallback: str = "bilaga") -> str:
    """A file name that is only a name: no directories, control characters or reserved names."""
    if not name:
        return fallback
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME_CHARS.sub("_", name).strip().strip(".").strip()
    if _WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name or fallback


def _collect(part: Message, found: list[Attachment], depth: int) -> None:
    if depth > _MAX_NESTING:
        return
    content_type = part.get_content_type()
    if part.is_multipart():
        for child in part.get_payload():
            assert isinstance(child, Message)
            _collect(child, found, depth + 1)
        return
    if content_type == "message/rfc822":
        # policy.default parses the forwarded message into a sub-message we walk.
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            _collect(inner, found, depth + 1)
        return
    filename = part.get_filename()
    disposition = part.get_content_disposition()
    is_tnef = content_type in _TNEF_TYPES or (filename or "").lower() == "winmail.dat"
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return
    if is_tnef:
        unpacked = _tnef_attachments(data)
        if unpacked is not None:
            found.extend(unpacked)
            return
    if disposition == "attachment" or filename:
        guessed = mimetypes.guess_type(filename or "")[0]
        if content_type == "application/octet-stream" and guessed:
            content_type = guessed
        found.append(Attachment(safe_filename(filename), content_type, data))


def _tnef_attachments(data: bytes) -> list[Attachment] | None:
    """The files inside a winmail.dat; None if it is not readable TNEF."""
    from tnefparse import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError) as exc:
        log.warning("winmail.dat could not be read as TNEF: %s", exc)
        return None
    result: list[Attachment] = []
    for item in tnef.attachments:
        name = _tnef_name(item)
        content = item.data if isinstance(item.data, bytes) else bytes(item.data)
        if not content:
            continue
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        result.append(Attachment(safe_filename(name), content_type, content))
    return result


def _tnef_name(item: Any) -> str:
    try:
        name = item.long_filename()
    except UnicodeDecodeError:
        # The 8.3 title is in the sender's code page, not UTF-8 as tnefparse assumes.
        name = item._name
    if isinstance(name, list):
        name = name[0] if name else ""
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError:
            name = name.decode("cp1252", errors="replace")
    return str(name).strip("\x00").strip()


def _header(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _first_address(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    for name, addr in getaddresses([value]):
        if addr:
            return (name or None), addr.lower()
    return None, None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _plain_text(msg: EmailMessage) -> str:
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    text = str(content)
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.strip()


def html_to_text(html: str) -> str:
    """Readable text from a simple HTML mail body (no scripts or styles)."""
    import html as html_lib

    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    html = re.sub(r"(?i)<br\s*/?>", "\n", html)
    html = re.sub(r"(?i)</(p|div|li|tr|h\d)>", "\n", html)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    return re.sub(r"\n{3,}", "\n\n", text)
