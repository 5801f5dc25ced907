"""`followup check`: every configuration and cycle file validated, plus warnings about things that
are allowed but probably not meant. Pure apart from reading `config/`.

Warnings: a deadline on a weekend or holiday; a reminder plan whose send dates have already
passed while the cycle is still open; a board that has a single contact address; a board in a
cycle without an action plan for the cycle's strategy. A FOLLOWUP_ variable that the settings
refused (e.g. FOLLOWUP_EWS_ADDRESS missing with FOLLOWUP_TRANSPORT=ews) is an error too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from flows.config import Finding, Sources, line_of, read_config
from flows.model import Config, Cycle, closest
from flows.schedule import is_send_day
from flows.settings_errors import setting_problems
from flows.swedish import days, long_date, weekday_name


def _previous_send_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not is_send_day(day):
        day -= dt.timedelta(days=1)
    return day


def _cycle_line(sources: Sources, cycle: Cycle, key: str) -> tuple[Path, int | None]:
    path, node = sources.cycles[cycle.id]
    return path, line_of(node, (key,))


def deadline_warnings(cycles: list[Cycle], sources: Sources) -> list[Finding]:
    findings = []
    for cycle in cycles:
        if is_send_day(cycle.deadline):
            continue
        path, line = _cycle_line(sources, cycle, "deadline")
        why = (
            f"en {weekday_name(cycle.deadline)}" if cycle.deadline.weekday() >= 5 else "en helgdag"
        )
        findings.append(
            Finding(
                "warning",
                path,
                line,
                f"sista svarsdag {long_date(cycle.deadline)} är {why}",
                f"välj en arbetsdag, t.ex. {long_date(_previous_send_day(cycle.deadline))}",
            )
        )
    return findings


def plan_warnings(cycles: list[Cycle], sources: Sources, today: dt.date) -> list[Finding]:
    """Send dates already past in a cycle whose deadline is still ahead."""
    findings = []
    for cycle in cycles:
        if cycle.deadline < today:
            continue  # a finished cycle: its dates are history, not a plan
        plan = cycle.plan
        dates = [("inbjudan", cycle.deadline - dt.timedelta(weeks=plan.invitation_weeks_before))]
        dates += [
            (f"påminnelsen {days(d)} före", cycle.deadline - dt.timedelta(days=d))
            for d in plan.reminder_days_before
        ]
        past = [(label, day) for label, day in dates if day < today]
        if not past:
            continue
        path, line = _cycle_line(sources, cycle, "plan")
        if line is None:
            line = _cycle_line(sources, cycle, "deadline")[1]
        listed = ", ".join(f"{label} {long_date(day)}" for label, day in past)
        findings.append(
            Finding(
                "warning",
                path,
                line,
                f"påminnelseplanen har datum som redan har passerat ({listed})",
                "flytta sista svarsdag eller ändra plan.invitation_weeks_before och "
                "plan.reminder_days_before",
            )
        )
    return findings


def board_warnings(config: Config, cycles: list[Cycle], sources: Sources) -> list[Finding]:
    findings = []
    in_cycles: dict[str, list[Cycle]] = {}
    for cycle in cycles:
        for board in config.boards_in(cycle):
            in_cycles.setdefault(board.id, []).append(cycle)
    for board in config.boards.values():
        path, line = sources.boards[board.id]
        if len(board.contacts) < 2:
            findings.append(
                Finding(
                    "warning",
                    path,
                    line,
                    f"{board.id}: bara en kontaktadress ({board.primary.email})",
                    "lägg till en nämndsekreterare med egen adress, så att påminnelser når fram "
                    "även vid frånvaro",
                )
            )
        for cycle in in_cycles.get(board.id, []):
            if not config.planned_activities(cycle, board.id):
                findings.append(
                    Finding(
                        "warning",
                        path,
                        line,
                        f"{board.id}: ingen handlingsplan för {cycle.strategy} ({cycle.id}); "
                        "mallen får bara tomma rader",
                        f"lägg till nämnden i action-plans/{cycle.strategy}.yaml",
                    )
                )
    return findings


def settings_findings(refused: ValueError) -> list[Finding]:
    """The FOLLOWUP_ variables `Settings()` refused, one error each, named in place of a file."""
    if not isinstance(refused, ValidationError):
        return [Finding("error", "FOLLOWUP_…", None, str(refused), "rätta värdet")]
    return [
        Finding("error", p.variable, None, p.what, p.todo or "rätta värdet")
        for p in setting_problems(refused)
    ]


def check(root: Path, today: dt.date, cycle: str | None = None) -> list[Finding]:
    """Errors (every file read) and, when the configuration loads, the warnings; `cycle`
    narrows the cycle-specific warnings to one cycle."""
    config, errors, sources = read_config(root)
    if errors or config is None:
        return errors
    cycles = list(config.cycles.values())
    if cycle is not None:
        if cycle not in config.cycles:
            return [
                Finding(
                    "error",
                    root / "cycles",
                    None,
                    f"okänd uppföljning {cycle!r}",
                    closest(cycle, config.cycles),
                )
            ]
        cycles = [config.cycles[cycle]]
    return [
        *deadline_warnings(cycles, sources),
        *plan_warnings(cycles, sources, today),
        *board_warnings(config, cycles, sources),
    ]
