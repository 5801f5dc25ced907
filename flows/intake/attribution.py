"""Whose answer is it? Document properties first, then a reference code (subject, body, the
document's footer), then the sender's address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from flows.model import Board, Config, Cycle
from flows.references import find_references, resolve_reference

Method = Literal["properties", "reference", "sender"]


@dataclass(frozen=True)
class DocumentEvidence:
    """What one Word attachment says about itself."""

    board: str | None  # followup_board property
    cycle: str | None  # followup_cycle property
    footer: str = ""  # header and footer text (the printed reference code)


@dataclass(frozen=True)
class Attribution:
    cycle: Cycle
    board: Board
    method: Method


def boards_of_sender(config: Config, sender: str | None) -> list[Board]:
    """Every board whose contacts (primary, secretary, escalation) include `sender`."""
    if not sender:
        return []
    address = sender.lower()
    return [b for b in config.boards.values() if address in b.all_emails]


def _from_properties(config: Config, doc: DocumentEvidence) -> Attribution | None:
    if doc.board in config.boards and doc.cycle in config.cycles:
        return Attribution(config.cycles[doc.cycle], config.boards[doc.board], "properties")
    return None


def _from_reference(config: Config, texts: Sequence[str]) -> Attribution | None:
    for text in texts:
        for code in find_references(text):
            resolved = resolve_reference(config, code)
            if resolved is not None:
                return Attribution(resolved[0], resolved[1], "reference")
    return None


def attribute(
    config: Config,
    *,
    current: Cycle,
    documents: Sequence[DocumentEvidence],
    subject: str,
    body: str,
    sender: str | None,
    open_cycles: Sequence[Cycle] = (),
) -> Attribution | None:
    """The board and cycle an inbound message answers for, or None if nothing tells.

    By the sender alone only when exactly one of the served cycles (`open_cycles`, default just
    `current`) has exactly one board of that sender: a board in two open cycles must say which."""
    for doc in documents:
        found = _from_properties(config, doc)
        if found is not None:
            return found
    found = _from_reference(config, [*(d.footer for d in documents), subject, body])
    if found is not None:
        return found
    serving = list(open_cycles) or [current]
    candidates = [
        (cycle, board)
        for cycle in serving
        for board in boards_of_sender(config, sender)
        if board in config.boards_in(cycle)
    ]
    if len(candidates) == 1:
        return Attribution(candidates[0][0], candidates[0][1], "sender")
    return None
