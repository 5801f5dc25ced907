"""A coordinator's go-ahead for a cycle's first invitation wave (when `cycle.require_approval`).

The remind flow calls `first_wave_go_ahead` with the messages it is about to send. Asked once per
cycle: the answer is recorded in the ledger. Three ways to answer:
- in the Prefect UI: the flow run pauses with a Swedish form that shows what would be sent to
  whom; a test address (alone or with the box ticked) first receives a preview of every message
  (recorded as test sends, which never count as the real ones) and then the form comes back;
  without a test address the ticked box sends and an empty one stops the wave this time;
- `FOLLOWUP_PREAPPROVED_BY=<name>`: approved by that person without asking (CLI runs, the demo);
- neither possible (no Prefect server to resume the run from): nothing is sent, and the log says
  how to approve.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prefect.input import RunInput
from pydantic import ConfigDict, Field, field_validator

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


def _every_field_required(schema: dict[str, Any]) -> None:
    # The Prefect UI writes "(Optional)" after the title of every field that is not required;
    # each field has a default the form starts from, so each can be marked required.
    schema["required"] = list(schema.get("properties", {}))


class FirstWaveAnswer(RunInput):
    """The form a coordinator fills in to let the first wave go out.

    A test address wins: the wave goes to that address only, then the form comes back. Without
    one, the box decides: ticked sends to the boards, empty stops the wave this time.
    """

    model_config = ConfigDict(json_schema_extra=_every_field_required)

    approve: bool = Field(
        default=False,
        title="Godkänn utskicket till nämnderna",
        description=(
            "Kryssa i för att skicka till nämnderna. Lämnar du rutan tom och inte anger någon "
            "testadress skickas ingenting nu; flödet frågar igen vid nästa körning."
        ),
    )
    approved_by: str = Field(
        default="",
        title="Ditt namn",
        description="Vem som godkänner eller beställer testet (sparas i liggaren).",
        max_length=320,
    )
    test_mode_address: str = Field(
        default="",
        title="Testadress",
        description=(
            "Vill du först se utskicket? Skriv din e-postadress: alla meddelanden går då bara "
            "dit, märkta [TEST], och sedan visas formuläret igen. Lämna tomt för att inte testa."
        ),
        max_length=320,
    )

    @field_validator("test_mode_address")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not EMAIL_RE.match(value):
            raise ValueError(f"ogiltig e-postadress: {value!r}")
        return value

    @property
    def test_address(self) -> str | None:
        return self.test_mode_address or None


class AnswerKind(enum.Enum):
    TEST_FIRST = "test"
    SEND = "send"
    STOP = "stop"


def interpret(answer: FirstWaveAnswer) -> AnswerKind:
    """A test address alone (with or without the box) means "send me the test first"."""
    if answer.test_address is not None:
        return AnswerKind.TEST_FIRST
    return AnswerKind.SEND if answer.approve else AnswerKind.STOP


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


def describe_wave(
    cycle: Cycle, wave: Sequence[Planned], board_names: Mapping[str, str] | None = None
) -> str:
    """Markdown for the approval form: every message, to whom, with which attachments."""
    names = board_names or {}
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
        board = names.get(planned.board or "", planned.board or "–")
        attachments = ", ".join(_md(a.filename) for a in message.attachments) or "–"
        lines.append(
            f"| {_md(board)} | {_md(', '.join(message.to))} "
            f"| {_md(', '.join(message.cc)) or '–'} | {_md(message.subject)} | {attachments} |"
        )
    lines += [
        "",
        "**Så här svarar du:** kryssa i *Godkänn utskicket till nämnderna* och skriv ditt namn "
        "för att skicka. Vill du först se meddelandena, skriv din e-postadress under "
        "*Testadress*: då går allt bara dit och du får frågan igen. Skickar du formuläret utan "
        "kryss och utan testadress skickas ingenting nu.",
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
    cycle: Cycle,
    wave: Sequence[Planned],
    attempt: int,
    settings: Settings,
    poll: int,
    board_names: Mapping[str, str] | None,
) -> FirstWaveAnswer:
    from prefect.exceptions import FlowPauseTimeout
    from prefect.flow_runs import pause_flow_run

    # Only the description: initial values given here would replace the fields and drop their
    # Swedish titles (Prefect's `with_initial_data` re-creates each field it is given).
    form = FirstWaveAnswer.with_initial_data(description=describe_wave(cycle, wave, board_names))
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
    board_names: Mapping[str, str] | None = None,
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
        answer = _ask(cycle, wave, attempt, settings, poll_seconds, board_names)
        who = answer.approved_by.strip() or "okänd"
        kind = interpret(answer)
        if kind is AnswerKind.STOP:
            _logger().warning(
                "Första utskicket för %s skickades inte: %s lämnade formuläret utan godkännande "
                "och utan testadress. Det frågas igen vid nästa körning.",
                cycle.id,
                who,
            )
            return GoAhead(False, f"{cycle.id}: utskicket stoppades av {who}")
        if kind is AnswerKind.SEND:
            record = ledger.approve(cycle.id, who)
            _logger().info("Första utskicket för %s godkändes av %s", cycle.id, who)
            return GoAhead(True, f"{cycle.id}: godkänt av {who}", record)
        address = answer.test_mode_address
        ledger.approve(cycle.id, who, test_mode_address=address)
        sent = send_previews(ledger, mailbox, wave, address)
        _logger().info(
            "Testutskick för %s: %d %s till %s. Formuläret visas igen för det riktiga utskicket.",
            cycle.id,
            sent,
            "meddelande" if sent == 1 else "meddelanden",
            address,
        )
