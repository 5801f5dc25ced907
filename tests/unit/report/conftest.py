from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_config
from flows.model import Config, Cycle
from flows.report.frame import Frames, build_frames
from tests.unit.report.answers import answers_for

REPORTING = 10  # of the demo municipality's 14 boards


@pytest.fixture(scope="session")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture(scope="session")
def cycle(config: Config) -> Cycle:
    return config.cycle("hbtqia-2026")


@pytest.fixture(scope="session")
def previous_cycle(config: Config) -> Cycle:
    return config.cycle("hbtqia-2025")


@pytest.fixture(scope="session")
def board_ids(config: Config, cycle: Cycle) -> list[str]:
    return [b.id for b in config.boards_in(cycle)]


@pytest.fixture(scope="session")
def frames(config: Config, cycle: Cycle, board_ids: list[str]) -> Frames:
    return build_frames(config, cycle, answers_for(config, cycle, board_ids[:REPORTING], shift=1))


@pytest.fixture(scope="session")
def previous_frames(config: Config, previous_cycle: Cycle, board_ids: list[str]) -> Frames:
    return build_frames(config, previous_cycle, answers_for(config, previous_cycle, board_ids[:12]))
