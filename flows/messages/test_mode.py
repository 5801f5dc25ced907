"""Test mode: every message goes to one address instead, marked so nobody mistakes it."""

from __future__ import annotations

import html
from dataclasses import replace

from flows.mail.port import OutboundMessage

TEST_PREFIX = "[TEST]"


def redirect(message: OutboundMessage, address: str) -> OutboundMessage:
    """The same message, sent only to `address`, with the intended recipients shown in the body."""
    intended = ", ".join((*message.to, *message.cc))
    note = f"Testläge: meddelandet skulle ha skickats till {intended}."
    body_html = message.html
    if body_html is not None:
        banner = f'<p style="color:#a00"><strong>{html.escape(note)}</strong></p>'
        head, marker, rest = body_html.partition("<body>")
        body_html = f"{head}{marker}{banner}{rest}" if marker else banner + body_html
    subject = message.subject
    if not subject.startswith(TEST_PREFIX):
        subject = f"{TEST_PREFIX} {subject}"
    return replace(
        message,
        to=(address.lower(),),
        cc=(),
        subject=subject,
        text=f"{note}\n\n{message.text}",
        html=body_html,
    )
