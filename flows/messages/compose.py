"""Compose each kind of message into an `OutboundMessage`: subject with the reference code,
plain text and HTML from `templates/email/`. Pure: no I/O besides reading the templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.bodies import file_label, kinds_phrase, words_for
from flows.mail.port import Attachment, OutboundMessage
from flows.messages.environment import render_html, render_subject, render_text
from flows.messages.kinds import RequestKind
from flows.model import Board, Config, Cycle, ParsedTemplate, Problem, Strategy
from flows.references import reference_code
from flows.swedish import listing

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
AUTO_HEADERS: tuple[tuple[str, str], ...] = (
    ("Auto-Submitted", "auto-generated"),
    ("X-Auto-Response-Suppress", "All"),
)


def template_filename(config: Config, cycle: Cycle, board: Board) -> str:
    """`Uppföljning Hbtqia+-strategin 2026 – Kultur- och fritidsnämnden.docx`."""
    strategy = config.strategy_of(cycle)
    return f"Uppföljning {strategy.short_title} {cycle.year} – {file_label(board)}.docx"


def template_attachment(config: Config, cycle: Cycle, board: Board, data: bytes) -> Attachment:
    return Attachment(template_filename(config, cycle, board), DOCX_TYPE, data)


_DECISION_WORDS = {"date": "datum", "paragraph": "paragraf"}


def _what_to_fill(strategy: Strategy) -> str:
    """ "nyckeltalen, den sammanfattande analysen, behov av stöd": the template's parts after the
    activities, in the strategy's words."""
    parts = ["nyckeltalen"] if strategy.indicators else []
    parts += [s.title[:1].lower() + s.title[1:] for s in strategy.sections]
    return ", ".join(parts) if parts else "mallen"


def _base_context(config: Config, cycle: Cycle, board: Board | None) -> dict[str, Any]:
    strategy = config.strategy_of(cycle)
    values = list(strategy.status_values)
    return {
        "municipality": config.municipality,
        "coordinator": config.municipality.coordinator,
        "strategy": strategy,
        "cycle": cycle,
        "board": board,
        "body": words_for(board) if board is not None else None,
        "bodies_asked": kinds_phrase({b.kind for b in config.boards_in(cycle)}),
        "status_choices": listing(values, "eller"),
        "other_parts": _what_to_fill(strategy),
        "decision_what": listing([_DECISION_WORDS[f] for f in strategy.decision_fields]),
        "reference": reference_code(cycle, board) if board is not None else None,
        "deadline": cycle.deadline,
        "council_meeting": cycle.council_meeting,
    }


def _message(
    kind: str,
    context: dict[str, Any],
    *,
    message_id: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
    in_reply_to: str | None = None,
    reply_to: str | None = None,
) -> OutboundMessage:
    to_set = tuple(dict.fromkeys(a.lower() for a in to))
    cc_set = tuple(a for a in dict.fromkeys(c.lower() for c in cc) if a not in to_set)
    return OutboundMessage(
        message_id=message_id,
        to=to_set,
        cc=cc_set,
        subject=render_subject(kind, context),
        text=render_text(kind, context),
        html=render_html(kind, context),
        attachments=tuple(attachments),
        in_reply_to=in_reply_to,
        reply_to=reply_to,
        headers=AUTO_HEADERS,
    )


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class RequestAddressing:
    to: tuple[str, ...]
    cc: tuple[str, ...]


def request_addressing(board: Board, *, escalate: bool) -> RequestAddressing:
    """To the primary contact, the secretary in copy, the escalation contact too when due."""
    cc = [board.secretary.email]
    if escalate:
        cc.append(board.escalation.email)
    to = (board.primary.email,)
    return RequestAddressing(to=to, cc=tuple(c for c in dict.fromkeys(cc) if c not in to))


def compose_request(
    config: Config,
    cycle: Cycle,
    board: Board,
    kind: RequestKind,
    *,
    today: dt.date,
    message_id: str,
    escalate: bool = False,
    template: Attachment | None = None,
    problems: Sequence[Problem] = (),
) -> OutboundMessage:
    """An invitation, reminder, deadline-day or overdue reminder, or a request to resubmit."""
    addressing = request_addressing(board, escalate=escalate)
    context = _base_context(config, cycle, board)
    context.update(
        kind=kind,
        today=today,
        days_left=(cycle.deadline - today).days,
        days_overdue=max(0, (today - cycle.deadline).days),
        escalate=escalate,
        escalation=board.escalation,
        attachment_name=template.filename if template is not None else None,
        problems=[p for p in problems if p.level == "error"],
    )
    return _message(
        kind,
        context,
        message_id=message_id,
        to=addressing.to,
        cc=addressing.cc,
        attachments=(template,) if template is not None else (),
        reply_to=config.municipality.mailbox,
    )


# --------------------------------------------------------------------------- replies


@dataclass(frozen=True)
class AreaSummary:
    number: int
    heading: str  # "Strategiområde 2"
    title: str
    goal: str
    activities: list[dict[str, str]]
    counts: dict[str, int]


def summarize_areas(config: Config, cycle: Cycle, parsed: ParsedTemplate) -> list[AreaSummary]:
    """Activities per strategy area, with the number of activities per status."""
    strategy = config.strategy_of(cycle)
    numbers = sorted({a.number for a in strategy.areas} | {a.area for a in parsed.activities})
    result = []
    for number in numbers:
        area = strategy.area(number)
        rows = [a for a in parsed.activities if a.area == number]
        counts: dict[str, int] = {
            s: sum(1 for r in rows if r.status == s) for s in strategy.status_values
        }
        missing = sum(1 for r in rows if r.status is None)
        if missing:
            counts["Status saknas"] = missing
        result.append(
            AreaSummary(
                number=number,
                heading=strategy.area_heading(number),
                title=area.title if area else "",
                goal=area.goal if area else "",
                activities=[
                    {
                        "nr": r.nr or "–",
                        "activity": r.activity,
                        "status": r.status or (r.status_text or "Status saknas"),
                    }
                    for r in rows
                ],
                counts={k: v for k, v in counts.items() if v},
            )
        )
    return result


def compose_receipt(
    config: Config,
    cycle: Cycle,
    board: Board,
    parsed: ParsedTemplate,
    *,
    to: str,
    message_id: str,
    in_reply_to: str | None,
    version: int,
    filename: str,
    received: dt.date,
) -> OutboundMessage:
    """What was read: activities per area with status, key figures, warnings."""
    context = _base_context(config, cycle, board)
    context.update(
        areas=summarize_areas(config, cycle, parsed),
        activity_count=len(parsed.activities),
        indicators=parsed.indicators,
        texts=parsed.texts,
        decision=parsed.decision,
        warnings=parsed.warnings,
        version=version,
        filename=filename,
        received=received,
    )
    return _message(
        "receipt",
        context,
        message_id=message_id,
        to=(to,),
        in_reply_to=in_reply_to,
        reply_to=config.municipality.mailbox,
    )


def compose_rejection(
    config: Config,
    cycle: Cycle,
    board: Board | None,
    problems: Sequence[Problem],
    *,
    to: str,
    message_id: str,
    in_reply_to: str | None,
    filename: str | None,
) -> OutboundMessage:
    """What is wrong and exactly what to fix; the board's template is not re-attached here."""
    context = _base_context(config, cycle, board)
    context.update(
        errors=[p for p in problems if p.level == "error"],
        warnings=[p for p in problems if p.level == "warning"],
        filename=filename,
    )
    return _message(
        "rejection",
        context,
        message_id=message_id,
        to=(to,),
        in_reply_to=in_reply_to,
        reply_to=config.municipality.mailbox,
    )


def compose_no_attachment(
    config: Config,
    cycle: Cycle,
    board: Board | None,
    *,
    to: str,
    message_id: str,
    in_reply_to: str | None,
) -> OutboundMessage:
    """A short, helpful reply to a message without a Word file."""
    context = _base_context(config, cycle, board)
    return _message(
        "no_attachment_reply",
        context,
        message_id=message_id,
        to=(to,),
        in_reply_to=in_reply_to,
        reply_to=config.municipality.mailbox,
    )


def compose_quarantine_notice(
    config: Config,
    cycle: Cycle,
    *,
    message_id: str,
    sender: str | None,
    subject: str,
    received: str | None,
    reason: str,
    archive_sha: str,
    board: Board | None = None,
) -> OutboundMessage:
    """Tell the coordinator that a message waits in quarantine, and why."""
    context = _base_context(config, cycle, board)
    context.update(
        sender=sender or "(okänd avsändare)",
        original_subject=subject or "(utan ämnesrad)",
        received=received or "",
        reason=reason,
        archive_sha=archive_sha,
    )
    return _message(
        "quarantine_notice",
        context,
        message_id=message_id,
        to=(config.municipality.coordinator.email,),
    )


def compose_version_notice(
    config: Config,
    cycle: Cycle,
    board: Board,
    *,
    message_id: str,
    sender: str,
    received: dt.date,
    version: int,
    filename: str,
) -> OutboundMessage:
    """Tell every contact of the board that a new version of its answer arrived, and from whom,
    so an answer someone else sent in the board's name does not go unnoticed."""
    context = _base_context(config, cycle, board)
    context.update(sender=sender, received=received, version=version, filename=filename)
    contacts = sorted(board.all_emails)
    return _message(
        "version_notice",
        context,
        message_id=message_id,
        to=contacts,
        reply_to=config.municipality.coordinator.email,
    )


def compose_unauthenticated_reply(
    config: Config,
    cycle: Cycle,
    board: Board,
    *,
    to: str,
    message_id: str,
    in_reply_to: str | None,
) -> OutboundMessage:
    """Tell a board contact that its answer does not count: the sender was not verified."""
    context = _base_context(config, cycle, board)
    context.update(sender=to)
    return _message(
        "unauthenticated_reply",
        context,
        message_id=message_id,
        to=(to,),
        in_reply_to=in_reply_to,
        reply_to=config.municipality.coordinator.email,
    )


def compose_report_delivery(
    config: Config,
    cycle: Cycle,
    *,
    message_id: str,
    attachments: Sequence[Attachment],
    reported: int,
    boards: int,
    missing: Sequence[str],
) -> OutboundMessage:
    """The compiled documents, to the coordinator, as attachments."""
    context = _base_context(config, cycle, None)
    context.update(
        reported=reported,
        boards=boards,
        missing=list(missing),
        files=[a.filename for a in attachments],
    )
    return _message(
        "report_delivery",
        context,
        message_id=message_id,
        to=(config.municipality.coordinator.email,),
        attachments=attachments,
    )
