"""Simulated boards: their answers, the template filled as Word would, and the LibreOffice-saved
variant (one LibreOffice call for the module)."""

from __future__ import annotations

import collections
import datetime as dt
import io
from pathlib import Path

import docx
import pytest

from flows.config import load_config
from flows.demo.answers import (
    demo_answer,
    expected_result,
    fill_template,
    libreoffice_roundtrip_many,
)
from flows.demo.board_answer import ActivityAnswer, AddedActivity, BoardAnswer, IndicatorAnswer
from flows.documents.template import build_template
from flows.model import STATUSES, ActivityRow, Config
from tests.support.docx_inspect import (
    NS,
    activity_tables,
    all_text,
    body,
    cell_text,
    custom_properties,
    paragraph_text,
    part,
    style_of,
    table_after,
    table_rows,
    w,
)

BOARD = "kultur-och-fritidsnamnden"
CYCLE = "hbtqia-2026"


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


def _template(config: Config, board_id: str = BOARD) -> bytes:
    return build_template(config, config.cycle(CYCLE), config.board(board_id))


def _all_answers(config: Config, seeds: range) -> list[BoardAnswer]:
    cycle = config.cycle(CYCLE)
    return [
        demo_answer(config, cycle, board, seed=seed)
        for seed in seeds
        for board in config.boards_in(cycle)
    ]


def _read_activities(data: bytes) -> list[ActivityRow]:
    """Activity rows as a person sees them, straight from the XML (not the project's reader)."""
    rows = []
    for area, tbl in activity_tables(data).items():
        header, *body = table_rows(tbl)
        for cells in body:
            if not any(cells):
                continue
            values = dict(zip(header, cells, strict=True))
            rows.append(
                ActivityRow(
                    area=area,
                    nr=values["Nr"] or None,
                    activity=values["Aktivitet"],
                    responsible=values["Ansvarig"],
                    timeframe=values["Tidsplan"],
                    status_text=values["Status"],
                    comment=values["Kommentar/resultat"],
                )
            )
    return rows


def _without_meaning(rows: list[ActivityRow]) -> list[ActivityRow]:
    return [row.model_copy(update={"status": None}) for row in rows]


# --------------------------------------------------------------------------- demo answers


def test_the_same_seed_gives_the_same_answer(config: Config) -> None:
    assert _all_answers(config, range(3)) == _all_answers(config, range(3))
    first, second = _all_answers(config, range(1)), _all_answers(config, range(1, 2))
    assert sum(a != b for a, b in zip(first, second, strict=True)) > len(first) // 2


def test_every_planned_activity_is_answered(config: Config) -> None:
    cycle = config.cycle(CYCLE)
    for answer in _all_answers(config, range(3)):
        planned = config.planned_activities(cycle, answer.board)
        assert [a.nr for a in answer.activities] == [p.nr for p in planned]
        assert [i.name for i in answer.indicators] == config.strategy_of(cycle).indicator_names


def test_answers_are_varied_like_real_boards(config: Config) -> None:
    answers = _all_answers(config, range(20))
    written = [a.status_text for answer in answers for a in answer.activities]
    meant = collections.Counter(a.status for answer in answers for a in answer.activities)
    chosen = sum(text in STATUSES for text in written)
    typed = [t for t in written if t and t not in STATUSES]
    assert chosen / len(written) > 0.7  # mostly the dropdown
    assert {"klar", "pågår"} & {t.lower() for t in typed}  # sometimes a word typed instead
    assert all(meant[s] > 0 for s in STATUSES)
    assert 0 < sum(bool(a.added) for a in answers) < len(answers) // 2
    assert any(i.value is None for a in answers for i in a.indicators)
    assert any(" " in i.value_text for a in answers for i in a.indicators)  # "1 250"
    assert any(not a.support for a in answers) and any(a.support for a in answers)
    assert any(a.decision_date is None for a in answers)
    comments = " ".join(act.comment for answer in answers for act in answer.activities)
    for theme in ("RFSL", "Pride", "certifierades", "arbetsplatsträff", "deltagare"):
        assert theme in comments


def test_what_a_board_means_matches_what_it_wrote(config: Config) -> None:
    for answer in _all_answers(config, range(10)):
        activities: list[ActivityAnswer | AddedActivity] = [*answer.activities, *answer.added]
        for activity in activities:
            if activity.status_text in STATUSES:
                assert activity.status == activity.status_text
            elif activity.status_text in ("", "Se kommentar"):
                assert activity.status is None
            else:
                assert activity.status is not None
        if answer.decision_date:
            assert answer.decision_date_text == answer.decision_date.isoformat()
            assert answer.decision_date <= config.cycle(CYCLE).deadline
            assert answer.decision_paragraph.startswith("§ ")


# --------------------------------------------------------------------------- filling in

HAND_WRITTEN = BoardAnswer(
    cycle=CYCLE,
    board=BOARD,
    activities=(
        ActivityAnswer(
            nr="1.1", status_text="Genomförd", status="Genomförd", comment="Klart i maj."
        ),
        ActivityAnswer(
            nr="2.1",
            status_text="pågår",
            status="Pågående",
            comment="Två av tre grupper utbildade.\nSista gruppen i februari.",
        ),
        ActivityAnswer(nr="4.1", status_text="", status=None, comment=""),
    ),
    added=(
        AddedActivity(
            area=4,
            nr="4.3",
            activity="Monter i Pridetåget",
            status_text="Genomförd",
            status="Genomförd",
            responsible="Kulturchef",
            timeframe="Augusti 2026",
            comment="Ca 30 medarbetare.",
        ),
        AddedActivity(
            area=4, activity="Föreläsning för chefer", status_text="Klar", status="Genomförd"
        ),
        AddedActivity(
            area=4, activity="Material för arbetsplatsträffar", status_text="Utgår", status="Utgår"
        ),
    ),
    indicators=(
        IndicatorAnswer(
            name="Antal medarbetare som gått hbtqia+-utbildning",
            value_text="1 250",
            value=1250.0,
            comment="Hela förvaltningen.",
        ),
        IndicatorAnswer(name="Antal aktiviteter under Pride", value_text="4", value=4.0),
    ),
    analysis="Ett bra år.\nVi fortsätter.",
    support="Utbildningsmaterial.",
    decision_date=dt.date(2027, 3, 18),
    decision_date_text="2027-03-18",
    decision_paragraph="§ 34",
    filled_by="Mats Dahl",
    saved_at=dt.datetime(2027, 3, 20, 14, 5, tzinfo=dt.UTC),
)


@pytest.fixture(scope="module")
def filled(config: Config) -> bytes:
    return fill_template(_template(config), HAND_WRITTEN)


def test_dropdown_choice_is_made_as_word_makes_it(filled: bytes) -> None:
    row = table_rows(activity_tables(filled)[1])[1]
    assert row[4:] == ["Genomförd", "Klart i maj."]
    status_cell = activity_tables(filled)[1].findall("w:tr", NS)[1].findall("w:tc", NS)[4]
    sdt = status_cell.find(".//w:sdt", NS)
    assert sdt is not None
    assert sdt.find("w:sdtPr/w:showingPlcHdr", NS) is None
    content = sdt.find("w:sdtContent", NS)
    assert content is not None and all_text(content) == "Genomförd"
    assert sdt.find("w:sdtContent//w:rStyle", NS) is None  # no longer grey placeholder text


def test_a_typed_status_replaces_the_dropdown(filled: bytes) -> None:
    tr = activity_tables(filled)[2].findall("w:tr", NS)[1]
    status_cell, comment_cell = tr.findall("w:tc", NS)[4:]
    assert status_cell.find(".//w:sdt", NS) is None
    assert cell_text(status_cell) == "pågår"
    assert len(comment_cell.findall("w:p", NS)) == 2
    assert cell_text(comment_cell) == "Två av tre grupper utbildade.\nSista gruppen i februari."


def test_rows_are_added_in_empty_rows_then_by_copying(config: Config, filled: bytes) -> None:
    tbl = activity_tables(filled)[4]
    rows = table_rows(tbl)
    assert rows[1][:5] == ["4.1", rows[1][1], "Kulturchef", "Augusti 2026", ""]
    assert rows[3:] == [
        [
            "4.3",
            "Monter i Pridetåget",
            "Kulturchef",
            "Augusti 2026",
            "Genomförd",
            "Ca 30 medarbetare.",
        ],
        ["", "Föreläsning för chefer", "", "", "Klar", ""],
        ["", "Material för arbetsplatsträffar", "", "", "Utgår", ""],
    ]
    ids = [e.get(w("val")) for e in part(filled, "word/document.xml").iter(w("id"))]
    assert len(ids) == len(set(ids))


def test_key_figures_texts_and_decision_are_filled(filled: bytes) -> None:
    figures = table_rows(table_after(filled, "Nyckeltal"))[1:]  # below the guidance row
    assert figures[1] == [
        "Antal medarbetare som gått hbtqia+-utbildning",
        "1 250",
        "Hela förvaltningen.",
    ]
    assert figures[2] == ["Antal chefer som gått hbtqia+-utbildning", "", ""]
    assert figures[4] == ["Antal aktiviteter under Pride", "4", ""]
    assert table_rows(table_after(filled, "Sammanfattande analys"))[1:] == [
        ["Ett bra år.\nVi fortsätter."]
    ]
    assert table_rows(table_after(filled, "Behov av stöd"))[1:] == [["Utbildningsmaterial."]]
    decision = table_after(filled, "Nämndens beslut")
    assert table_rows(decision)[1:] == [["Beslutsdatum", "2027-03-18"], ["Paragraf", "§ 34"]]
    date = decision.find(".//w:sdtPr/w:date", NS)
    assert date is not None and date.get(w("fullDate")) == "2027-03-18T00:00:00Z"


def test_filling_keeps_the_identity_and_records_who_saved(filled: bytes, config: Config) -> None:
    assert custom_properties(filled) == custom_properties(_template(config))
    document = docx.Document(io.BytesIO(filled))
    assert document.core_properties.last_modified_by == "Mats Dahl"
    assert document.core_properties.modified == dt.datetime(2027, 3, 20, 14, 5, tzinfo=dt.UTC)


def test_expected_result_is_what_the_document_shows(config: Config, filled: bytes) -> None:
    cycle, board = config.cycle(CYCLE), config.board(BOARD)
    expected = expected_result(config, cycle, board, HAND_WRITTEN)
    assert _without_meaning(expected.activities) == _read_activities(filled)
    assert [a.status for a in expected.activities if a.area == 4] == [
        None,  # 4.1: left as "Välj status"
        None,  # 4.2: not answered
        "Genomförd",
        "Genomförd",  # "Klar"
        "Utgår",
    ]
    assert expected.decision.date == dt.date(2027, 3, 18)
    assert expected.indicators[0].value == 1250.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_board_can_be_filled_with_its_demo_answer(config: Config, seed: int) -> None:
    cycle = config.cycle(CYCLE)
    for board in config.boards_in(cycle):
        answer = demo_answer(config, cycle, board, seed=seed)
        data = fill_template(build_template(config, cycle, board), answer)
        expected = expected_result(config, cycle, board, answer)
        assert _read_activities(data) == _without_meaning(expected.activities)
        figures = table_rows(table_after(data, "Nyckeltal"))[2:]
        assert figures == [[i.name, i.value_text, i.comment] for i in expected.indicators]
        assert fill_template(build_template(config, cycle, board), answer) == data


# --------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def saved_by_libreoffice(soffice: str, config: Config, filled: bytes) -> list[bytes]:
    """The hand-written answer and two demo answers, saved by LibreOffice in one call.

    `libreoffice_roundtrip(data)` is `libreoffice_roundtrip_many([data])[0]`: one call serves both.
    """
    cycle = config.cycle(CYCLE)
    demo = [
        fill_template(
            _template(config, board_id), demo_answer(config, cycle, config.board(board_id), seed=7)
        )
        for board_id in ("kommunstyrelsen", "ekeby-hamn")
    ]
    return libreoffice_roundtrip_many([filled, *demo])


@pytest.mark.libreoffice
@pytest.mark.xdist_group("libreoffice-answers")
def test_libreoffice_keeps_properties_and_values(
    saved_by_libreoffice: list[bytes], filled: bytes
) -> None:
    saved = saved_by_libreoffice[0]
    assert saved != filled
    props = custom_properties(saved)
    assert (
        props["followup_board"] == BOARD
        and props["followup_ref"] == custom_properties(filled)["followup_ref"]
    )
    assert float(props["followup_template_version"]) == 1
    assert _read_activities(saved) == _read_activities(filled)
    assert table_rows(table_after(saved, "Nämndens beslut"))[2] == ["Paragraf", "§ 34"]
    # LibreOffice renames style ids after the style names; hints must still look like hints.
    hints = [
        p for p in body(saved).iter(w("p")) if paragraph_text(p).startswith("Hur har arbetet gått")
    ]
    assert len(hints) == 1 and style_of(hints[0]).startswith("Hint")


@pytest.mark.libreoffice
@pytest.mark.xdist_group("libreoffice-answers")
def test_libreoffice_roundtrip_of_demo_answers(
    saved_by_libreoffice: list[bytes], config: Config
) -> None:
    cycle = config.cycle(CYCLE)
    for board_id, saved in zip(
        ("kommunstyrelsen", "ekeby-hamn"), saved_by_libreoffice[1:], strict=True
    ):
        answer = demo_answer(config, cycle, config.board(board_id), seed=7)
        expected = expected_result(config, cycle, config.board(board_id), answer)
        assert _read_activities(saved) == _without_meaning(expected.activities)
