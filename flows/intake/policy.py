"""Who may submit for a board: its contacts and the coordinator; anyone else goes to quarantine."""

from __future__ import annotations

from flows.model import Board, Config


def may_submit(config: Config, board: Board, sender: str | None) -> bool:
    if not sender:
        return False
    address = sender.lower()
    return address in board.all_emails or address == config.municipality.coordinator.email


def own_addresses(config: Config, mailbox_address: str) -> set[str]:
    """Addresses that are the system itself: never answered."""
    return {config.municipality.mailbox.lower(), mailbox_address.lower()}
