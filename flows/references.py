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

# A cycle or board code: 2–8 capitals and digits with at least one capital (flows.model.CODE_RE);
# the check is two base32 characters. Not part of a longer hyphenated chain or word, so a date
# ("2017-07-24"), a phone number or "x-HBT26-KFN-Q7-y" is never taken for one.
_CODE = r"(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,8}"
REFERENCE_RE = re.compile(rf"(?<![\w-])({_CODE})-({_CODE})-([A-Z2-7]{{2}})(?![\w-])")


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
