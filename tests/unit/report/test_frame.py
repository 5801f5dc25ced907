from __future__ import annotations

import dataclasses
import datetime as dt

from flows.model import Config, Cycle
from flows.report.frame import build_frames, local_time, planned_frame
from flows.report.sources import Answer
from tests.unit.report.answers import answers_for, parsed_answer
from tests.unit.report.conftest import REPORTING


def test_one_row_per_activity_of_every_reporting_board(frames, config: Config, board_ids) -> None:
    expected = sum(len(config.planned_activities(frames.cycle, b)) + 1 for b in board_ids[:10])
    assert len(frames.activities) == expected
    assert set(frames.activities["board"]) == set(board_ids[:REPORTING])
    assert list(frames.boards["board"]) == board_ids
    assert frames.boards["reported"].sum() == REPORTING


def test_boards_without_answer_are_listed_with_their_state(config: Config, cycle: Cycle) -> None:
    ids = [b.id for b in config.boards_in(cycle)]
    frames = build_frames(config, cycle, [], {ids[0]: "overdue"})
    assert frames.activities.empty
    assert not frames.boards["reported"].any()
    assert frames.boards.set_index("board").loc[ids[0], "state"] == "overdue"
    assert frames.boards.set_index("board").loc[ids[1], "state"] == "not_invited"


def test_the_highest_version_of_a_board_wins(config: Config, cycle: Cycle) -> None:
    board = config.boards_in(cycle)[0].id
    first = answers_for(config, cycle, [board])[0]
    second = dataclasses.replace(
        first, version=first.version + 1, parsed=parsed_answer(config, cycle, board, shift=2)
    )
    frames = build_frames(config, cycle, [second, first])
    assert set(frames.activities["version"]) == {second.version}
    shown = frames.activities["status"].fillna("-")
    assert list(shown) == [a.status or "-" for a in second.parsed.activities]


def test_answers_of_boards_outside_the_cycle_are_ignored(config: Config, cycle: Cycle) -> None:
    board = config.boards_in(cycle)[0].id
    stray = Answer(board="ingen-sadan-namnd", parsed=parsed_answer(config, cycle, board))
    frames = build_frames(config, cycle, [stray])
    assert frames.activities.empty


def test_received_is_swedish_local_time() -> None:
    winter = dt.datetime(2027, 3, 20, 13, 5, tzinfo=dt.UTC)
    summer = dt.datetime(2027, 4, 20, 13, 5, tzinfo=dt.UTC)
    assert local_time(winter) == dt.datetime(2027, 3, 20, 14, 5)
    assert local_time(summer) == dt.datetime(2027, 4, 20, 15, 5)
    assert local_time(None) is None


def test_planned_frame_holds_every_action_plan_row(config: Config, cycle: Cycle) -> None:
    planned = planned_frame(config, cycle)
    expected = sum(len(config.planned_activities(cycle, b.id)) for b in config.boards_in(cycle))
    assert len(planned) == expected > 0
