"""What the report is built from: each board's latest valid answer and where it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class ReportInput:
    """Everything the report needs besides the configuration.

    `states` is each board's state (flows.status: not_invited, invited, reminded, overdue,
    submitted, rejected) for the appendix and the status table; boards missing from it count as
    `submitted` when they have an answer and `not_invited` otherwise.
    """

    cycle: str
    answers: list[Answer]
    previous: list[Answer] = field(default_factory=list)
    states: Mapping[str, str] = field(default_factory=dict)
    report_date: dt.date | None = None
