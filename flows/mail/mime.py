"""RFC 5322 messages: build what we send, read what arrives (envelope, body, attachments).

Pure functions over bytes; every adapter and the collect flow share them. Reading is bounded
(`flows.untrusted.limits`): the header block, the number of MIME parts and their nesting are
checked on the raw bytes before `email` parses them, every header value is cut to a sane length
before the header parser sees it, and a header the parser cannot handle is read as raw text
instead of raising. winmail.dat is unpacked in a child process (`flows.untrusted.tnef`).
"""

from __future__ import annotations

import email.errors
import email.policy
import logging
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, parsedate_to_datetime

from flows.mail.port import Attachment, OutboundMessage
from flows.untrusted import tnef
from flows.untrusted.limits import LIMITS, LimitExceeded, Limits
from flows.untrusted.mime_bounds import check_raw
from flows.untrusted.text import strip_bidi

log = logging.getLogger(__name__)

_POLICY = email.policy.SMTP.clone(max_line_length=998)
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


def parse(raw: bytes, limits: Limits = LIMITS) -> EmailMessage:
    """The parsed message; raises LimitExceeded when its raw structure is over the limits."""
    check_raw(raw, limits)
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


def parse_envelope(raw: bytes, limits: Limits = LIMITS) -> Envelope:
    """Sender, recipients, subject, ids, date and plain-text body of a raw message."""
    msg = parse(raw, limits)
    sender_name, sender = _first_address(_header(msg, "From"))
    to = tuple(addr.lower() for _, addr in _addresses(_header(msg, "To")) if addr)
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


_MSG_ID = re.compile(r"<[^<>\s@\x00-\x1f\x7f]{1,250}@[^<>\s@\x00-\x1f\x7f]{1,250}>")


def valid_message_id(value: str | None) -> str | None:
    """`value` if it is one well-formed `<left@right>` msg-id (RFC 5322 3.6.4), else None: what a
    reply may put in In-Reply-To without the header folding or the recipient choking."""
    if not value:
        return None
    value = value.strip()
    return value if _MSG_ID.fullmatch(value) else None


def parse_envelope_headers(raw: bytes, limits: Limits = LIMITS) -> dict[str, str]:
    """Only the headers (cheap): lower-case name → first value."""
    check_raw(raw, limits, headers_only=True)
    headers = BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)
    result: dict[str, str] = {}
    for name, _value in headers.raw_items():
        key = str(name).lower()
        if key not in result:
            result[key] = _header(headers, key, limits) or ""
    return result


def extract_attachments(raw: bytes, limits: Limits = LIMITS) -> list[Attachment]:
    """Every attached file, also inside forwarded messages (nested) and winmail.dat (TNEF).
    Raises LimitExceeded when the message nests too deep or has too many parts."""
    found: list[Attachment] = []
    _Walk(limits, found).visit(parse(raw, limits), depth=0)
    return found


def safe_filename(name: str | None, *, fallback: str = "bilaga") -> str:
    """A file name that is only a name: no directories, control characters or reserved names."""
    if not name:
        return fallback
    name = strip_bidi(unicodedata.normalize("NFC", name))
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


class _Walk:
    """The MIME tree, depth first, counting parts and nesting against the limits."""

    def __init__(self, limits: Limits, found: list[Attachment]) -> None:
        self.limits = limits
        self.found = found
        self.parts = 0

    def visit(self, part: Message, depth: int) -> None:
        self.parts += 1
        if self.parts > self.limits.mime_parts:
            raise LimitExceeded(f"meddelandet har fler än {self.limits.mime_parts} delar")
        if depth > self.limits.mime_depth:
            raise LimitExceeded("meddelandet är nästlat i för många nivåer")
        content_type = part.get_content_type()
        if part.is_multipart():
            for child in part.get_payload():
                assert isinstance(child, Message)
                self.visit(child, depth + 1)
            return
        if content_type == "message/rfc822":
            # policy.default parses the forwarded message into a sub-message we walk.
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                self.visit(inner, depth + 1)
            return
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        is_tnef = content_type in _TNEF_TYPES or (filename or "").lower() == "winmail.dat"
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return
        if is_tnef:
            unpacked = _tnef_attachments(data, self.limits)
            if unpacked is not None:
                self.add(unpacked)
                return
        if disposition == "attachment" or filename:
            guessed = mimetypes.guess_type(filename or "")[0]
            if content_type == "application/octet-stream" and guessed:
                content_type = guessed
            self.add([Attachment(safe_filename(filename), content_type, data)])

    def add(self, attachments: list[Attachment]) -> None:
        self.found.extend(attachments)
        # Counted generously (a reply will say so), but not without end.
        if len(self.found) > max(self.limits.attachments * 5, self.limits.tnef_attachments):
            raise LimitExceeded(f"meddelandet har fler än {len(self.found) - 1} bilagor")


def _tnef_attachments(data: bytes, limits: Limits) -> list[Attachment] | None:
    """The files inside a winmail.dat; None if it is not readable TNEF."""
    try:
        files = tnef.unpack(data, limits)
    except tnef.NotTnef:
        log.warning("winmail.dat could not be read as TNEF")
        return None
    result: list[Attachment] = []
    for name, content in files:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        result.append(Attachment(safe_filename(name), content_type, content))
    return result


def _header(msg: Message, name: str, limits: Limits = LIMITS) -> str | None:
    """The first `name` header as text: decoded by the header registry from a value cut to a
    sane length, or decoded leniently when the registry cannot parse it (it raises on
    `Message-ID: <>..` and similar)."""
    raw = next((v for k, v in msg.raw_items() if str(k).lower() == name.lower()), None)
    if raw is None:
        return None
    # Unfold (RFC 5322 2.2.3): a line break before whitespace is not part of the value.
    value = re.sub(r"\r?\n(?=[ \t])", "", str(raw))[: limits.header_value_chars]
    try:
        text = str(msg.policy.header_factory(name, value))  # type: ignore[attr-defined]
    except Exception:  # the registry's parsers raise many kinds on hostile input
        text = _lenient(value)
    text = strip_bidi(text.replace("\r", " ").replace("\n", " ")).strip()
    return text or None


def _lenient(value: str) -> str:
    """A header value decoded without the header registry (RFC 2047 words where valid)."""
    from email.header import decode_header, make_header

    unfolded = re.sub(r"\r?\n[ \t]", " ", value)
    try:
        return str(make_header(decode_header(unfolded)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        return unfolded


def _addresses(value: str | None) -> list[tuple[str, str]]:
    if not value:
        return []
    try:
        return getaddresses([value])
    except Exception:  # getaddresses is strict=True since 3.11.x and may raise on odd input
        return []


def _first_address(value: str | None) -> tuple[str | None, str | None]:
    for name, addr in _addresses(value):
        if addr:
            return (name or None), addr.lower()
    return None, None


def first_address(value: str | None) -> tuple[str | None, str | None]:
    """(display name, lower-case address) of the first address in a header value."""
    return _first_address(value)


def header_date(value: str | None) -> datetime | None:
    """A Date header's moment, None when it cannot be read."""
    return _date(value)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value[:200])
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # A zone-less Date ("-0000") is UTC by RFC 5322 3.3; the ledger needs aware datetimes.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    return strip_bidi(text).strip()


def html_to_text(html: str) -> str:
    """Readable text from a simple HTML mail body (no scripts or styles)."""
    import html as html_lib

    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    html = re.sub(r"(?i)<br\s*/?>", "\n", html)
    html = re.sub(r"(?i)</(p|div|li|tr|h\d)>", "\n", html)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
    return re.sub(r"\n{3,}", "\n\n", text)
