"""Choose the Mailbox adapter from the settings (`FOLLOWUP_TRANSPORT`)."""

from __future__ import annotations

from flows.mail.port import Mailbox, MailError
from flows.settings import Settings


def open_mailbox(settings: Settings) -> Mailbox:
    """The configured mailbox. Adapters import their client library only when chosen."""
    if settings.transport == "maildir":
        from flows.mail.maildir import MaildirMailbox

        return MaildirMailbox(settings.mail_dir)
    if settings.transport == "ews":
        from flows.mail.ews import EwsMailbox

        return EwsMailbox()
    if settings.transport == "graph":
        from flows.mail.graph import open_graph_mailbox

        return open_graph_mailbox()
    raise MailError(f"Okänd e-posttransport: {settings.transport!r}.", transient=False)
