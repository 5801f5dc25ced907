"""What the report is built from: each board's latest valid answer and where it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.ledger.records import SubmissionRecord
from flows.model import ParsedTemplate


@dataclass(frozen=True)
class Answer:
    """One board's answer as the report uses it (the latest valid submission)."""

    board: str
    parsed: ParsedTemplate
    version: int = 1
    received_at: dt.datetime | None = None
    sender: str | None = None
    filename: str = ""

    @classmethod
    def from_record(cls, record: SubmissionRecord) -> Answer:
        return cls(
            board=record.board,
            parsed=ParsedTemplate.model_validate_json(record.parsed_json),
            version=record.version,
            received_at=record.received_at,
            sender=record.sender,
            filename=record.filename,
        )
