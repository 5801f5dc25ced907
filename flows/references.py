"""Reference codes: a short code per (cycle, board), printed in the template footer and in every
email subject, so an answer that lost its document properties can still be attributed.

Format `HBT26-KFN-Q7`: the cycle's code, the board's code, and two check characters that catch a
mistyped or invented code.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flows.model import Board, Config, Cycle

REFERENCE_RE = re.compile(r"\b([A-Z0-9]{2,8})-([A-Z0-9]{2,8})-([A-Z2-7]{2})\b")


def _check(cycle_id: str, board_id: str) -> str:
    digest = hashlib.sha256(f"{cycle_id}/{board_id}".encode()).digest()
    return base64.b32encode(digest).decode()[:2]


def reference_code(cycle: Cycle, board: Board) -> str:
    return f"{cycle.code}-{board.code}-{_check(cycle.id, board.id)}"


def find_references(text: str) -> list[str]:
    """Every well-formed reference code in `text` (not yet checked against the configuration)."""
    return [m.group(0) for m in REFERENCE_RE.finditer(text.upper())]


def resolve_reference(config: Config, code: str) -> tuple[Cycle, Board] | None:
    """The (cycle, board) a reference code stands for, or None if it is unknown or mistyped."""
    match = REFERENCE_RE.fullmatch(code.strip().upper())
    if not match:
        return None
    cycle_code, board_code, check = match.groups()
    for cycle in config.cycles.values():
        if cycle.code != cycle_code:
            continue
        for board in config.boards.values():
            if board.code == board_code and _check(cycle.id, board.id) == check:
                return cycle, board
    return None
