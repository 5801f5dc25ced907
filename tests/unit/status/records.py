"""Ledger records for status tests, built directly: `derive_status` is pure."""

from __future__ import annotations

import datetime as dt
import hashlib

from flows.ledger import InboundRecord, OutboundRecord, SubmissionRecord

CYCLE = "hbtqia-2026"


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_ids = iter(range(1, 1_000_000))


def outbound(
    board: str,
    plan_key: str,
    kind: str,
    sent: dt.date | None,
    *,
    reserved: dt.date = dt.date(2027, 2, 3),
    inbound_sha: str | None = None,
) -> OutboundRecord:
    n = next(_ids)
    return OutboundRecord(
        id=n,
        key=f"k{n}",
        cycle=CYCLE,
        board=board,
        kind=kind,
        plan_key=plan_key,
        due_date=None,
        inbound_sha=inbound_sha,
        to=("a@ekeby.example",),
        cc=(),
        subject="Ämne",
        message_id=f"<{n}@test>",
        reserved_at=at(reserved, 7),
        sent_at=at(sent) if sent else None,
        attempts=1 if sent else 0,
        last_error=None,
    )


def submission(
    board: str, version: int, day: dt.date, *, valid: bool, errors: int = 0, warnings: int = 0
) -> SubmissionRecord:
    return SubmissionRecord(
        id=next(_ids),
        cycle=CYCLE,
        board=board,
        version=version,
        inbound_sha=sha(f"{board}-{version}"),
        part="mall.docx",
        filename="mall.docx",
        sender="a@ekeby.example",
        received_at=at(day),
        recorded_at=at(day),
        valid=valid,
        parsed_json="{}",
        errors=errors,
        warnings=warnings,
    )


def rejected_inbound(board: str, day: dt.date) -> InboundRecord:
    return InboundRecord(
        sha256=sha(f"pdf-{board}"),
        mailbox_item_id="1",
        message_id="<m@ekeby.example>",
        sender="a@ekeby.example",
        subject="Svar",
        received_at=at(day),
        stored_at=at(day),
        outcome="rejected",
        board=board,
        cycle=CYCLE,
        detail="PDF",
        processed_at=at(day),
    )
