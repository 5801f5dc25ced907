"""The two outputs: the JSON contract and the Swedish table."""

from __future__ import annotations

import datetime as dt
import json

from flows.status import BoardStatus, StatusReport, format_json, format_table, summary_line

D = dt.date


def report() -> StatusReport:
    boards = (
        BoardStatus(
            "ks", "Kommunstyrelsen", ("a@e.se", "b@e.se"), "submitted", 2, D(2027, 3, 17), 1
        ),
        BoardStatus("bun", "Barn- och ungdomsnämnden", ("c@e.se",), "overdue", 0, None, 0),
        BoardStatus("mn", "Miljönämnden", ("d@e.se",), "overdue", 0, D(2027, 4, 7), 0),
        BoardStatus("hamn", "Ekeby Hamn AB", ("e@e.se",), "rejected", 1, None, 12),
    )
    return StatusReport("hbtqia-2026", D(2027, 4, 10), D(2027, 3, 31), boards, 1)


def test_json_is_exactly_the_contract() -> None:
    data = json.loads(format_json(report()))
    assert set(data) == {"cycle", "boards", "quarantine"}
    assert data["cycle"] == "hbtqia-2026"
    assert data["quarantine"] == 1
    assert data["boards"][0] == {
        "id": "ks",
        "name": "Kommunstyrelsen",
        "contacts": ["a@e.se", "b@e.se"],
        "state": "submitted",
        "submissions": 2,
        "last_reminder": "2027-03-17",
        "problems": 1,
    }
    assert data["boards"][1]["last_reminder"] is None
    assert "Miljönämnden" in format_json(report())  # UTF-8, not \\u escapes


def test_table_is_aligned_and_swedish() -> None:
    text = format_table(report())
    lines = text.splitlines()
    assert lines[0] == "Uppföljning hbtqia-2026, läget 10 april 2027 (sista svarsdag 31 mars 2027)"
    header = lines[2]
    assert header.index("Läge") == len("Barn- och ungdomsnämnden") + 2
    for title in ("Nämnd", "Läge", "Inlämningar", "Senaste påminnelse", "Problem"):
        assert title in header
    rows = lines[4:8]
    assert rows[0].startswith("Kommunstyrelsen ")
    assert "inlämnad" in rows[0] and "17 mars 2027" in rows[0]
    assert "försenad" in rows[1] and "–" in rows[1]
    assert "underkänd" in rows[3]
    # numbers right-aligned under their headings, dates starting under theirs
    problem_end = header.index("Problem") + len("Problem")
    assert all(len(r) == problem_end for r in rows)
    assert rows[3].endswith("12")
    assert rows[0].index("17 mars") == header.index("Senaste påminnelse")
    assert "I karantän: 1 meddelande" in lines
    assert lines[-1] == "4 nämnder: 1 inlämnad, 1 underkänd, 2 försenade"


def test_summary_pluralizes_and_handles_no_boards() -> None:
    empty = StatusReport("c", D(2027, 1, 1), D(2027, 3, 31), (), 0)
    assert summary_line(empty) == "0 nämnder: inga"
    assert "I karantän: 0 meddelanden" in format_table(empty)
