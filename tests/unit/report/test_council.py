from __future__ import annotations

import re

from flows.model import Config
from flows.report.council import (
    assessments,
    decision_paragraphs,
    default_analysis,
    needs_support,
    status_by_year,
)
from flows.report.frame import Frames
from flows.report.keyfigures import aggregate, summarize
from flows.report.report_file import AreaNote, ReportFile
from flows.report.widths import fit
from flows.report.wordxml import Column, GroupRow, Row


def test_what_counts_as_a_support_need() -> None:
    for nothing in ("", "  ", "-", "Inga behov.", "inget behov av stöd", "Nej", "Ej aktuellt"):
        assert not needs_support(nothing), nothing
    assert needs_support("Vi behöver stöd med utbildning av chefer.")
    assert needs_support("Inga behov just nu, men stöd med statistik vore bra.")


def test_the_proposed_decision_one_or_several_clauses(config: Config) -> None:
    town, cycle = config.municipality, config.cycle("hbtqia-2026")
    strategy = config.strategy_of(cycle)
    assert decision_paragraphs(town, ["godkänna uppföljningen"], strategy, cycle) == [
        "Kommunstyrelsen föreslår kommunfullmäktige besluta att godkänna uppföljningen."
    ]
    default = decision_paragraphs(town, [], strategy, cycle)
    assert default[0] == "Kommunstyrelsen föreslår kommunfullmäktige besluta"
    assert default[1] == "att godkänna uppföljningen av hbtqia+-strategin för 2026,"
    assert default[-1].startswith("att ") and default[-1].endswith(".")


def test_the_default_analysis_never_opens_a_sentence_with_a_digit(
    config: Config, frames: Frames, previous_frames: Frames
) -> None:
    strategy = config.strategy_of(frames.cycle)
    found = assessments(frames, strategy, ReportFile())
    text = default_analysis(frames, previous_frames, strategy, found)
    assert text and not re.search(r"(?:^|[.!?]\s+)\d", text)
    assert "2025" in text and "hbtqia-" not in text


def test_the_coordinator_sets_an_area(config: Config, frames: Frames) -> None:
    strategy = config.strategy_of(frames.cycle)
    notes = ReportFile(assessments={2: AreaNote(level="uppfyllt", text="Bra.")})
    found = {a.area: a for a in assessments(frames, strategy, notes)}
    assert found[2].source == "office" and found[2].level is not None
    assert found[2].level.label == "Uppfyllt"
    assert {found[n].source for n in (1, 3, 4)} <= {"suggested", "none"}


def test_status_by_year_counts_every_activity(
    frames: Frames, previous_frames: Frames, config: Config
) -> None:
    strategy = config.strategy_of(frames.cycle)
    table = status_by_year([(2025, previous_frames), (2026, frames)], strategy)
    assert table.loc["Totalt", 2026] == len(frames.activities)
    assert table.loc["Totalt", 2025] == len(previous_frames.activities)
    one = status_by_year([(2026, frames)], strategy, area=1)
    assert one.loc["Totalt", 2026] == int((frames.activities["area"] == 1).sum())


def test_aggregates() -> None:
    assert aggregate([1.0, 2.0, 6.0], "sum") == 9.0
    assert aggregate([1.0, 2.0, 6.0], "mean") == 3.0
    assert aggregate([1.0, 2.0, 6.0], "min") == 1.0
    assert aggregate([1.0, 2.0, 6.0], "max") == 6.0
    assert aggregate([1.0, 2.0], "none") is None
    assert aggregate([], "sum") is None
    assert aggregate([50.0, 100.0], "weighted_mean", [3.0, 1.0]) == 62.5
    assert aggregate([50.0, 100.0], "weighted_mean", [None, 2.0]) == 100.0
    assert aggregate([50.0], "weighted_mean", [None]) is None


def test_key_figures_this_year_and_last(
    config: Config, frames: Frames, previous_frames: Frames
) -> None:
    strategy = config.strategy_of(frames.cycle)
    summaries = summarize(frames, previous_frames, strategy)
    first = summaries[0]
    assert first.figure.name == "Antal medarbetare som gått hbtqia+-utbildning"
    assert first.total == frames.indicators.query("name == @first.figure.name")["value"].sum()
    assert first.previous_total is not None and first.reported_by == len(first.values)
    assert first.values["previous_value"].notna().any()


def test_widths_hold_the_longest_word_and_keep_the_total() -> None:
    def measure(word: str) -> float:
        return 0.2 * len(word)  # 2 mm a character

    columns = (Column("Nr", 1.0), Column("Ansvarig", 3.0), Column("Kommentar", 8.0))
    rows: list[Row] = [
        GroupRow("Kommunstyrelsen"),
        ["1.1", "Kommunikationsavdelningen", "kort text"],
    ]
    fitted = fit(columns, rows, measure, 12.0)
    assert fitted[1].width_cm >= 0.2 * len("Kommunikationsavdelningen")
    assert abs(sum(c.width_cm for c in fitted) - 12.0) < 0.05
    assert fitted[2].width_cm < 8.0  # the wide column gave way
    junk = ["x", "y", "z" * 200]  # a pasted link must not widen the table
    assert abs(sum(c.width_cm for c in fit(columns, [junk], measure, 12.0)) - 12.0) < 0.05
