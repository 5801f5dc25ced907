"""Inbound mail that Exchange handles in its own way: S/MIME-signed answers (RFC 8551)."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from tests.support.mail_samples import DOCX_TYPE


def smime_signed(
    *,
    attachment: tuple[str, bytes],
    message_id: str,
    sender: str = "sekreterare@kfn.ekeby.example",
    to: str = "uppfoljning@ekeby.example",
    subject: str = "Re: Uppföljning HBT26-KFN-Q7",
) -> bytes:
    """A signed answer as Outlook writes it: multipart/signed over the text and the file, with
    a detached signature (its bytes need not verify: Exchange fails before it checks)."""
    content = EmailMessage(policy=SMTP)
    content.set_content("Hej! Här kommer vår uppföljning, signerad.")
    name, data = attachment
    content.add_attachment(
        data, maintype="application", subtype=DOCX_TYPE.split("/")[1], filename=name
    )
    signature = EmailMessage(policy=SMTP)
    signature.set_content(
        b"0\x82\x05\x00\x06\t*\x86H\x86\xf7\r\x01\x07\x02" + bytes(range(64)),
        maintype="application",
        subtype="pkcs7-signature",
        filename="smime.p7s",
    )
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 01 Mar 2027 09:30:00 +0100"
    message["MIME-Version"] = "1.0"
    message.set_type("multipart/signed")
    message.set_param("protocol", "application/pkcs7-signature")
    message.set_param("micalg", "sha-256")
    message.attach(content)
    message.attach(signature)
    return message.as_bytes()
