"""Remind: send each board the message due today (invitation, reminders, overdue reminders with
escalation, a request to resubmit), each exactly once. `remind(runtime, ...)` is a plain function;
the Prefect flow `remind_flow` (in `flows.prefect_flows`) wraps it.

Who is due is `flows.schedule`'s decision; this module renders, attaches the board's template,
records each message in the ledger before sending and marks it sent after (`flows.outbox`).
A dry run reads the ledger only and never needs Prefect.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from flows.artifacts import planned_rows, send_rows
from flows.cycles import served_cycles
from flows.lease import MailboxBusy, lease_for
from flows.ledger import Ledger, OutboundRecord, outbound_key
from flows.mail.port import Mailbox
from flows.messages.compose import compose_request, template_attachment
from flows.messages.kinds import REQUEST_KINDS, RequestKind
from flows.model import Board, Config, Cycle, ParsedTemplate, Problem
from flows.outbox import (
    TEST_PLAN_PREFIX,
    Planned,
    domain_of,
    in_test_mode,
    message_id_for,
    plan_key_in_mode,
    reserve,
    send_all,
)
from flows.runtime import Runtime, run_logger
from flows.schedule import PLAN_KINDS, board_facts, due_messages, invitation_allowed
from flows.swedish import count, long_date


@dataclasses.dataclass(frozen=True)
class Task:
    """One message to (re)send today: what the plan says is due, or an unsent reservation."""

    board: Board
    kind: RequestKind
    plan_key: str
    day: dt.date  # the day it is rendered for (stable across re-runs of the same message)
    escalate: bool


def records_for_mode(
    records: Sequence[OutboundRecord], test_address: str | None
) -> list[OutboundRecord]:
    """The ledger as the plan should see it: real sends only, or (in test mode) the test
    sends as if they were real, so a test run walks through the plan like the real one would."""
    if not test_address:
        return [r for r in records if not r.plan_key.startswith(TEST_PLAN_PREFIX)]
    prefix = f"{TEST_PLAN_PREFIX}{test_address.lower()}:"
    return [
        dataclasses.replace(r, plan_key=r.plan_key.removeprefix(prefix))
        for r in records
        if r.plan_key.startswith(prefix)
    ]


def todays_tasks(
    config: Config,
    cycle: Cycle,
    today: dt.date,
    outbound: Sequence[OutboundRecord],
    facts_source: dict[str, Any],
) -> list[Task]:
    """Unsent reservations first (a crashed or failed run), then what is newly due. Pure."""
    boards = {b.id: b for b in config.boards_in(cycle)}
    tasks: list[Task] = []
    pending_boards: set[str] = set()
    for record in outbound:
        if record.sent or record.inbound_sha is not None or record.kind not in PLAN_KINDS:
            continue
        if record.board not in boards or record.kind not in REQUEST_KINDS:
            continue
        facts = facts_source[record.board]
        if facts.has_valid_submission:
            continue  # answered meanwhile: the reminder is moot
        pending_boards.add(record.board)
        tasks.append(
            Task(
                boards[record.board],
                record.kind,
                record.plan_key,
                record.due_date or today,
                record.kind == "escalation",
            )
        )
    due = due_messages(cycle.deadline, cycle.plan, facts_source, today)
    for board_id, item in due.items():
        if board_id in pending_boards:
            continue
        tasks.append(
            Task(boards[board_id], item.kind, item.key, today, item.escalate)  # type: ignore[arg-type]
        )
    tasks.sort(key=lambda t: (list(boards).index(t.board.id), t.plan_key))
    return tasks


def _last_problems(ledger: Ledger, cycle: Cycle, board: Board) -> list[Problem]:
    versions = [s for s in ledger.submissions(cycle.id, board.id) if not s.valid]
    if not versions:
        return []
    return ParsedTemplate.model_validate_json(versions[-1].parsed_json).errors


def plan_message(
    config: Config,
    cycle: Cycle,
    task: Task,
    *,
    template: bytes,
    problems: Sequence[Problem],
    test_address: str | None,
) -> Planned:
    """The message for a task, with the Message-ID its idempotency key implies."""
    key = outbound_key(
        cycle=cycle.id,
        board=task.board.id,
        kind=task.kind,
        plan_key=plan_key_in_mode(task.plan_key, test_address),
        inbound_sha=None,
    )
    message = compose_request(
        config,
        cycle,
        task.board,
        task.kind,
        today=task.day,
        message_id=message_id_for(key, task.kind, domain_of(config.municipality.mailbox)),
        escalate=task.escalate,
        template=template_attachment(config, cycle, task.board, template),
        problems=problems if task.kind == "resubmit_request" else (),
    )
    planned = Planned(
        message=message,
        kind=task.kind,
        plan_key=task.plan_key,
        cycle=cycle.id,
        board=task.board.id,
        due_date=task.day,
    )
    return in_test_mode(planned, test_address)


def _names(config: Config, cycle: Cycle) -> dict[str, str]:
    return {b.id: b.name for b in config.boards_in(cycle)}


def first_wave_approved(
    runtime: Runtime,
    mailbox: Mailbox,
    cycle: Cycle,
    invitations: Sequence[Planned],
) -> tuple[bool, str]:
    """The single call point for the coordinator's go-ahead of the first invitation wave."""
    if not invitations or runtime.test_mode_address:
        return True, "inget godkännande behövs"
    from flows.approval import first_wave_go_ahead

    names = _names(runtime.config, cycle)
    answer = first_wave_go_ahead(
        runtime.ledger, mailbox, cycle, invitations, settings=runtime.settings, board_names=names
    )
    return answer.send, answer.reason


def last_year_answers(ledger: Ledger, config: Config, cycle: Cycle) -> dict[str, ParsedTemplate]:
    """Each board's answer to the previous cycle (its latest valid submission), for the template's
    carried-forward activities."""
    if not cycle.previous or cycle.previous not in config.cycles:
        return {}
    return {
        r.board: ParsedTemplate.model_validate_json(r.parsed_json)
        for r in ledger.latest_valid_submissions(cycle.previous)
    }


def remind(
    runtime: Runtime,
    cycle: str | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Send today's invitations and reminders of the cycle named (`cycle`, FOLLOWUP_CYCLE) or of
    every open cycle (`flows.cycles`); returns counts (and, for a dry run, the list;
    `rows`, one per message, for the run's table artifact).

    One cycle gives that cycle's summary; several give the totals with `cycles`, one summary
    per cycle, and `cycle` the ids joined with "+".

    A real run reads the plan and sends under the mailbox's lease (`flows.lease`): a second
    remind or a collect on the same mailbox waits for it, or ends without sending ("busy")."""
    day = today or runtime.today()
    served = served_cycles(runtime.config, day, cycle or runtime.settings.cycle)
    if dry_run:
        summaries = [_remind(runtime, c.id, day, dry_run=True) for c in served]
    else:
        try:
            with lease_for(runtime.ledger, runtime.settings, runtime.mailbox.address):
                summaries = [_remind(runtime, c.id, day, dry_run=False) for c in served]
        except MailboxBusy as busy:
            run_logger().warning(str(busy))
            return {
                "cycle": "+".join(c.id for c in served),
                "day": day.isoformat(),
                "due": 0,
                "sent": 0,
                "failed": 0,
                "dry_run": False,
                "busy": str(busy),
            }
    return summaries[0] if len(summaries) == 1 else combined_summary(summaries)


def combined_summary(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The totals of several cycles' summaries (each kept under `cycles`)."""
    first = summaries[0]
    total: dict[str, Any] = {
        "cycle": "+".join(s["cycle"] for s in summaries),
        "day": first["day"],
        "dry_run": first["dry_run"],
        "cycles": list(summaries),
    }
    for key in ("due", "sent", "failed", "held_for_approval"):
        total[key] = sum(int(s.get(key) or 0) for s in summaries)
    total["rows"] = [r for s in summaries for r in s.get("rows", [])]
    if first["dry_run"]:
        total["messages"] = [m for s in summaries for m in s["messages"]]
    else:
        total["kinds"] = {k: sum(s["kinds"].get(k, 0) for s in summaries) for k in REQUEST_KINDS}
        total["approval"] = "; ".join(
            f"{s['cycle']}: {s['approval']}" for s in summaries if s.get("approval")
        )
    return total


def _remind(
    runtime: Runtime, cycle: str | None, today: dt.date | None, *, dry_run: bool
) -> dict[str, Any]:
    logger = run_logger()
    config = runtime.config
    current = runtime.cycle(cycle)
    day = today or runtime.today()
    test_address = runtime.test_mode_address
    settings = runtime.settings
    from flows.documents.template import build_template

    ledger = runtime.ledger
    outbound = records_for_mode(ledger.outbound_for(current.id), test_address)
    submissions = ledger.submissions(current.id)
    inbound = ledger.inbound(current.id)
    facts = {
        b.id: board_facts(b.id, outbound, submissions, inbound) for b in config.boards_in(current)
    }
    tasks = todays_tasks(config, current, day, outbound, facts)
    last_year = last_year_answers(ledger, config, current) if tasks else {}
    planned = [
        plan_message(
            config,
            current,
            t,
            template=build_template(config, current, t.board, last_year.get(t.board.id)),
            problems=_last_problems(ledger, current, t.board)
            if t.kind == "resubmit_request"
            else (),
            test_address=test_address,
        )
        for t in tasks
    ]
    if dry_run:
        lines = [
            f"{p.board}: {p.kind} till {', '.join(p.message.to)}"
            + (f" (kopia {', '.join(p.message.cc)})" if p.message.cc else "")
            + f" – {p.message.subject}"
            for p in planned
        ]
        logger.info(
            "Provkörning %s, %s: %d meddelanden skulle skickas", day, current.id, len(planned)
        )
        return {
            "cycle": current.id,
            "day": day.isoformat(),
            "due": len(planned),
            "sent": 0,
            "dry_run": True,
            "messages": lines,
            "rows": planned_rows(planned, _names(config, current)),
        }

    mailbox = runtime.mailbox
    invitations = [p for p in planned if p.kind == "invitation"]
    asked_on = runtime.today()
    approved, reason = first_wave_approved(runtime, mailbox, current, invitations)
    held = 0
    waited = runtime.today() - asked_on  # an approval can take past midnight
    if approved and invitations and not invitation_allowed(current, day + waited):
        approved = False
        reason = (
            f"sista svarsdagen {long_date(current.deadline)} passerade medan utskicket väntade "
            "på godkännande; sätt late_invitation: true i cykelns plan för en sen inbjudan"
        )
    if not approved:
        logger.warning("Inbjudningarna skickas inte: %s", reason)
        held = len(invitations)
        planned = [p for p in planned if p.kind != "invitation"]

    reserved = [(p, reserve(ledger, p)) for p in planned]
    to_send = [(p, message) for p, (record, message) in reserved if not record.sent]
    results = send_all(
        ledger,
        mailbox,
        to_send,
        concurrency=settings.send_concurrency,
    )
    # A deferred message (the mail server asks us to slow down, or has not yet said whether a
    # send went through) is not a fault: it waits, reserved, for the next run.
    deferred = [r for r in results if r.error and r.deferred]
    failed = [r for r in results if r.error and not r.deferred]
    sent = sum(1 for r in results if r.sent_now)
    logger.info(
        "%s, %s: %d meddelanden skickade, %d väntar, %d fel",
        day.isoformat(),
        current.id,
        sent,
        len(deferred),
        len(failed),
    )
    for r in deferred:
        logger.warning(
            "%s (%s) väntar till nästa körning: %s", r.planned.kind, r.planned.board, r.error
        )
    for r in failed:
        logger.error("%s (%s) kunde inte skickas: %s", r.planned.kind, r.planned.board, r.error)
    summary = {
        "day": day.isoformat(),
        "due": len(planned),
        "sent": sent,
        "failed": len(failed),
        "deferred": len(deferred),
        "dry_run": False,
        "kinds": {
            k: sum(1 for r in results if r.planned.kind == k and r.sent_now) for k in REQUEST_KINDS
        },
        "approval": reason if invitations else None,
        "held_for_approval": held,
        "cycle": current.id,
        "rows": send_rows(results, _names(config, current)),
    }
    return summary


def raise_if_incomplete(summary: dict[str, Any]) -> None:
    """Messages left unsent after the retries make the run incomplete; the next run sends them."""
    if summary.get("failed"):
        raise RemindIncomplete(
            f"{count(summary['failed'], 'meddelande')} kunde inte skickas; "
            "de skickas vid nästa körning."
        )


class RemindIncomplete(RuntimeError):
    """Some messages stayed unsent after the retries; the next run sends them."""
