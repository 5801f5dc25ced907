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
from flows.runtime import Runtime, use_runtime
from flows.settings import Settings
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

FLOW_SETTINGS: dict[str, Any] = {
    "preapproved_by": "Sara Lindqvist",
    "send_concurrency": 4,
    "cycle": CYCLE,
}


@contextmanager
def flow_runtime(data: Path, extra: Mapping[str, str] | None = None) -> Iterator[Runtime]:
    """A runtime on `data` for the flows run in this block. `extra` holds FOLLOWUP_ variables:
    those of `Settings` become settings; the rest configure a mail adapter (EWS, Graph), so they
    go into the environment for the block: `Settings` reads the adapter's settings from there,
    the adapter its secret."""
    from tests.conftest import CONFIG_DIR

    fields = dict(FLOW_SETTINGS, data=data, config=CONFIG_DIR)
    adapter_env: dict[str, str] = {}
    for name, value in (extra or {}).items():
        field = name.removeprefix("FOLLOWUP_").lower()
        if field in Settings.model_fields:
            fields[field] = value
        else:
            adapter_env[name] = value
    with pytest.MonkeyPatch.context() as patch:
        for name, value in adapter_env.items():
            patch.setenv(name, value)
        settings = Settings.model_validate(fields)
        with Runtime.from_settings(settings) as runtime, use_runtime(runtime):
            yield runtime


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
    from flows.prefect_flows import collect_flow, remind_flow

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
