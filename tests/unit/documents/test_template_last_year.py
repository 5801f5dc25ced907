"""Last year's answer in this year's template: unfinished activities come back pre-filled, and
last year's status and comment stand beside each carried-forward activity, where the reader can
never take them for this year's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_config
from flows.demo import template_fill
from flows.documents import ooxml
from flows.documents.carry_forward import carried_activities, is_last_year_note, last_year_note
from flows.documents.reader import read_template
from flows.documents.template import ACTIVITY_HEADERS, build_template
from flows.model import ActivityRow, Config, ParsedTemplate, PlannedActivity
from tests.support.docx_inspect import activity_tables, cell_text, style_of, w

BOARD = "kultur-och-fritidsnamnden"

PLAN = [
    PlannedActivity(area=1, nr="1.1", activity="Bidragsvillkor", responsible="Konsulent"),
    PlannedActivity(area=2, nr="2.1", activity="Utbildning för bibliotekarier"),
]
LAST_YEAR = [
    ActivityRow(area=1, nr="1.1", activity="Bidragsvillkor", status="Pågående",
                status_text="Pågående", comment="Utkast klart.\nBeslut i höst."),
    ActivityRow(area=2, nr="2.4", activity="Utbildning för bibliotekarier", status="Genomförd",
                status_text="Klar"),
    ActivityRow(area=3, nr="3.1", activity="Regnbågsfika", responsible="Fritidsgården",
                timeframe="Varje månad", status="Ej påbörjad", status_text="Ej påbörjad"),
    ActivityRow(area=3, nr="3.2", activity="Gammal mässa", status="Utgår", status_text="Utgår"),
    ActivityRow(area=4, nr="4.1", activity="Klar sedan länge", status="Genomförd"),
    ActivityRow(area=1, nr="1.1", activity="Annat med samma nummer", status="Pågående"),
]  # fmt: skip


def test_which_activities_come_back() -> None:
    rows = carried_activities(PLAN, LAST_YEAR)
    assert [(r.area, r.nr, r.activity) for r in rows] == [
        (1, "1.1", "Bidragsvillkor"),
        (1, "", "Annat med samma nummer"),  # unfinished; its number belongs to another now
        (2, "2.1", "Utbildning för bibliotekarier"),  # matched by its text: renumbered
        (3, "3.1", "Regnbågsfika"),  # not finished and not in the plan: back, pre-filled
    ]
    assert rows[0].last_year is LAST_YEAR[0] and rows[2].last_year is LAST_YEAR[1]
    assert (rows[3].responsible, rows[3].timeframe) == ("Fritidsgården", "Varje månad")
    assert carried_activities(PLAN, None) == carried_activities(PLAN, [])
    assert all(r.last_year is None for r in carried_activities(PLAN, None))


def test_the_note_reads_as_last_year_and_is_recognised() -> None:
    note = last_year_note(LAST_YEAR[0], 2025)
    assert note == "Förra året (2025): Pågående. Utkast klart. Beslut i höst."
    assert is_last_year_note(note)
    assert last_year_note(LAST_YEAR[1], 2025) == "Förra året (2025): Genomförd."
    no_status = ActivityRow(area=1, activity="x", status_text="")
    assert last_year_note(no_status, 2025) == "Förra året (2025): ingen status angiven."
    assert not is_last_year_note("Förra året gjorde vi mycket (2025).")


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    base = load_config(config_dir)
    cycle = base.cycle("hbtqia-2026")
    return base.model_copy(update={"action_plans": {cycle.strategy: {BOARD: PLAN}}})


@pytest.fixture(scope="module")
def template(config: Config) -> bytes:
    last = ParsedTemplate(file="fjol.docx", board=BOARD, cycle="hbtqia-2025", activities=LAST_YEAR)
    return build_template(config, config.cycle("hbtqia-2026"), config.board(BOARD), last)


def test_last_year_stands_in_the_activity_cell_not_in_status_or_comment(template: bytes) -> None:
    tables = activity_tables(template)
    first = tables[1].findall(w("tr"))[1]
    cells = first.findall(w("tc"))
    paragraphs = cells[1].findall(w("p"))
    assert [style_of(p) for p in paragraphs] == ["TableText", "LastYear"]
    assert cell_text(cells[1]) == (
        "Bidragsvillkor\nFörra året (2025): Pågående. Utkast klart. Beslut i höst."
    )
    assert cell_text(cells[4]) == "" and cell_text(cells[5]) == ""  # this year's: still empty
    area3 = [cell_text(r.findall(w("tc"))[1]) for r in tables[3].findall(w("tr"))[1:]]
    assert area3[0].startswith("Regnbågsfika\nFörra året (2025): Ej påbörjad.")
    assert not any("Gammal mässa" in text for text in area3)


def test_the_reader_never_takes_last_years_answer_for_this_years(
    config: Config, template: bytes
) -> None:
    unanswered = read_template(template, "mall.docx", config)
    assert [(a.nr, a.activity, a.status) for a in unanswered.activities] == [
        ("1.1", "Bidragsvillkor", None),
        (None, "Annat med samma nummer", None),
        ("2.1", "Utbildning för bibliotekarier", None),
        ("3.1", "Regnbågsfika", None),
    ]
    assert "Förra året" not in unanswered.model_dump_json()

    parts, stamp = ooxml.read_package(template)
    files = dict(parts)
    document = ooxml.parse_xml(files["word/document.xml"])
    body = document.find(ooxml.qn("w:body"))
    assert body is not None
    for _, data_rows in template_fill.tables_with_header(body, ACTIVITY_HEADERS):
        for tr in data_rows:
            cells = template_fill.cells(tr)
            control = template_fill.content_control(cells[4])
            if template_fill.cell_text(cells[1]) and control is not None:
                template_fill.choose_item(control, "Genomförd")
                template_fill.set_cell_text(cells[5], "Klart i år.")
    files["word/document.xml"] = ooxml.to_xml(document)
    answered = read_template(
        ooxml.write_package([(n, files[n]) for n, _ in parts], timestamp=stamp),
        "svar.docx",
        config,
    )
    assert {(a.status, a.comment) for a in answered.activities} == {("Genomförd", "Klart i år.")}
    assert [a.activity for a in answered.activities] == [a.activity for a in unanswered.activities]
