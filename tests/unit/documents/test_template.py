"""The board's template: identification, structure, what a person sees, and LibreOffice as a
second reader (one batched conversion to PDF for the whole module)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from docx2python import docx2python
from pypdf import PdfReader

from flows.cli import main
from flows.config import load_config
from flows.documents.libreoffice import convert
from flows.documents.template import (
    ACTIVITY_HEADERS,
    ACTIVITY_WIDTHS,
    EMPTY_ACTIVITY_ROWS,
    EMPTY_ROWS_WITHOUT_PLAN,
    INDICATOR_HEADERS,
    STATUS_PLACEHOLDER,
    build_template,
)
from flows.model import STATUSES, Config
from flows.references import reference_code
from flows.swedish import long_date
from tests.support.docx_inspect import (
    NS,
    activity_tables,
    all_text,
    blocks,
    cell_text,
    custom_properties,
    paragraph_text,
    part,
    part_names,
    style_of,
    table_after,
    table_rows,
    w,
)

BOARD = "kultur-och-fritidsnamnden"
COMPANY = "ekeby-hamn"


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture(scope="module")
def kfn(config: Config) -> bytes:
    cycle = config.cycle("hbtqia-2026")
    return build_template(config, cycle, config.board(BOARD))


def test_custom_properties_identify_the_board_and_cycle(config: Config, kfn: bytes) -> None:
    cycle, board = config.cycle("hbtqia-2026"), config.board(BOARD)
    assert custom_properties(kfn) == {
        "followup_cycle": "hbtqia-2026",
        "followup_board": BOARD,
        "followup_template_version": str(cycle.template_version),
        "followup_ref": reference_code(cycle, board),
    }


def test_custom_properties_part_is_declared_and_related(kfn: bytes) -> None:
    overrides = {
        o.get("PartName"): o.get("ContentType")
        for o in part(kfn, "[Content_Types].xml").findall("ct:Override", NS)
    }
    assert overrides["/docProps/custom.xml"] == (
        "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    )
    rels = {
        r.get("Type"): r.get("Target")
        for r in part(kfn, "_rels/.rels").findall("rel:Relationship", NS)
    }
    custom_type = (
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
    )
    assert rels[custom_type] == "docProps/custom.xml"
    prop = part(kfn, "docProps/custom.xml").find("cp:property", NS)
    assert prop is not None and prop.get("fmtid") == "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    # Every part is declared: Word refuses a package with an undeclared part.
    declared = set(overrides) | {"/_rels/.rels", "/word/_rels/document.xml.rels"}
    assert {f"/{name}" for name in part_names(kfn)} - {"/[Content_Types].xml"} == declared


def test_same_inputs_give_the_same_bytes(config: Config, kfn: bytes) -> None:
    again = build_template(config, config.cycle("hbtqia-2026"), config.board(BOARD))
    assert again == kfn


def test_python_docx_opens_it_and_sees_a4_with_margins(kfn: bytes) -> None:
    document = docx.Document(io.BytesIO(kfn))
    section = document.sections[0]
    assert section.page_width and section.page_height
    assert section.left_margin and section.right_margin
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.cm, 1) == 2.5 == round(section.right_margin.cm, 1)
    assert document.core_properties.language == "sv-SE"
    assert "Kultur- och fritidsnämnden" in document.core_properties.title


def test_title_block_names_the_board_deadline_and_reference(config: Config, kfn: bytes) -> None:
    cycle = config.cycle("hbtqia-2026")
    texts = [paragraph_text(b) for b in blocks(kfn) if b.tag == w("p")]
    strategy = config.strategy_of(cycle)
    assert texts[0] == f"Uppföljning av {strategy.title}"
    assert texts[1] == "Kultur- och fritidsnämnden"
    assert "Sista svarsdag: 31 mars 2027" in texts
    assert long_date(cycle.deadline) == "31 mars 2027"
    assert f"Referens: {reference_code(cycle, config.board(BOARD))}" in texts
    assert "Redovisningen avser: verksamhetsåret 2026" in texts


def test_instructions_tell_how_to_fill_in_and_answer(config: Config, kfn: bytes) -> None:
    box = next(b for b in blocks(kfn) if b.tag == w("tbl"))
    text = cell_text(box)
    assert text.startswith("Så fyller ni i mallen")
    for needed in (*STATUSES, ".docx", "rubrikerna", "lägg till nya rader", "31 mars 2027"):
        assert needed in text
    assert config.municipality.mailbox in text
    assert config.municipality.coordinator.email in text


def test_one_heading_and_goal_per_strategy_area(config: Config, kfn: bytes) -> None:
    strategy = config.strategy_of(config.cycle("hbtqia-2026"))
    body = blocks(kfn)
    headings = [(i, paragraph_text(b)) for i, b in enumerate(body) if style_of(b) == "Heading1"]
    area_headings = [(i, t) for i, t in headings if t.startswith("Strategiområde")]
    assert [t for _, t in area_headings] == [f"Strategiområde {a.number}" for a in strategy.areas]
    for (index, _), area in zip(area_headings, strategy.areas, strict=True):
        # goal, description and hint in one paragraph, so LibreOffice keeps heading and table
        intro = paragraph_text(body[index + 1])
        assert intro.startswith(f"Mål: {area.goal}")
        assert area.description in intro
        assert body[index + 1].findall(f".//{w('br')}") and body[index + 2].tag == w("tbl")
    assert [t for _, t in headings][len(strategy.areas) :] == [
        "Nyckeltal",
        "Sammanfattande analys",
        "Behov av stöd",
        "Nämndens beslut",
    ]


def test_activity_tables_prefill_the_plan_and_leave_rows_to_add(config: Config, kfn: bytes) -> None:
    cycle = config.cycle("hbtqia-2026")
    planned = config.planned_activities(cycle, BOARD)
    tables = activity_tables(kfn)
    assert sorted(tables) == [1, 2, 3, 4]
    for area, tbl in tables.items():
        rows = table_rows(tbl)
        assert rows[0] == list(ACTIVITY_HEADERS)
        mine = [a for a in planned if a.area == area]
        expected = [[a.nr, a.activity, a.responsible, a.timeframe, "", ""] for a in mine]
        empty = EMPTY_ACTIVITY_ROWS if mine else EMPTY_ROWS_WITHOUT_PLAN
        assert rows[1:] == expected + [[""] * 6] * empty


def test_header_rows_repeat_and_stay_whole(kfn: bytes) -> None:
    for tbl in activity_tables(kfn).values():
        trs = tbl.findall("w:tr", NS)
        assert trs[0].find("w:trPr/w:tblHeader", NS) is not None
        assert all(tr.find("w:trPr/w:tblHeader", NS) is None for tr in trs[1:])
        assert trs[0].find("w:trPr/w:cantSplit", NS) is not None
        # A long comment may run over a page break rather than be clipped.
        assert all(tr.find("w:trPr/w:cantSplit", NS) is None for tr in trs[1:])
        header_fill = trs[0].find("w:tc/w:tcPr/w:shd", NS)
        assert header_fill is not None and header_fill.get(w("fill")) not in (
            None,
            "auto",
            "FFFFFF",
        )


def test_column_widths_are_readable(kfn: bytes) -> None:
    tbl = activity_tables(kfn)[1]
    grid = [int(c.get(w("w"), "0")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert tuple(grid) == ACTIVITY_WIDTHS
    nr, activity, *_, comment = grid
    assert nr == min(grid) and nr < 700
    assert {activity, comment} == set(sorted(grid)[-2:])
    section = part(kfn, "word/document.xml").find("w:body/w:sectPr", NS)
    assert section is not None
    page, margins = section.find("w:pgSz", NS), section.find("w:pgMar", NS)
    assert page is not None and margins is not None
    text_width = (
        int(page.get(w("w"), "0"))
        - int(margins.get(w("left"), "0"))
        - int(margins.get(w("right"), "0"))
    )
    assert sum(grid) == text_width


def test_status_is_an_empty_dropdown_in_every_row(kfn: bytes) -> None:
    ids: list[str] = []
    for tbl in activity_tables(kfn).values():
        for tr in tbl.findall("w:tr", NS)[1:]:
            status_cell = tr.findall("w:tc", NS)[4]
            sdt = status_cell.find(".//w:sdt", NS)
            assert sdt is not None
            items = sdt.findall("w:sdtPr/w:dropDownList/w:listItem", NS)
            assert [i.get(w("value")) for i in items] == list(STATUSES)
            assert [i.get(w("displayText")) for i in items] == list(STATUSES)
            assert sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None
            assert all_text(sdt) == STATUS_PLACEHOLDER
            assert cell_text(status_cell) == ""
            identifier = sdt.find("w:sdtPr/w:id", NS)
            assert identifier is not None
            ids.append(identifier.get(w("val"), ""))
    assert len(ids) == len(set(ids))


def test_key_figures_free_texts_and_decision(config: Config, kfn: bytes) -> None:
    strategy = config.strategy_of(config.cycle("hbtqia-2026"))
    # Each section's guidance is its table's first row, across all columns and kept whole:
    # LibreOffice then keeps the heading with the table (tests/.../test_template_layout.py).
    figures = table_after(kfn, "Nyckeltal")
    assert table_rows(figures)[:2] == [
        [
            "Ange värdet för 2026 som en siffra. Saknas uppgiften, lämna värdet tomt och förklara "
            "i kommentaren."
        ],
        list(INDICATOR_HEADERS),
    ]
    assert table_rows(figures)[2:] == [[name, "", ""] for name in strategy.indicator_names]
    hints = {section.title: section.hint for section in strategy.sections}
    for heading in ("Sammanfattande analys", "Behov av stöd"):
        box = table_after(kfn, heading)
        assert table_rows(box) == [[hints[heading]], [""]]
        _question, answer = box.findall("w:tr", NS)
        height = answer.find("w:trPr/w:trHeight", NS)
        assert height is not None and int(height.get(w("val"), "0")) >= 1000
    decision = table_after(kfn, "Nämndens beslut")
    assert table_rows(decision) == [
        [
            "Uppföljningen ska vara beslutad av nämnden. Ange datum för sammanträdet och "
            "paragrafen i protokollet."
        ],
        ["Beslutsdatum", ""],
        ["Paragraf", ""],
    ]
    for tbl in (figures, box, decision):
        first = tbl.find("w:tr", NS)
        columns = len(tbl.findall("w:tblGrid/w:gridCol", NS))
        assert first is not None and first.find("w:trPr/w:cantSplit", NS) is not None
        span = first.find("w:tc/w:tcPr/w:gridSpan", NS)
        assert (int(span.get(w("val"), "1")) if span is not None else 1) == columns


def test_company_boards_are_addressed_as_boards_of_directors(config: Config) -> None:
    data = build_template(config, config.cycle("hbtqia-2026"), config.board(COMPANY))
    texts = [paragraph_text(b) for b in blocks(data) if b.tag == w("p")]
    assert "Styrelsens beslut" in texts
    assert "Nämndens beslut" not in texts


def test_footer_carries_the_reference_and_page_numbers(config: Config, kfn: bytes) -> None:
    ref = reference_code(config.cycle("hbtqia-2026"), config.board(BOARD))
    footer = part(kfn, "word/footer1.xml")
    text = all_text(footer)
    assert text.startswith(f"Referens: {ref} · Kultur- och fritidsnämnden · Ekeby kommun · Sida ")
    fields = [f.get(w("instr"), "").strip() for f in footer.iter(w("fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]


def test_the_document_ends_with_a_closing_line_not_empty_paragraphs(kfn: bytes) -> None:
    last = blocks(kfn)[-1]
    assert last.tag == w("p") and paragraph_text(last).startswith("Tack för er redovisning!")
    empty_paragraphs = [b for b in blocks(kfn) if b.tag == w("p") and not all_text(b).strip()]
    assert empty_paragraphs == []


def test_docx2python_reads_the_prefilled_activities(config: Config, kfn: bytes) -> None:
    planned = config.planned_activities(config.cycle("hbtqia-2026"), BOARD)
    with docx2python(io.BytesIO(kfn)) as result:
        text = result.text
    for activity in planned:
        assert activity.activity in text


@pytest.mark.parametrize("cycle_id", ["hbtqia-2025", "hbtqia-2026"])
def test_every_board_gets_its_own_template(config: Config, cycle_id: str) -> None:
    cycle = config.cycle(cycle_id)
    refs = set()
    for board in config.boards_in(cycle):
        data = build_template(config, cycle, board)
        props = custom_properties(data)
        assert (props["followup_board"], props["followup_cycle"]) == (board.id, cycle.id)
        ref = reference_code(cycle, board)
        assert props["followup_ref"] == ref
        assert ref in all_text(part(data, "word/footer1.xml"))
        tables = activity_tables(data)
        prefilled = [row[0] for tbl in tables.values() for row in table_rows(tbl)[1:] if row[0]]
        assert prefilled == [a.nr for a in config.planned_activities(cycle, board.id)]
        refs.add(ref)
    assert len(refs) == len(config.boards_in(cycle))


def test_cli_writes_the_template(data_dir: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "mall.docx"
    assert main(["template", "--board", BOARD, "--cycle", "hbtqia-2025", "--out", str(out)]) == 0
    assert custom_properties(out.read_bytes())["followup_cycle"] == "hbtqia-2025"


# --------------------------------------------------------------------------- LibreOffice

PDF_BOARDS = (BOARD, COMPANY, "overformyndarnamnden")


@pytest.fixture(scope="module")
def pdf_texts(
    soffice: str, config: Config, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The templates of a few boards, converted to PDF by LibreOffice in one call."""
    directory = tmp_path_factory.mktemp("templates")
    cycle = config.cycle("hbtqia-2026")
    files = []
    for board_id in PDF_BOARDS:
        path = directory / f"{board_id}.docx"
        path.write_bytes(build_template(config, cycle, config.board(board_id)))
        files.append(path)
    pdfs = convert(files, "pdf", directory / "pdf")
    return {
        board_id: "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        for board_id, pdf in zip(PDF_BOARDS, pdfs, strict=True)
    }


def _squeeze(text: str) -> str:
    """Without whitespace: LibreOffice wraps table cells, and words at line ends."""
    return re.sub(r"\s+", "", text)


@pytest.mark.libreoffice
@pytest.mark.xdist_group("libreoffice-template")
@pytest.mark.parametrize("board_id", PDF_BOARDS)
def test_libreoffice_renders_the_template(
    pdf_texts: dict[str, str], config: Config, board_id: str
) -> None:
    cycle, board = config.cycle("hbtqia-2026"), config.board(board_id)
    text = pdf_texts[board_id]
    squeezed = _squeeze(text)
    for number in (1, 2, 3, 4):
        assert f"Strategiområde {number}" in text
    for heading in ("Nyckeltal", "Sammanfattande analys", "Behov av stöd", "Beslutsdatum"):
        assert heading in text
    assert _squeeze(board.name) in squeezed
    assert _squeeze(f"Referens: {reference_code(cycle, board)}") in squeezed
    assert _squeeze("Sista svarsdag: 31 mars 2027") in squeezed
    for activity in config.planned_activities(cycle, board_id):
        assert _squeeze(activity.activity) in squeezed
    pages = len(re.findall(r"Sida \d+ av \d+", text))
    assert pages >= 2
    assert f"Sida {pages} av {pages}" in text
