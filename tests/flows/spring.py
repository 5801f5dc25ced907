"""Running the simulated spring: the steps, an in-process runner, the environment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from flows.mail.mime import parse_envelope
from tests.flows.scenario import (
    CYCLE,
    INVITE_DAY,
    LATE_DAY,
    REMIND_DAY,
    Answers,
    MailWorld,
    config,
    first_wave,
    ledger_snapshot,
    second_wave,
)

FLOW_ENV = {
    "FOLLOWUP_PREAPPROVED_BY": "Sara Lindqvist",
    "FOLLOWUP_SEND_RETRY_SECONDS": "0.05",
    "FOLLOWUP_SEND_RETRIES": "3",
    "FOLLOWUP_SEND_CONCURRENCY": "4",
    "FOLLOWUP_CYCLE": CYCLE,
}


@contextmanager
def flow_environment(data: Path, extra: Mapping[str, str] | None = None) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FOLLOWUP_DATA", str(data))
        from tests.conftest import CONFIG_DIR

        patch.setenv("FOLLOWUP_CONFIG", str(CONFIG_DIR))
        for name, value in {**FLOW_ENV, **dict(extra or {})}.items():
            patch.setenv(name, value)
        yield


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    kind: str  # "remind" | "collect"
    today: dt.date | None = None
    deliver: Callable[[Answers], list[bytes]] | None = None


def spring_steps() -> list[Step]:
    cfg = config()
    return [
        Step("invitations", "remind", INVITE_DAY),
        Step("first answers", "collect", deliver=lambda a: first_wave(cfg, a)),
        Step("reminders", "remind", REMIND_DAY),
        Step("late answers", "collect", deliver=lambda a: second_wave(cfg, a)),
        Step("overdue", "remind", LATE_DAY),
    ]


def run_in_process(step: Step) -> Any:
    from flows.collect import collect_flow
    from flows.remind import remind_flow

    if step.kind == "remind":
        return remind_flow(cycle=CYCLE, today=step.today)
    return collect_flow(cycle=CYCLE)


@dataclasses.dataclass
class SpringRecord:
    """What each step sent (raw messages, in the order found)."""

    sent_by_step: dict[str, list[bytes]] = dataclasses.field(default_factory=dict)
    results: dict[str, Any] = dataclasses.field(default_factory=dict)
    ledger_by_step: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def sent_until(self, step: str) -> list[bytes]:
        """Everything sent in the steps up to and including `step`."""
        found: list[bytes] = []
        for name, sent in self.sent_by_step.items():
            found.extend(sent)
            if name == step:
                break
        return found

    def sent_in(self, step: str) -> list[bytes]:
        return self.sent_by_step[step]


def run_spring(
    world: MailWorld,
    answers: Answers,
    runner: Callable[[Step], Any] = run_in_process,
    steps: list[Step] | None = None,
    ledger_url: str | None = None,
) -> SpringRecord:
    record = SpringRecord()
    seen: set[str | None] = set()
    for step in steps or spring_steps():
        if step.deliver is not None:
            for raw in step.deliver(answers):
                world.deliver(raw)
        record.results[step.name] = runner(step)
        new = [raw for raw in world.sent() if parse_envelope(raw).message_id not in seen]
        seen.update(parse_envelope(raw).message_id for raw in new)
        record.sent_by_step[step.name] = new
        if ledger_url is not None:
            record.ledger_by_step[step.name] = ledger_snapshot(ledger_url)
    return record
