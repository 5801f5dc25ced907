"""Which cycles are open: the ones remind, collect, status and serve work on when no cycle is
named. Pure.

A cycle is open from the send day of its invitation (the plan's first message) until the day
before the council meeting: answers and reminders belong to it in that window. Before it the
cycle is future, from the council meeting on it is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from flows.model import Config, Cycle
from flows.schedule import plan_entries

Phase = Literal["future", "open", "closed"]


def opens_on(cycle: Cycle) -> dt.date:
    """The send day of the cycle's invitation."""
    return plan_entries(cycle.deadline, cycle.plan)[0].send_on


def closes_on(cycle: Cycle) -> dt.date:
    """The first day the cycle is closed: its council meeting."""
    return cycle.council_meeting


def phase(cycle: Cycle, today: dt.date) -> Phase:
    if today < opens_on(cycle):
        return "future"
    if today >= closes_on(cycle):
        return "closed"
    return "open"


def open_cycles(config: Config, today: dt.date) -> list[Cycle]:
    """Every cycle open on `today`, the default cycle first, then by deadline and id."""
    found = [c for c in config.cycles.values() if phase(c, today) == "open"]
    return sorted(found, key=lambda c: (c.id != config.default_cycle, c.deadline, c.id))


def served_cycles(config: Config, today: dt.date, named: str | None) -> list[Cycle]:
    """The cycles a command works on: the one named (`--cycle`, FOLLOWUP_CYCLE), else every open
    cycle, else (none open) the default cycle, so a command outside the season still has one."""
    if named:
        return [config.cycle(named)]
    return open_cycles(config, today) or [config.cycle()]


def same_strategy_successor(cycle: Cycle, serving: Iterable[Cycle]) -> Cycle | None:
    """The served cycle of the same strategy that follows `cycle` (a later year), if any: last
    year's template sent again is an answer to this year's cycle (and gets told so)."""
    later = [c for c in serving if c.strategy == cycle.strategy and c.year > cycle.year]
    return min(later, key=lambda c: c.year) if later else None
