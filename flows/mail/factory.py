"""Choose the Mailbox adapter from the settings (`FOLLOWUP_TRANSPORT`)."""

from __future__ import annotations

from flows.mail.port import Mailbox, MailError
from flows.settings import Settings


def open_mailbox(settings: Settings, *, address: str | None = None) -> Mailbox:
    """The configured mailbox. Adapters import their client library only when chosen.

    `address` (the municipality's mailbox from the config) is the sender of the local Maildir;
    Exchange and Graph use the address in their own settings (`settings.ews`, `settings.graph`).
    """
    if settings.transport == "maildir":
        from flows.mail.maildir import DEFAULT_ADDRESS, MaildirMailbox

        return MaildirMailbox(settings.mail_dir, address=address or DEFAULT_ADDRESS)
    if settings.transport == "ews":
        from flows.mail.ews import EwsMailbox

        if settings.ews is None:
            raise _unset("Exchange", "FOLLOWUP_EWS_*", "docs/exchange-server.md")
        return EwsMailbox(settings.ews, concurrency=settings.send_concurrency)
    if settings.transport == "graph":
        from flows.mail.graph import open_graph_mailbox

        if settings.graph is None:
            raise _unset("Microsoft Graph", "FOLLOWUP_GRAPH_*", "docs/exchange-online.md")
        return open_graph_mailbox(settings.graph)
    raise MailError(f"Okänd e-posttransport: {settings.transport!r}.", transient=False)


def _unset(what: str, variables: str, docs: str) -> MailError:
    # Only settings built without validation (model_copy, model_construct) get here.
    return MailError(
        f"Inställningarna för {what} saknas: sätt {variables} (se {docs}).", transient=False
    )
