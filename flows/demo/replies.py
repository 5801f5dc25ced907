"""What a simulated board sends back: an RFC 5322 reply with its files attached, as a mail
client would write it into the mailbox."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Sequence
from email.message import EmailMessage

from flows.model import Board, Municipality

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def board_reply(
    board: Board,
    municipality: Municipality,
    *,
    subject: str,
    text: str,
    attachments: Sequence[tuple[str, str, bytes]],
    sent_at: dt.datetime,
    in_reply_to: str | None = None,
    message_number: int = 1,
) -> bytes:
    """The board's primary contact replies with `attachments` as (filename, content type, data)."""
    message = EmailMessage()
    message["From"] = email.utils.formataddr((board.primary.name, board.primary.email))
    message["To"] = municipality.mailbox
    message["Cc"] = board.secretary.email
    message["Subject"] = subject if subject.lower().startswith("sv:") else f"SV: {subject}"
    message["Date"] = email.utils.format_datetime(sent_at)
    domain = board.primary.email.rpartition("@")[2]
    message["Message-ID"] = f"<{board.code.lower()}.{message_number}.{sent_at:%Y%m%d}@{domain}>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
