from __future__ import annotations

from collections import Counter

import pandas as pd

from flows.model import ActivityRow, Config, Cycle, Indicator, ParsedTemplate
from flows.report.figures import (
    DROPPED,
    NEW,
    NO_STATUS,
    PROGRESS,
    TOTAL,
    UNCHANGED,
    compare_years,
    counts,
    indicator_totals,
    status_per_area,
    status_per_board,
    text_key,
    unreported_planned,
)
from flows.report.frame import build_frames, planned_frame
from flows.report.sources import Answer


def test_status_per_area_counts_every_activity_once(frames, config: Config) -> None:
    table = status_per_area(frames, config.strategy_of(frames.cycle))
    expected = Counter(
        (a.area, NO_STATUS if pd.isna(a.status) else a.status)
        for a in frames.activities.itertuples()
    )
    for (area, status), n in expected.items():
        assert table.loc[area, status] == n
    assert table[TOTAL].sum() == len(frames.activities)
    assert list(table.index) == [1, 2, 3, 4]


def test_status_per_board_matches_per_area_totals(frames, config: Config) -> None:
    per_board = status_per_board(frames)
    per_area = status_per_area(frames, config.strategy_of(frames.cycle))
    assert per_board[TOTAL].sum() == per_area[TOTAL].sum()
    silent = per_board[~per_board["reported"].astype(bool)]
    assert (silent[TOTAL] == 0).all()


def test_counts(frames) -> None:
    numbers = counts(frames)
    assert (numbers.boards, numbers.reported, numbers.not_reported) == (14, 10, 4)
    assert len(numbers.missing) == 4
    assert numbers.with_warnings == 10


def test_indicator_totals_sum_numbers_and_name_the_boards(frames, config: Config) -> None:
    totals = indicator_totals(frames, config.strategy_of(frames.cycle)).set_index("name")
    first = config.strategy_of(frames.cycle).indicator_names[0]
    assert totals.loc[first, "total"] == 10 * 10
    assert totals.loc[first, "reported_by"] == 10
    assert "Kommunstyrelsen" in str(totals.loc[first, "boards"])
    # a value that is only text ("flera") is not summed and does not count as reported
    pride = "Antal aktiviteter under Pride"
    assert totals.loc[pride, "reported_by"] == 0
    assert list(totals.index[:4]) == config.strategy_of(frames.cycle).indicator_names


def _answer(config: Config, cycle: Cycle, board: str, rows: list[ActivityRow]) -> Answer:
    return Answer(board=board, parsed=ParsedTemplate(file="x.docx", activities=rows))


def test_compare_years_matches_by_nr_then_by_text(config: Config) -> None:
    now, before = config.cycle("hbtqia-2026"), config.cycle("hbtqia-2025")
    board = config.boards_in(now)[0].id
    old = [
        ActivityRow(area=1, nr="1.1", activity="Gammal text", status="Pågående"),
        ActivityRow(area=2, nr=None, activity="Utbildning  för chefer.", status="Ej påbörjad"),
        ActivityRow(area=3, nr="3.9", activity="Avslutad", status="Genomförd"),
    ]
    new = [
        ActivityRow(area=1, nr="1.1", activity="Ny text", status="Genomförd"),
        ActivityRow(area=2, nr=None, activity="utbildning för chefer", status="Ej påbörjad"),
        ActivityRow(area=4, nr="4.7", activity="Helt ny", status="Utgår"),
    ]
    result = compare_years(
        build_frames(config, now, [_answer(config, now, board, new)]),
        build_frames(config, before, [_answer(config, before, board, old)]),
    ).set_index("activity")
    assert result.loc["Ny text", "previous_status"] == "Pågående"
    assert result.loc["Ny text", "change"] == PROGRESS
    assert result.loc["utbildning för chefer", "change"] == UNCHANGED
    assert result.loc["Helt ny", "change"] == NEW
    assert result.loc["Avslutad", "change"] == DROPPED
    assert len(result) == 4


def test_text_key_ignores_case_spacing_and_end_punctuation() -> None:
    assert text_key("  Utbildning\n för CHEFER. ") == text_key("utbildning för chefer")


def test_unreported_planned_lists_plan_rows_missing_from_answers(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.boards_in(cycle)[0].id
    plan = config.planned_activities(cycle, board)
    # reports the first planned activity by number, the second by text only
    rows = [
        ActivityRow(area=plan[0].area, nr=plan[0].nr, activity="omformulerad"),
        ActivityRow(area=plan[1].area, nr=None, activity=plan[1].activity.upper()),
    ]
    frames = build_frames(config, cycle, [_answer(config, cycle, board, rows)])
    missing = unreported_planned(frames, planned_frame(config, cycle))
    assert set(missing["board"]) == {board}  # boards that did not report are not listed here
    assert list(missing["nr"]) == [p.nr for p in plan[2:]]


def test_empty_frames_give_zero_tables(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    frames = build_frames(config, cycle, [])
    table = status_per_area(frames, config.strategy_of(cycle))
    assert int(table.to_numpy().sum()) == 0
    totals = indicator_totals(frames, config.strategy_of(cycle))
    assert (totals["reported_by"] == 0).all()
    assert isinstance(compare_years(frames, frames), pd.DataFrame)


def test_indicators_only_in_answers_are_added_after_the_strategys(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    board = config.boards_in(cycle)[0].id
    parsed = ParsedTemplate(file="x", indicators=[Indicator(name="Eget nyckeltal", value=3.5)])
    frames = build_frames(config, cycle, [Answer(board=board, parsed=parsed)])
    totals = indicator_totals(frames, config.strategy_of(cycle))
    assert totals.iloc[-1]["name"] == "Eget nyckeltal"
    assert totals.iloc[-1]["total"] == 3.5
