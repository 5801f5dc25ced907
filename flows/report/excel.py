"""The Excel export next to the report: activities, key figures, status per board.

Board text is written as strings only: formulas, URLs and numbers are never inferred, and text a
spreadsheet would take for a formula when edited (leading `=`, `+`, `-`, `@`, tab, CR) also gets
Excel's quote prefix, the same as typing an apostrophe before it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xlsxwriter

from flows.model import Strategy
from flows.report.figures import (
    STATE_LABELS,
    STATUS_LABELS,
    TOTAL,
    indicator_totals,
    status_per_board,
)
from flows.report.frame import Frames

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL = 32_767  # Excel's limit for one cell's text


def needs_quote_prefix(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS)


class _Sheet:
    def __init__(self, book: Any, name: str, headers: Sequence[tuple[str, float]]) -> None:
        self.book = book
        self.sheet = book.add_worksheet(name)
        self.row = 0
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.quoted = book.add_format({"quote_prefix": True, "text_wrap": False})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = book.add_format({"num_format": "yyyy-mm-dd"})
        for col, (title, width) in enumerate(headers):
            self.sheet.write_string(0, col, title, bold)
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(1, 0)
        self.columns = len(headers)

    def add(self, values: Sequence[object]) -> None:
        self.row += 1
        for col, value in enumerate(values):
            self._write(self.row, col, value)

    def _write(self, row: int, col: int, value: object) -> None:
        sheet = self.sheet
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            sheet.write_blank(row, col, None)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "Ja" if value else "Nej")
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value)
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), self.moment)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, self.day)
        else:
            text = str(value)
            if len(text) > MAX_CELL:
                text = text[: MAX_CELL - 1] + "…"
            if needs_quote_prefix(text):
                sheet.write_string(row, col, text, self.quoted)
            else:
                sheet.write_string(row, col, text)

    def finish(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row, 1), self.columns - 1)


def _number(value: Any) -> object:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def build_export(frames: Frames, strategy: Strategy) -> bytes:
    """The .xlsx export of `frames` (one cycle)."""
    from flows.report.document import status_cell
    from flows.report.strategy_view import statuses

    vocabulary = statuses(strategy).values

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    acts = frames.activities.sort_values(["board_order", "row"], kind="stable")
    sheet = _Sheet(
        book,
        "Aktiviteter",
        [
            ("Uppföljning", 13),
            ("Nämnd/styrelse", 28),
            ("Strategiområde", 8),
            ("Nr", 6),
            ("Aktivitet", 50),
            ("Ansvarig", 22),
            ("Tidsplan", 16),
            ("Status", 13),
            ("Angiven status", 16),
            ("Kommentar/resultat", 60),
            ("Inkom", 17),
        ],
    )
    for values in zip(
        acts["cycle"],
        acts["board_name"],
        acts["area"],
        acts["nr"],
        acts["activity"],
        acts["responsible"],
        acts["timeframe"],
        [status_cell(s, vocabulary) for s in acts["status"]],
        acts["status_text"],
        acts["comment"],
        acts["received"],
        strict=True,
    ):
        sheet.add([_number(v) for v in values])
    sheet.finish()

    sheet = _Sheet(
        book,
        "Nyckeltal",
        [
            ("Uppföljning", 13),
            ("Nämnd/styrelse", 28),
            ("Nyckeltal", 45),
            ("Värde", 10),
            ("Värde som text", 16),
            ("Kommentar", 50),
        ],
    )
    inds = frames.indicators.sort_values(["board_order"], kind="stable")
    for values in zip(
        inds["cycle"],
        inds["board_name"],
        inds["name"],
        inds["value"],
        inds["value_text"],
        inds["comment"],
        strict=True,
    ):
        sheet.add([_number(v) for v in values])
    sheet.finish()

    sheet = _Sheet(
        book,
        "Nyckeltal summa",
        [("Nyckeltal", 45), ("Summa", 10), ("Antal nämnder", 14), ("Redovisat av", 80)],
    )
    totals = indicator_totals(frames, strategy)
    for name, total, count, boards in zip(
        totals["name"], totals["total"], totals["reported_by"], totals["boards"], strict=True
    ):
        sheet.add([name, _number(total) if count else None, _number(count), boards])
    sheet.finish()

    per_board = status_per_board(frames)
    sheet = _Sheet(
        book,
        "Status per nämnd",
        [
            ("Nämnd/styrelse", 28),
            ("Läge", 12),
            ("Redovisat", 10),
            ("Version", 8),
            ("Inkom", 17),
            ("Varningar", 10),
            *((label, 11) for label in (*STATUS_LABELS, TOTAL)),
        ],
    )
    for record in per_board.to_dict("records"):
        sheet.add(
            [
                record["board_name"],
                STATE_LABELS.get(str(record["state"]), str(record["state"])),
                bool(record["reported"]),
                _number(record["version"]),
                _number(record["received"]),
                _number(record["warnings"]),
                *(_number(record[label]) for label in (*STATUS_LABELS, TOTAL)),
            ]
        )
    sheet.finish()
    book.close()
    return buffer.getvalue()
