"""When a cycle is open, and which cycles a command serves."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.config import load_config
from flows.cycles import closes_on, open_cycles, opens_on, phase, served_cycles
from flows.model import Config
from tests.conftest import CONFIG_DIR


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def test_demo_cycles_open_in_the_same_spring(config: Config) -> None:
    hbtqia, jam = config.cycles["hbtqia-2026"], config.cycles["jamstalldhet-2026"]
    assert opens_on(hbtqia) == dt.date(2027, 2, 3)  # 8 weeks before 31 March, a Wednesday
    assert opens_on(jam) == dt.date(2027, 2, 12)
    assert closes_on(hbtqia) == dt.date(2027, 5, 24)
    assert [c.id for c in open_cycles(config, dt.date(2027, 2, 3))] == ["hbtqia-2026"]
    assert [c.id for c in open_cycles(config, dt.date(2027, 3, 1))] == [
        "hbtqia-2026",
        "jamstalldhet-2026",
    ]
    assert [c.id for c in open_cycles(config, dt.date(2026, 3, 1))] == ["hbtqia-2025"]
    assert open_cycles(config, dt.date(2027, 5, 24)) == []


def test_phase_boundaries(config: Config) -> None:
    cycle = config.cycles["jamstalldhet-2026"]
    first, end = opens_on(cycle), closes_on(cycle)
    assert phase(cycle, first - dt.timedelta(days=1)) == "future"
    assert phase(cycle, first) == "open"
    assert phase(cycle, end - dt.timedelta(days=1)) == "open"
    assert phase(cycle, end) == "closed"


def test_served_cycles_narrowed_or_open_or_default(config: Config) -> None:
    spring = dt.date(2027, 3, 1)
    assert [c.id for c in served_cycles(config, spring, "hbtqia-2025")] == ["hbtqia-2025"]
    assert len(served_cycles(config, spring, None)) == 2
    summer = dt.date(2027, 7, 1)
    assert [c.id for c in served_cycles(config, summer, None)] == [config.default_cycle]


@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)))
def test_open_means_inside_the_window(config: Config, day: dt.date) -> None:
    opened = {c.id for c in open_cycles(config, day)}
    for cycle in config.cycles.values():
        assert (cycle.id in opened) == (opens_on(cycle) <= day < closes_on(cycle))
