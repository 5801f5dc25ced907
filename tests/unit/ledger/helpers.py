"""Small builders shared by the ledger tests."""

from __future__ import annotations

import datetime as dt
import hashlib

from flows.model import ParsedTemplate, Problem

T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def parsed(errors: int = 0, warnings: int = 0, board: str = "kfn") -> ParsedTemplate:
    problems = [Problem(level="error", code="e", message="fel") for _ in range(errors)] + [
        Problem(level="warning", code="w", message="varning") for _ in range(warnings)
    ]
    return ParsedTemplate(file="svar.docx", board=board, cycle="hbtqia-2026", problems=problems)
