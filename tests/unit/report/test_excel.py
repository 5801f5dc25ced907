from __future__ import annotations

import io

import openpyxl
import pytest

from flows.model import Config
from flows.report.excel import build_export, needs_quote_prefix
from flows.report.figures import TOTAL, status_per_board
from tests.unit.report.answers import AWKWARD_COMMENT


@pytest.fixture(scope="module")
def workbook(frames, config: Config) -> openpyxl.Workbook:
    data = build_export(frames, config.strategy_of(frames.cycle))
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sheets_and_activity_rows(workbook, frames) -> None:
    assert workbook.sheetnames == [
        "Aktiviteter",
        "Nyckeltal",
        "Nyckeltal summa",
        "Status per nämnd",
    ]
    sheet = workbook["Aktiviteter"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Uppföljning", "Nämnd/styrelse", "Strategiområde", "Nr"]
    assert header[-1] == "Inkom"
    assert sheet.max_row == len(frames.activities) + 1
    activities = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert activities == set(frames.activities["activity"])


def test_no_cell_is_a_formula_and_risky_text_keeps_its_value(workbook) -> None:
    expected = AWKWARD_COMMENT.replace("\x0b", "")
    risky = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK"):
                    risky.append(cell)
    assert risky, "the awkward comment must be in the export"
    for cell in risky:
        assert cell.data_type == "s"
        assert cell.quotePrefix
        assert cell.value.replace("\x0b", "").replace("_x000B_", "") == expected


@pytest.mark.parametrize(
    ("text", "risky"),
    [
        ("=1+1", True),
        ("+46 70", True),
        ("-5", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("  =1", True),
        ("Genomförd", False),
        ("1.1", False),
        ("", False),
    ],
)
def test_needs_quote_prefix(text: str, risky: bool) -> None:
    assert needs_quote_prefix(text) is risky


def test_status_per_board_sheet_equals_the_frame(workbook, frames) -> None:
    sheet = workbook["Status per nämnd"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    per_board = status_per_board(frames)
    assert [r[0] for r in rows] == list(per_board["board_name"])
    assert [r[-1] for r in rows] == list(per_board[TOTAL])
    assert [r[2] for r in rows].count("Ja") == 10
