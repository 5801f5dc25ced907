"""RFC 5322 messages built from what Exchange can still give when it cannot give MIME (pure).

Exchange fails to convert some items to MIME (`ErrorMimeContentConversionFailed`, e.g. S/MIME),
on every attempt. The item's properties and file attachments can usually still be read: the
adapters build a message from them, flagged `X-Followup-Reconstructed`. An item nothing can be
read from becomes an *unreadable entry*: a short Swedish message, flagged
`X-Followup-Unreadable`, from an address no board has, so collect quarantines it and tells the
coordinator, who opens the original in Outlook. Either way the inbound message is recorded and
the sync state never moves past a message nobody saw.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from flows.mail.mime import safe_filename
from flows.mail.port import Attachment

RECONSTRUCTED_HEADER = "X-Followup-Reconstructed"
UNREADABLE_HEADER = "X-Followup-Unreadable"
UNREADABLE_SENDER = "olasbart-meddelande@followup.invalid"


@dataclass(frozen=True)
class ItemProperties:
    """What Exchange returns for an item without its MIME content."""

    subject: str = ""
    sender: str | None = None
    sender_name: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    message_id: str | None = None
    in_reply_to: str | None = None
    sent: dt.datetime | None = None
    body: str = ""
    body_is_html: bool = False
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def _date(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment)


def reconstructed_message(properties: ItemProperties, *, reason: str) -> bytes:
    """The item as a MIME message built from its properties and file attachments."""
    message = EmailMessage(policy=SMTP)
    if properties.sender:
        name = (properties.sender_name or "").replace('"', "")
        message["From"] = f'"{name}" <{properties.sender}>' if name else properties.sender
    if properties.to:
        message["To"] = ", ".join(properties.to)
    if properties.cc:
        message["Cc"] = ", ".join(properties.cc)
    message["Subject"] = properties.subject
    if properties.sent:
        message["Date"] = _date(properties.sent)
    if properties.message_id:
        message["Message-ID"] = properties.message_id
    if properties.in_reply_to:
        message["In-Reply-To"] = properties.in_reply_to
    message[RECONSTRUCTED_HEADER] = reason
    if properties.body_is_html:
        message.set_content(properties.body, subtype="html", charset="utf-8")
    else:
        message.set_content(properties.body, charset="utf-8")
    for attachment in properties.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=safe_filename(attachment.filename),
        )
    return message.as_bytes()


def unreadable_message(
    *, mailbox: str, item_id: str, reason: str, received: dt.datetime | None
) -> bytes:
    """A stand-in for an item nothing could be read from; the same bytes for the same item, so
    a repeated fetch records it once."""
    digest = hashlib.sha256(item_id.encode()).hexdigest()[:32]
    message = EmailMessage(policy=SMTP)
    message["From"] = f'"Uppföljningen (Exchange)" <{UNREADABLE_SENDER}>'
    message["To"] = mailbox
    message["Subject"] = "Ett meddelande i inkorgen kunde inte läsas"
    if received:  # without a Date, collect uses the time it stored the message
        message["Date"] = _date(received)
    message["Message-ID"] = f"<unreadable.{digest}@followup.invalid>"
    message[UNREADABLE_HEADER] = reason
    when = f" (mottaget {_date(received)})" if received else ""
    message.set_content(
        f"Exchange kunde inte lämna ut ett meddelande i brevlådan {mailbox}{when}.\n"
        f"Orsak från Exchange: {reason}.\n\n"
        "Öppna meddelandet i Outlook, spara bilagan och lägg in den för hand, "
        "eller be avsändaren skicka svaret igen.\n\n"
        f"Exchange-id: {item_id}\n",
        charset="utf-8",
    )
    return message.as_bytes()


def attachments_in(items: Sequence[tuple[str, str, bytes]]) -> tuple[Attachment, ...]:
    """(name, content type, data) triples as attachments, names made safe."""
    return tuple(
        Attachment(safe_filename(name), content_type or "application/octet-stream", data)
        for name, content_type, data in items
    )
