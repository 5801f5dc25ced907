"""The deployments: one per flow, with the form the Prefect UI shows for its parameters and the
schedules derived from the cycle configuration (all in Europe/Stockholm).

`prefect.yaml` declares the same deployments for `prefect deploy` with static cron schedules;
`followup serve` builds them here with each cycle's exact windows (docs/operations.md).
The window arithmetic is pure; only `build_deployments` touches Prefect.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flows.model import Config, Cycle
from flows.schedule import is_send_day

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.schedules import Schedule

TIMEZONE = "Europe/Stockholm"
WORK_POOL = "followup"
# Runs that use the mailbox (remind, collect) share one work queue with concurrency limit 1, so
# two of them never work the same mailbox at once, whichever worker picks them up.
MAILBOX_QUEUE = "mailbox"
MAILBOX_QUEUE_LIMIT = 1
OTHER_QUEUE = "default"

REMIND_AT = dt.time(7, 30)
COLLECT_FROM_HOUR = 7
COLLECT_UNTIL_HOUR = 17  # the last poll of the day is at 17:45
COLLECT_EVERY_MINUTES = 15
COMPILE_AT = dt.time(6, 0)
# The status table in the UI is refreshed every working hour while a cycle collects answers,
# five minutes past the hour (between collect's quarter-hour polls).
STATUS_FROM_HOUR = 7
STATUS_UNTIL_HOUR = 17
STATUS_MINUTE = 5
# The remind flow decides itself which day a message is due (holidays move it); the window is a
# little wider than the plan so a message moved to the next working day still gets a run.
WINDOW_SLACK_DAYS = 7


# --------------------------------------------------------------------------- parameter forms


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RemindParameters(_Parameters):
    """Skicka dagens inbjudningar och påminnelser."""

    cycle: str | None = Field(
        default=None,
        title="Uppföljning",
        description="Vilken uppföljning det gäller. Förvald: standardcykeln i konfigurationen.",
    )
    today: dt.date | None = Field(
        default=None,
        title="Dag",
        description="Räkna som om det vore denna dag. Tomt: i dag.",
    )
    dry_run: bool = Field(
        default=False,
        title="Provkörning",
        description="Visa vad som skulle skickas, utan att skicka något.",
    )


class CollectParameters(_Parameters):
    """Hämta och behandla inkomna svar."""

    cycle: str | None = Field(
        default=None,
        title="Uppföljning",
        description="Vilken uppföljning det gäller. Förvald: standardcykeln i konfigurationen.",
    )


class CompileParameters(_Parameters):
    """Sammanställ uppföljningen (Word, PDF och Excel)."""

    # No file path here (the CLI has --out): the documents go to the data directory, are
    # emailed to the coordinator and linked from the run's artifact; a path typed in a browser
    # would be one on the worker's machine.
    cycle: str | None = Field(
        default=None,
        title="Uppföljning",
        description="Vilken uppföljning det gäller. Förvald: standardcykeln i konfigurationen.",
    )
    today: dt.date | None = Field(
        default=None,
        title="Dag",
        description="Rapportens datum och dagen nämndernas läge avser. Tomt: cykelns compile_on.",
    )


class StatusParameters(_Parameters):
    """Visa läget per nämnd."""

    cycle: str | None = Field(
        default=None,
        title="Uppföljning",
        description="Vilken uppföljning det gäller. Förvald: standardcykeln i konfigurationen.",
    )
    today: dt.date | None = Field(
        default=None, title="Dag", description="Läget som det var denna dag. Tomt: i dag."
    )


def parameter_schema(
    model: type[BaseModel], cycle_ids: list[str], default_cycle: str | None = None
) -> dict[str, Any]:
    """The OpenAPI schema of a parameter model, as Prefect stores it for a deployment's form.

    The cycle field becomes a dropdown of the configured cycles, starting at the default one.
    The Prefect UI writes "(Optional)" after every field not listed as required and offers a type
    switch ("str / None") for nullable ones: fields with a real default are listed as required
    (the form starts from the default), and a nullable field shows only its real type (left
    empty, the flow gets its default).
    """
    schema = model.model_json_schema()
    properties: dict[str, Any] = schema.get("properties", {})
    required: list[str] = list(schema.get("required", []))
    for position, (name, prop) in enumerate(properties.items()):
        prop["position"] = position
        alternatives = [a for a in prop.pop("anyOf", []) if a.get("type") != "null"]
        if len(alternatives) == 1:
            prop.update(alternatives[0])
        elif alternatives:
            prop["anyOf"] = alternatives
        if prop.get("default") is None:
            prop.pop("default", None)
        elif name not in required:
            required.append(name)
    cycle = properties.get("cycle")
    if cycle is not None and cycle_ids:
        cycle.update(type="string", enum=sorted(cycle_ids))
        if default_cycle in cycle_ids:
            cycle["default"] = default_cycle
            if "cycle" not in required:
                required.insert(0, "cycle")
    return {
        "title": "Parameters",
        "type": "object",
        "properties": properties,
        "required": required,
        "definitions": schema.get("$defs", {}),
    }


# --------------------------------------------------------------------------- windows (pure)


@dataclass(frozen=True)
class Window:
    """Days from `first` through `last`, both included."""

    first: dt.date
    last: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


def invitation_day(cycle: Cycle) -> dt.date:
    return cycle.deadline - dt.timedelta(weeks=cycle.plan.invitation_weeks_before)


def last_reminder_day(cycle: Cycle) -> dt.date:
    plan = cycle.plan
    return cycle.deadline + dt.timedelta(days=plan.overdue_every_days * plan.max_overdue_reminders)


def reminder_window(cycle: Cycle) -> Window:
    """From the invitation through the last overdue reminder the plan allows."""
    slack = dt.timedelta(days=WINDOW_SLACK_DAYS)
    return Window(invitation_day(cycle), last_reminder_day(cycle) + slack)


def collection_window(cycle: Cycle) -> Window:
    """From the invitation through the council meeting: late answers still count until then."""
    return Window(invitation_day(cycle), cycle.council_meeting)


def compile_day(cycle: Cycle) -> dt.date | None:
    return cycle.compile_on


def non_working_days(window: Window) -> list[dt.date]:
    """Weekdays in the window that are not send days (Swedish public holidays and the eves that
    close offices); weekends are left out by the rule itself."""
    days = (
        window.first + dt.timedelta(days=n) for n in range((window.last - window.first).days + 1)
    )
    return [d for d in days if d.weekday() < 5 and not is_send_day(d)]


def _stamp(day: dt.date, at: dt.time) -> str:
    return dt.datetime.combine(day, at).strftime("%Y%m%dT%H%M%S")


def remind_rrule(window: Window) -> str:
    """Working-day mornings through the window, Swedish public holidays excluded."""
    lines = [
        f"DTSTART:{_stamp(window.first, REMIND_AT)}",
        f"RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL={_stamp(window.last, dt.time(23, 59, 59))}",
    ]
    excluded = [_stamp(d, REMIND_AT) for d in non_working_days(window)]
    if excluded:
        lines.append("EXDATE:" + ",".join(excluded))
    return "\n".join(lines)


def collect_rrule(window: Window) -> str:
    """Every 15 minutes in working hours on weekdays through the window."""
    hours = ",".join(str(h) for h in range(COLLECT_FROM_HOUR, COLLECT_UNTIL_HOUR + 1))
    minutes = ",".join(str(m) for m in range(0, 60, COLLECT_EVERY_MINUTES))
    until = _stamp(window.last, dt.time(23, 59, 59))
    return (
        f"DTSTART:{_stamp(window.first, dt.time(COLLECT_FROM_HOUR, 0))}\n"
        f"RRULE:FREQ=MINUTELY;INTERVAL={COLLECT_EVERY_MINUTES};BYDAY=MO,TU,WE,TH,FR;"
        f"BYHOUR={hours};BYMINUTE={minutes};UNTIL={until}"
    )


def status_rrule(window: Window) -> str:
    """Every working hour on weekdays through the window (holidays too: it only reads)."""
    hours = ",".join(str(h) for h in range(STATUS_FROM_HOUR, STATUS_UNTIL_HOUR + 1))
    until = _stamp(window.last, dt.time(23, 59, 59))
    start = dt.time(STATUS_FROM_HOUR, STATUS_MINUTE)
    return (
        f"DTSTART:{_stamp(window.first, start)}\n"
        f"RRULE:FREQ=HOURLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR={hours};BYMINUTE={STATUS_MINUTE};"
        f"UNTIL={until}"
    )


def compile_rrule(day: dt.date) -> str:
    """Once, early in the morning of the configured day."""
    return f"DTSTART:{_stamp(day, COMPILE_AT)}\nRRULE:FREQ=DAILY;COUNT=1"


# --------------------------------------------------------------------------- the deployments


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: the same name and entrypoint in prefect.yaml and in `followup serve`."""

    name: str
    flow_name: str
    entrypoint: str
    parameters: type[_Parameters]
    work_queue: str
    description: str


REMIND = DeploymentSpec(
    name="remind",
    flow_name="remind",
    entrypoint="flows/prefect_flows.py:remind_flow",
    parameters=RemindParameters,
    work_queue=MAILBOX_QUEUE,
    description="Inbjudningar och påminnelser: arbetsdagar på morgonen under påminnelseperioden.",
)
COLLECT = DeploymentSpec(
    name="collect",
    flow_name="collect",
    entrypoint="flows/prefect_flows.py:collect_flow",
    parameters=CollectParameters,
    work_queue=MAILBOX_QUEUE,
    description="Hämtar svaren: var 15:e minut under arbetstid under insamlingsperioden.",
)
COMPILE = DeploymentSpec(
    name="compile",
    flow_name="compile",
    entrypoint="flows/prefect_flows.py:compile_flow",
    parameters=CompileParameters,
    work_queue=OTHER_QUEUE,
    description="Sammanställningen: vid behov och en gång på cykelns compile_on-dag.",
)
STATUS = DeploymentSpec(
    name="status",
    flow_name="status",
    entrypoint="flows/prefect_flows.py:status_flow",
    parameters=StatusParameters,
    work_queue=OTHER_QUEUE,
    description=(
        "Läget per nämnd som tabell i Prefect: varje arbetstimme medan en uppföljning pågår, "
        "och vid behov."
    ),
)
SPECS: tuple[DeploymentSpec, ...] = (REMIND, COLLECT, COMPILE, STATUS)


@dataclass(frozen=True)
class PlannedSchedule:
    """A schedule before it becomes a Prefect object: an rrule, in Europe/Stockholm."""

    deployment: str
    cycle: str
    rrule: str
    slug: str


def planned_schedules(config: Config, today: dt.date) -> list[PlannedSchedule]:
    """Every cycle's schedules whose window has not ended by `today`."""
    planned: list[PlannedSchedule] = []
    for cycle in sorted(config.cycles.values(), key=lambda c: c.deadline):
        reminders = reminder_window(cycle)
        if reminders.last >= today:
            planned.append(
                PlannedSchedule(
                    REMIND.name, cycle.id, remind_rrule(reminders), f"{cycle.id}-remind"
                )
            )
        collection = collection_window(cycle)
        if collection.last >= today:
            planned.append(
                PlannedSchedule(
                    COLLECT.name, cycle.id, collect_rrule(collection), f"{cycle.id}-collect"
                )
            )
            planned.append(
                PlannedSchedule(
                    STATUS.name, cycle.id, status_rrule(collection), f"{cycle.id}-status"
                )
            )
        day = compile_day(cycle)
        if day is not None and day >= today:
            planned.append(
                PlannedSchedule(COMPILE.name, cycle.id, compile_rrule(day), f"{cycle.id}-compile")
            )
    return planned


def _flow_of(spec: DeploymentSpec) -> Any:
    module_path, _, attribute = spec.entrypoint.partition(":")
    module_name = module_path.removesuffix(".py").replace("/", ".")
    return getattr(importlib.import_module(module_name), attribute)


def prefect_schedules(planned: list[PlannedSchedule], deployment: str) -> list[Schedule]:
    from prefect.schedules import RRule

    return [
        RRule(p.rrule, timezone=TIMEZONE, parameters={"cycle": p.cycle}, slug=p.slug)
        for p in planned
        if p.deployment == deployment
    ]


def build_deployments(config: Config, today: dt.date) -> list[RunnerDeployment]:
    """The deployments `followup serve` serves, with schedules from the configuration."""
    from prefect.utilities.callables import ParameterSchema

    planned = planned_schedules(config, today)
    cycle_ids = list(config.cycles)
    deployments: list[RunnerDeployment] = []
    for spec in SPECS:
        flow = _flow_of(spec)
        deployment: RunnerDeployment = flow.to_deployment(
            name=spec.name,
            description=spec.description,
            schedules=prefect_schedules(planned, spec.name),
            tags=["followup"],
        )
        deployment._parameter_openapi_schema = ParameterSchema(
            **parameter_schema(spec.parameters, cycle_ids, config.default_cycle)
        )
        deployments.append(deployment)
    return deployments
