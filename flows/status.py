"""Where each board stands in a cycle (DESIGN.md §4 `followup status`).

`derive_status` is pure: ledger records and a day in, a `StatusReport` out. `read_status` reads
the runtime's ledger and derives, without Prefect; the CLI prints JSON or a table, and the Prefect
flow `status_flow` (in `flows.prefect_flows`) publishes it as a table artifact.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

from flows.cycles import served_cycles
from flows.ledger import Ledger
from flows.ledger.records import (
    REMINDER_KINDS,
    InboundRecord,
    OutboundRecord,
    SubmissionRecord,
)
from flows.model import Board, Config, Cycle
from flows.outbox import TEST_PLAN_PREFIX
from flows.runtime import Runtime
from flows.schedule import PLAN_KINDS, board_facts, local_date
from flows.swedish import count, long_date

BoardState = Literal["not_invited", "invited", "reminded", "overdue", "submitted", "rejected"]
STATES: Final[tuple[BoardState, ...]] = (
    "submitted",
    "rejected",
    "overdue",
    "reminded",
    "invited",
    "not_invited",
)
# Swedish labels: (singular, plural).
STATE_LABELS: Final[dict[BoardState, tuple[str, str]]] = {
    "submitted": ("inlämnad", "inlämnade"),
    "rejected": ("underkänd", "underkända"),
    "overdue": ("försenad", "försenade"),
    "reminded": ("påmind", "påminda"),
    "invited": ("inbjuden", "inbjudna"),
    "not_invited": ("ej inbjuden", "ej inbjudna"),
}


@dataclass(frozen=True)
class BoardStatus:
    id: str
    name: str
    contacts: tuple[str, ...]
    state: BoardState
    submissions: int
    last_reminder: dt.date | None
    problems: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "contacts": list(self.contacts),
            "state": self.state,
            "submissions": self.submissions,
            "last_reminder": self.last_reminder.isoformat() if self.last_reminder else None,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class StatusReport:
    cycle: str
    today: dt.date
    deadline: dt.date
    boards: tuple[BoardStatus, ...]
    quarantine: int

    def to_json(self) -> dict[str, Any]:
        """Exactly the `followup status --json` contract."""
        return {
            "cycle": self.cycle,
            "boards": [b.to_json() for b in self.boards],
            "quarantine": self.quarantine,
        }

    def count(self, state: BoardState) -> int:
        return sum(1 for b in self.boards if b.state == state)


def _real(records: Sequence[OutboundRecord]) -> list[OutboundRecord]:
    """Without the sends redirected to a test address: those never reached the board."""
    return [r for r in records if not r.plan_key.startswith(TEST_PLAN_PREFIX)]


R = TypeVar("R", OutboundRecord, SubmissionRecord, InboundRecord)


def _by_board(records: Sequence[R]) -> dict[str | None, list[R]]:
    grouped: dict[str | None, list[R]] = {}
    for record in records:
        grouped.setdefault(record.board, []).append(record)
    return grouped


def board_status(
    board: Board,
    deadline: dt.date,
    outbound: Sequence[OutboundRecord],
    submissions: Sequence[SubmissionRecord],
    inbound: Sequence[InboundRecord],
    today: dt.date,
) -> BoardStatus:
    """One board's state from the cycle's records (only messages actually sent count)."""
    real = _real(outbound)
    facts = board_facts(board.id, real, submissions, inbound, include_reserved=False)
    reminders = [
        local_date(r.sent_at)
        for r in real
        if r.board == board.id
        and r.sent_at is not None
        and r.inbound_sha is None
        and r.kind in PLAN_KINDS
        and r.kind in REMINDER_KINDS
    ]
    versions = [s for s in submissions if s.board == board.id]
    state: BoardState
    if facts.has_valid_submission:
        state = "submitted"
    elif facts.last_rejection is not None:
        state = "rejected"
    elif not facts.invited:
        state = "not_invited"
    elif today > deadline:
        state = "overdue"
    elif reminders:
        state = "reminded"
    else:
        state = "invited"
    # A rejection without a readable version (a PDF, an old .doc) counts as one problem.
    problems = versions[-1].problems if versions else int(state == "rejected")
    return BoardStatus(
        id=board.id,
        name=board.name,
        contacts=tuple(c.email for c in board.contacts),
        state=state,
        submissions=len(versions),
        last_reminder=max(reminders, default=None),
        problems=problems,
    )


def derive_status(
    config: Config,
    cycle: Cycle,
    *,
    outbound: Sequence[OutboundRecord],
    submissions: Sequence[SubmissionRecord],
    inbound: Sequence[InboundRecord],
    open_quarantine: int,
    today: dt.date,
) -> StatusReport:
    """Every board of the cycle, in configuration order, as of `today`."""
    # Each board sees only its own records: linear in the ledger, not boards × records.
    by_board_out = _by_board(_real(outbound))
    by_board_sub = _by_board(sorted(submissions, key=lambda s: (s.board or "", s.version)))
    by_board_in = _by_board(inbound)
    boards = tuple(
        board_status(
            board,
            cycle.deadline,
            by_board_out.get(board.id, []),
            by_board_sub.get(board.id, []),
            by_board_in.get(board.id, []),
            today,
        )
        for board in config.boards_in(cycle)
    )
    return StatusReport(cycle.id, today, cycle.deadline, boards, open_quarantine)


# --------------------------------------------------------------------------- output


def summary_line(report: StatusReport) -> str:
    """E.g. "14 nämnder: 5 inlämnade, 1 underkänd, 8 försenade"."""
    parts = [
        count(report.count(state), *STATE_LABELS[state]) for state in STATES if report.count(state)
    ]
    return f"{count(len(report.boards), 'nämnd', 'nämnder')}: {', '.join(parts) or 'inga'}"


def table_rows(report: StatusReport) -> list[dict[str, str | int]]:
    """One row per board with Swedish column names (the table and the Prefect artifact)."""
    return [
        {
            "Nämnd": b.name,
            "Läge": STATE_LABELS[b.state][0],
            "Inlämningar": b.submissions,
            "Senaste påminnelse": long_date(b.last_reminder) if b.last_reminder else "–",
            "Problem": b.problems,
        }
        for b in report.boards
    ]


def format_table(report: StatusReport) -> str:
    """A readable, aligned table in Swedish with the quarantine count and a summary line."""
    rows = table_rows(report)
    columns = ["Nämnd", "Läge", "Inlämningar", "Senaste påminnelse", "Problem"]
    numeric = {"Inlämningar", "Problem"}
    widths = {c: max([len(c), *(len(str(r[c])) for r in rows)]) for c in columns}

    def line(values: dict[str, Any]) -> str:
        cells = [
            str(values[c]).rjust(widths[c]) if c in numeric else str(values[c]).ljust(widths[c])
            for c in columns
        ]
        return "  ".join(cells).rstrip()

    heading = (
        f"Uppföljning {report.cycle}, läget {long_date(report.today)} "
        f"(sista svarsdag {long_date(report.deadline)})"
    )
    header = line({c: c for c in columns})
    lines = [heading, "", header, "-" * len(header), *(line(r) for r in rows), ""]
    lines.append(f"I karantän: {count(report.quarantine, 'meddelande', 'meddelanden')}")
    lines.append(summary_line(report))
    return "\n".join(lines)


def format_json(report: StatusReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False)


# --------------------------------------------------------------------------- the flow


def read_status(
    runtime: Runtime, cycle: str | None = None, today: dt.date | None = None
) -> StatusReport:
    """Each board's state in the cycle, from the ledger. Reads only; needs no Prefect."""
    current = runtime.cycle(cycle)
    return status_from_ledger(runtime.ledger, runtime.config, current, today or runtime.today())


def read_statuses(
    runtime: Runtime, cycle: str | None = None, today: dt.date | None = None
) -> list[StatusReport]:
    """The status of the cycle named (`cycle`, FOLLOWUP_CYCLE), else of every open cycle
    (`flows.cycles`; the default cycle when none is open)."""
    day = today or runtime.today()
    served = served_cycles(runtime.config, day, cycle or runtime.settings.cycle)
    return [status_from_ledger(runtime.ledger, runtime.config, c, day) for c in served]


def format_json_all(reports: Sequence[StatusReport]) -> str:
    """`status --all --json`: a list of the objects `status --json` prints."""
    return json.dumps([r.to_json() for r in reports], ensure_ascii=False)


def status_from_ledger(
    ledger: Ledger, config: Config, cycle: Cycle, today: dt.date
) -> StatusReport:
    """`derive_status` over the ledger's records of the cycle (status and the report agree)."""
    return derive_status(
        config,
        cycle,
        outbound=ledger.outbound_for(cycle.id),
        submissions=ledger.submissions(cycle.id),
        inbound=ledger.inbound(cycle.id),
        open_quarantine=len(ledger.quarantined(open_only=True)),
        today=today,
    )


def artifact_description(report: StatusReport) -> str:
    return (
        f"**{report.cycle}**, läget {long_date(report.today)}. {summary_line(report)}. "
        f"I karantän: {report.quarantine}."
    )
