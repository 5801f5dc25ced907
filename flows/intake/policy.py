"""Who may submit for a board: its contacts, and the coordinator only for a message that names
the board's reference code; anyone else goes to quarantine."""

from __future__ import annotations

from flows.model import Board, Config


def may_submit(
    config: Config, board: Board, sender: str | None, *, names_board: bool = False
) -> bool:
    """`names_board`: the message's subject or body carries this board's reference code."""
    if not sender:
        return False
    address = sender.lower()
    if address in board.all_emails:
        return True
    return address == config.municipality.coordinator.email and names_board


def own_addresses(config: Config, mailbox_address: str) -> set[str]:
    """Addresses that are the system itself: never answered."""
    return {config.municipality.mailbox.lower(), mailbox_address.lower()}
