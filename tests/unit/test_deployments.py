"""Deployments: windows and schedules derived from the cycle configuration, the parameter forms,
and prefect.yaml agreeing with both."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect.client.schemas.schedules import RRuleSchedule as ClientRRule
from prefect.server.schemas.schedules import RRuleSchedule
from pydantic import ValidationError

from flows.config import load_config
from flows.deployments import (
    COLLECT,
    COMPILE,
    COMPILE_AT,
    MAILBOX_QUEUE,
    REMIND,
    SPECS,
    STATUS,
    TIMEZONE,
    WORK_POOL,
    CompileParameters,
    RemindParameters,
    Window,
    collect_rrule,
    collection_window,
    compile_rrule,
    non_working_days,
    parameter_schema,
    planned_schedules,
    remind_rrule,
    reminder_window,
    status_rrule,
)
from flows.model import Config, Cycle
from tests.conftest import CONFIG_DIR, REPO

STOCKHOLM = ZoneInfo(TIMEZONE)


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


@pytest.fixture(scope="module")
def cycle(config: Config) -> Cycle:
    return config.cycle("hbtqia-2026")


def _dates(rrule: str, count: int, start: dt.datetime | None = None) -> list[dt.datetime]:
    schedule = RRuleSchedule(rrule=rrule, timezone=TIMEZONE)
    begin = start or dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    dates = asyncio.run(schedule.get_dates(n=count, start=begin))
    return [d.astimezone(STOCKHOLM) for d in dates]


def test_windows_follow_the_reminder_plan(cycle: Cycle) -> None:
    reminders = reminder_window(cycle)
    # Invitation 8 weeks before 31 March 2027; four weekly overdue reminders, a week's slack.
    assert reminders.first == dt.date(2027, 2, 3)
    assert reminders.last == dt.date(2027, 3, 31) + dt.timedelta(days=4 * 7 + 7)
    collection = collection_window(cycle)
    assert collection == Window(dt.date(2027, 2, 3), cycle.council_meeting)
    assert cycle.compile_on in collection


def test_remind_runs_on_working_day_mornings_through_the_window(cycle: Cycle) -> None:
    window = reminder_window(cycle)
    runs = _dates(remind_rrule(window), 500)
    assert runs[0] == dt.datetime(2027, 2, 3, 7, 30, tzinfo=STOCKHOLM)
    assert runs[-1].date() <= window.last
    days = [r.date() for r in runs]
    assert all(r.time() == dt.time(7, 30) for r in runs)
    assert all(d.weekday() < 5 for d in days)
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March are not send days.
    assert dt.date(2027, 3, 26) not in days and dt.date(2027, 3, 29) not in days
    assert dt.date(2027, 3, 25) in days and dt.date(2027, 3, 30) in days
    expected = [
        window.first + dt.timedelta(days=i)
        for i in range((window.last - window.first).days + 1)
        if (window.first + dt.timedelta(days=i)).weekday() < 5
        and window.first + dt.timedelta(days=i) not in non_working_days(window)
    ]
    assert days == expected


def test_collect_polls_every_quarter_hour_in_working_hours(cycle: Cycle) -> None:
    window = collection_window(cycle)
    runs = _dates(collect_rrule(window), 100)
    first_day = [r for r in runs if r.date() == window.first]
    assert [r.strftime("%H:%M") for r in first_day[:3]] == ["07:00", "07:15", "07:30"]
    assert first_day[-1].strftime("%H:%M") == "17:45" and len(first_day) == 44
    assert all(r.weekday() < 5 for r in runs)
    last_runs = _dates(collect_rrule(window), 200, dt.datetime(2027, 5, 21, tzinfo=dt.UTC))
    assert last_runs[-1].date() == window.last  # 24 May 2027, the council meeting


def test_compile_runs_once_on_compile_on(cycle: Cycle) -> None:
    assert cycle.compile_on is not None
    runs = _dates(compile_rrule(cycle.compile_on), 5)
    assert runs == [dt.datetime(2027, 4, 19, 6, 0, tzinfo=STOCKHOLM)]


def test_only_cycles_whose_windows_are_open_are_scheduled(config: Config) -> None:
    late_2026 = planned_schedules(config, dt.date(2026, 11, 22))
    # every cycle of the coming spring, both strategies (issue 12)
    assert {p.cycle for p in late_2026} == {"hbtqia-2026", "jamstalldhet-2026"}
    assert {p.deployment for p in late_2026} == {
        REMIND.name,
        COLLECT.name,
        COMPILE.name,
        STATUS.name,
    }
    spring_2026 = planned_schedules(config, dt.date(2026, 3, 1))
    assert {p.cycle for p in spring_2026} == {"hbtqia-2025", "hbtqia-2026", "jamstalldhet-2026"}
    assert len({p.slug for p in spring_2026}) == len(spring_2026)
    assert planned_schedules(config, dt.date(2030, 1, 1)) == []


def test_parameter_form_offers_the_configured_cycles() -> None:
    schema = parameter_schema(RemindParameters, ["hbtqia-2026", "hbtqia-2025"], "hbtqia-2026")
    assert list(schema["properties"]) == ["cycle", "today", "dry_run"]
    cycle = schema["properties"]["cycle"]
    assert cycle["title"] == "Uppföljning"
    assert cycle["type"] == "string" and "anyOf" not in cycle  # a dropdown, no type switch
    assert cycle["enum"] == ["hbtqia-2025", "hbtqia-2026"]
    assert cycle["default"] == "hbtqia-2026"
    today = schema["properties"]["today"]
    assert today["format"] == "date" and "anyOf" not in today and "default" not in today
    assert [p["position"] for p in schema["properties"].values()] == [0, 1, 2]
    # the UI marks fields not required "(Optional)": those with a default are required
    assert schema["required"] == ["cycle", "dry_run"]
    with pytest.raises(ValidationError):
        RemindParameters.model_validate({"cycle": "hbtqia-2026", "bogus": 1})
    without_default = parameter_schema(RemindParameters, ["hbtqia-2026"])
    assert without_default["required"] == ["dry_run"]
    assert "default" not in without_default["properties"]["cycle"]


def _flow_parameters(entrypoint: str) -> dict[str, Any]:
    module_path, _, name = entrypoint.partition(":")
    module = __import__(module_path.removesuffix(".py").replace("/", "."), fromlist=[name])
    function = getattr(module, name).fn
    return {p.name: p.default for p in inspect.signature(function).parameters.values()}


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_parameter_models_match_the_flows(spec: Any) -> None:
    flow_parameters = _flow_parameters(spec.entrypoint)
    fields = spec.parameters.model_fields
    assert list(fields) == [p for p in flow_parameters if p in fields]
    for name, field in fields.items():
        assert flow_parameters[name] == field.default, name


def _prefect_yaml() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return loaded


def test_prefect_yaml_declares_every_deployment_like_serve() -> None:
    project = _prefect_yaml()
    assert project["prefect-version"].startswith("3.8")
    pull = project["pull"][0]["prefect.deployments.steps.set_working_directory"]
    assert pull["directory"] == "{{ $FOLLOWUP_HOME }}"
    declared = {d["name"]: d for d in project["deployments"]}
    assert set(declared) == {s.name for s in SPECS}
    for spec in SPECS:
        deployment = declared[spec.name]
        assert deployment["entrypoint"] == spec.entrypoint
        assert Path(REPO / spec.entrypoint.partition(":")[0]).is_file()
        assert deployment["work_pool"]["name"] == WORK_POOL
        assert deployment["work_pool"]["work_queue_name"] == spec.work_queue
        for schedule in deployment["schedules"]:
            assert schedule["timezone"] == TIMEZONE
    for name in (REMIND.name, COLLECT.name):
        assert declared[name]["work_pool"]["work_queue_name"] == MAILBOX_QUEUE
        assert declared[name]["concurrency_limit"]["limit"] == 1


def test_prefect_yaml_compiles_on_the_default_cycles_day(config: Config) -> None:
    cycle = config.cycle()
    assert cycle.compile_on is not None
    compile_ = next(d for d in _prefect_yaml()["deployments"] if d["name"] == "compile")
    minute, hour, day, month, weekday = compile_["schedules"][0]["cron"].split()
    expected = (cycle.compile_on.day, cycle.compile_on.month, "*")
    assert (int(day), int(month), weekday) == expected, (
        f"prefect.yaml: set compile's cron to the default cycle's compile_on {cycle.compile_on}"
    )
    assert (int(hour), int(minute)) == (COMPILE_AT.hour, COMPILE_AT.minute)


def test_prefect_yaml_working_day_crons() -> None:
    declared = {d["name"]: d for d in _prefect_yaml()["deployments"]}
    assert declared["remind"]["schedules"][0]["cron"] == "30 7 * * 1-5"
    assert declared["collect"]["schedules"][0]["cron"] == "*/15 7-17 * * 1-5"
    assert declared["status"]["schedules"][0]["cron"] == "5 7-17 * * 1-5"


def test_serve_builds_every_deployment_with_its_form_and_schedules(config: Config) -> None:
    from flows.deployments import build_deployments

    deployments = {d.name: d for d in build_deployments(config, dt.date(2026, 11, 22))}
    assert set(deployments) == {s.name for s in SPECS}
    remind = deployments["remind"]
    assert remind.entrypoint == "flows/prefect_flows.py:remind_flow"
    form = remind._parameter_openapi_schema.model_dump()
    assert form["properties"]["cycle"]["enum"] == sorted(config.cycles)
    assert remind.schedules is not None
    schedule, jam_schedule = remind.schedules
    assert jam_schedule.parameters == {"cycle": "jamstalldhet-2026"}
    rrule = schedule.schedule
    assert isinstance(rrule, ClientRRule)
    assert rrule.timezone == TIMEZONE
    assert schedule.parameters == {"cycle": "hbtqia-2026"}
    assert rrule.rrule.startswith("DTSTART:20270203T073000")
    assert deployments["compile"].schedules is not None
    compile_schedule, _ = deployments["compile"].schedules  # hbtqia-2026, jamstalldhet-2026
    assert isinstance(compile_schedule.schedule, ClientRRule)
    assert "DTSTART:20270419T060000" in compile_schedule.schedule.rrule
    status = deployments["status"].schedules
    assert status is not None
    status_schedule, _ = status  # hbtqia-2026, jamstalldhet-2026
    assert isinstance(status_schedule.schedule, ClientRRule)
    assert status_schedule.parameters == {"cycle": "hbtqia-2026"}
    assert status_schedule.schedule.rrule.startswith("DTSTART:20270203T070500")


def test_status_is_refreshed_every_working_hour_while_answers_are_collected(cycle: Cycle) -> None:
    window = collection_window(cycle)
    runs = _dates(status_rrule(window), 30)
    assert runs[0] == dt.datetime(2027, 2, 3, 7, 5, tzinfo=STOCKHOLM)
    assert {r.hour for r in runs} == set(range(7, 18)) and {r.minute for r in runs} == {5}
    assert all(r.weekday() < 5 for r in runs)
    last = _dates(status_rrule(window), 50, dt.datetime(2027, 5, 21, tzinfo=dt.UTC))
    assert last[-1].date() == window.last


def test_the_compile_form_asks_for_no_file_path() -> None:
    schema = parameter_schema(CompileParameters, ["hbtqia-2026"], "hbtqia-2026")
    assert list(schema["properties"]) == ["cycle", "today"]
