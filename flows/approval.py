"""A coordinator's go-ahead for a cycle's first invitation wave (when `cycle.require_approval`).

The remind flow calls `first_wave_go_ahead` with the messages it is about to send. Asked once per
cycle: the answer is recorded in the ledger. Three ways to answer:
- in the Prefect UI: the flow run pauses with a form that shows what would be sent to whom;
  the coordinator approves, rejects, or gives a test address that first receives a preview of
  every message (recorded as test sends, which never count as the real ones; then the form
  comes back for the real go-ahead);
- `FOLLOWUP_PREAPPROVED_BY=<name>`: approved by that person without asking (CLI runs, the demo);
- neither possible (no Prefect server to resume the run from): nothing is sent, and the log says
  how to approve.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from prefect.input import RunInput
from pydantic import Field, field_validator

from flows.ledger import ApprovalRecord, Ledger, outbound_key
from flows.mail.port import Mailbox
from flows.model import EMAIL_RE, Cycle
from flows.outbox import (
    Planned,
    domain_of,
    in_test_mode,
    message_id_for,
    reserve,
    send_reserved,
)
from flows.settings import Settings
from flows.swedish import count, long_date

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 10
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


class FirstWaveAnswer(RunInput):
    """The form a coordinator fills in to let the first wave go out."""

    approve: bool = Field(
        default=False,
        title="Godkänn utskicket",
        description="Kryssa i för att skicka. Lämna tomt för att stoppa utskicket den här gången.",
    )
    approved_by: str = Field(
        default="",
        title="Ditt namn",
        description="Vem som godkänner (sparas i liggaren).",
        max_length=320,
    )
    test_mode_address: str | None = Field(
        default=None,
        title="Testadress",
        description=(
            "Skicka först alla meddelanden till denna adress i stället, som test. Därefter "
            "frågar flödet igen innan något går till nämnderna. Tomt: skicka på riktigt."
        ),
    )

    @field_validator("test_mode_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        if not EMAIL_RE.match(value):
            raise ValueError(f"ogiltig e-postadress: {value!r}")
        return value


@dataclass(frozen=True)
class GoAhead:
    """Whether the wave may go out now, and why (Swedish, for the log)."""

    send: bool
    reason: str
    approval: ApprovalRecord | None = None


class ApprovalTimeout(RuntimeError):
    pass


# --------------------------------------------------------------------------- pure decisions


def decide_without_asking(cycle: Cycle, recorded: Sequence[ApprovalRecord]) -> GoAhead | None:
    """The answer when nobody needs to be asked; None when the coordinator must be asked.

    A test approval (one with a test address) is not the go-ahead for the boards.
    """
    if not cycle.require_approval:
        return GoAhead(True, f"{cycle.id}: godkännande krävs inte")
    real = [a for a in recorded if a.test_mode_address is None]
    if real:
        first = real[0]
        return GoAhead(True, f"{cycle.id}: godkänt av {first.approved_by}", first)
    return None


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def describe_wave(cycle: Cycle, wave: Sequence[Planned]) -> str:
    """Markdown for the approval form: every message, to whom, with which attachments."""
    lines = [
        f"## Första utskicket för {_md(cycle.id)}",
        "",
        f"{count(len(wave), 'meddelande')} väntar på godkännande. Sista svarsdag: "
        f"{long_date(cycle.deadline)}.",
        "",
        "| Nämnd | Till | Kopia | Ämne | Bilagor |",
        "|---|---|---|---|---|",
    ]
    for planned in wave:
        message = planned.message
        attachments = ", ".join(_md(a.filename) for a in message.attachments) or "–"
        lines.append(
            f"| {_md(planned.board or '–')} | {_md(', '.join(message.to))} "
            f"| {_md(', '.join(message.cc)) or '–'} | {_md(message.subject)} | {attachments} |"
        )
    lines += [
        "",
        "Godkänn för att skicka till nämnderna, eller ange en testadress för att först få "
        "alla meddelanden dit.",
    ]
    return "\n".join(lines)


def preview_of(planned: Planned, address: str) -> Planned:
    """The message redirected to a test address, under a Message-ID of its own: mailboxes deliver
    a Message-ID once, so a preview must never take the real message's."""
    test = in_test_mode(planned, address)
    key = outbound_key(
        cycle=test.cycle,
        board=test.board,
        kind=test.kind,
        plan_key=test.plan_key,
        inbound_sha=test.inbound_sha,
    )
    domain = domain_of(planned.message.message_id.strip("<>"))
    message_id = message_id_for(key, test.kind, domain)
    return dataclasses.replace(
        test, message=dataclasses.replace(test.message, message_id=message_id)
    )


def send_previews(ledger: Ledger, mailbox: Mailbox, wave: Sequence[Planned], address: str) -> int:
    """Send the wave to a test address, recorded as test sends (never counted as the real ones)."""
    sent = 0
    for planned in wave:
        _record, message = reserve(ledger, preview_of(planned, address))
        sent += send_reserved(ledger, mailbox, message)
    return sent


# --------------------------------------------------------------------------- asking


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    from prefect.context import FlowRunContext
    from prefect.logging import get_run_logger

    return get_run_logger() if FlowRunContext.get() is not None else log


def _can_pause() -> bool:
    """True inside a flow run talking to a Prefect server someone can resume it from."""
    from prefect.context import FlowRunContext
    from prefect.settings import get_current_settings

    return FlowRunContext.get() is not None and get_current_settings().api.url is not None


def _ask(
    cycle: Cycle, wave: Sequence[Planned], attempt: int, settings: Settings, poll: int
) -> FirstWaveAnswer:
    from prefect.exceptions import FlowPauseTimeout
    from prefect.flow_runs import pause_flow_run

    form = FirstWaveAnswer.with_initial_data(description=describe_wave(cycle, wave), approve=False)
    try:
        answer = pause_flow_run(
            wait_for_input=form,
            timeout=int(settings.approval_timeout_hours * 3600),
            poll_interval=poll,
            key=f"first-wave-{cycle.id}-{attempt}",
        )
    except FlowPauseTimeout:
        raise ApprovalTimeout(
            f"Första utskicket för {cycle.id} godkändes inte inom "
            f"{settings.approval_timeout_hours:g} timmar; det frågas igen vid nästa körning."
        ) from None
    return answer


def first_wave_go_ahead(
    ledger: Ledger,
    mailbox: Mailbox,
    cycle: Cycle,
    wave: Sequence[Planned],
    *,
    settings: Settings,
    poll_seconds: int = DEFAULT_POLL_SECONDS,
) -> GoAhead:
    """May the first wave go out? Asks the coordinator at most once per cycle."""
    decided = decide_without_asking(cycle, ledger.approvals(cycle.id))
    if decided is not None:
        return decided
    if settings.preapproved_by:
        record = ledger.approve(cycle.id, settings.preapproved_by)
        return GoAhead(True, f"{cycle.id}: förhandsgodkänt av {record.approved_by}", record)
    if not _can_pause():
        return GoAhead(
            False,
            f"Första utskicket för {cycle.id} väntar på godkännande. Godkänn i Prefect-"
            "gränssnittet (kör via `followup serve` eller en Prefect-server) eller sätt "
            "FOLLOWUP_PREAPPROVED_BY till ditt namn.",
        )
    attempt = 0
    while True:
        attempt += 1
        answer = _ask(cycle, wave, attempt, settings, poll_seconds)
        who = answer.approved_by.strip() or "okänd"
        if not answer.approve:
            _logger().warning("Första utskicket för %s stoppades av %s", cycle.id, who)
            return GoAhead(False, f"{cycle.id}: utskicket stoppades av {who}")
        if answer.test_mode_address is None:
            record = ledger.approve(cycle.id, who)
            _logger().info("Första utskicket för %s godkändes av %s", cycle.id, who)
            return GoAhead(True, f"{cycle.id}: godkänt av {who}", record)
        ledger.approve(cycle.id, who, test_mode_address=answer.test_mode_address)
        sent = send_previews(ledger, mailbox, wave, answer.test_mode_address)
        _logger().info("Testutskick för %s: %d meddelanden till testadressen", cycle.id, sent)
