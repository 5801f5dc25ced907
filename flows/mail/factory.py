"""Choose the Mailbox adapter from the settings (`FOLLOWUP_TRANSPORT`)."""

from __future__ import annotations

from flows.mail.port import Mailbox, MailError
from flows.settings import Settings


def open_mailbox(settings: Settings, *, address: str | None = None) -> Mailbox:
    """The configured mailbox. Adapters import their client library only when chosen.

    `address` (the municipality's mailbox from the config) is the sender of the local Maildir;
    Exchange and Graph use the address configured for their mailbox.
    """
    if settings.transport == "maildir":
        from flows.mail.maildir import DEFAULT_ADDRESS, MaildirMailbox

        return MaildirMailbox(settings.mail_dir, address=address or DEFAULT_ADDRESS)
    if settings.transport == "ews":
        from flows.mail.ews import EwsMailbox

        return EwsMailbox(concurrency=settings.send_concurrency)
    if settings.transport == "graph":
        from flows.mail.graph import open_graph_mailbox

        return open_graph_mailbox()
    raise MailError(f"Okänd e-posttransport: {settings.transport!r}.", transient=False)
