"""The reader gets out of each activity-table edge case what a person sees in the document."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_config
from flows.documents.reader import read_template
from flows.model import Config, ParsedTemplate
from tests.support import docx_fixtures as fx


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


def _rows(result: ParsedTemplate) -> list[tuple[object, ...]]:
    return [
        (
            a.area,
            a.nr or "",
            a.activity,
            a.responsible,
            a.timeframe,
            a.status_text,
            a.comment,
            a.status,
        )
        for a in result.activities
    ]


def _expected(activities: list[fx.Activity]) -> list[tuple[object, ...]]:
    return [
        (
            a.area,
            a.nr,
            a.activity,
            a.responsible,
            a.timeframe,
            a.status,
            a.comment,
            a.expected_status,
        )
        for a in activities
    ]


def _read(config: Config, name: str) -> tuple[ParsedTemplate, fx.Case]:
    case = next(c for c in fx.edge_cases(config) if c.name == name)
    return read_template(case.data, f"{name}.docx", config), case


CASES = [
    "plain",
    "tracked_changes",
    "content_controls",
    "legacy_form_fields",
    "merged_cells",
    "wrappers",
    "whitespace",
    "continued_table",
    "reordered_columns",
    "free_text_statuses",
]


def test_every_edge_case_has_a_test(config: Config) -> None:
    assert [c.name for c in fx.edge_cases(config)] == CASES


@pytest.mark.parametrize("name", CASES)
def test_activities_read_as_a_person_sees_them(config: Config, name: str) -> None:
    result, case = _read(config, name)
    assert _rows(result) == _expected(case.expected)
    assert result.board == fx.BOARD and result.cycle == fx.CYCLE
    assert not result.errors


def test_tracked_changes_read_as_accepted(config: Config) -> None:
    result, _ = _read(config, "tracked_changes")
    first = result.activities[0]
    assert first.status == "Genomförd"  # "Pågående" was deleted, "Genomförd" inserted
    assert "föreslogs" not in first.comment  # deleted text is gone
    assert first.comment.count("Flyttad text.") == 1  # moved text appears once, where it went
    assert first.responsible == "Föreningskonsulent"  # deleted paragraph mark joins the lines
    nrs = [a.nr for a in result.activities]
    assert "1.2" in nrs  # tracked inserted row
    assert "1.3" not in nrs  # tracked deleted row
    assert result.problems == []


def test_content_controls_and_placeholders(config: Config) -> None:
    result, _ = _read(config, "content_controls")
    by_nr = {a.nr: a for a in result.activities}
    assert by_nr["2.1"].activity == fx.ACTIVITIES[1].activity  # control around a cell
    assert by_nr["2.1"].responsible == "Bibliotekschef"  # control around a run
    assert by_nr["2.1"].status == "Pågående"  # combo box with a free-text value
    assert by_nr["2.1"].comment == "Två av tre grupper\nhar gått utbildningen."  # block in a cell
    assert by_nr["2.2"].status_text == ""  # "Välj status" is placeholder text
    assert by_nr["2.2"].comment == ""  # so is "Klicka här för att skriva text."
    assert {by_nr["4.1"].status, by_nr["4.2"].status} == {"Genomförd", "Ej påbörjad"}
    assert [(p.code, p.where) for p in result.problems] == [
        ("status.missing", "Strategiområde 2, aktivitet 2.2")
    ]
    assert "2.2" in result.problems[0].message and "saknar status" in result.problems[0].message


def test_legacy_dropdown_form_fields(config: Config) -> None:
    result, _ = _read(config, "legacy_form_fields")
    assert [a.status for a in result.activities[:3]] == ["Genomförd", "Ej påbörjad", "Pågående"]
    assert result.activities[0].comment == "Antogs i mars."  # FORMTEXT result, no field code
    assert all("FORM" not in a.status_text + a.comment for a in result.activities)


def test_merged_cells_are_not_repeated(config: Config) -> None:
    result, _ = _read(config, "merged_cells")
    area4 = [a for a in result.activities if a.area == 4]
    assert area4[0].timeframe == "2026" and area4[1].timeframe == ""  # vMerge continuation
    assert area4[0].responsible == ""  # Aktivitet spans Ansvarig: text lands in Aktivitet only
    assert area4[2].nr is None and area4[2].activity.startswith("Pride-parad")  # gridBefore


def test_wrappers_text_boxes_nested_tables_and_hidden_text(config: Config) -> None:
    result, _ = _read(config, "wrappers")
    a = next(a for a in result.activities if a.nr == "2.1")
    assert a.activity == "Normkritisk utbildning för bibliotekspersonal"  # no hidden text
    assert a.timeframe == "Våren 2026"  # fldSimple result
    # The text box is read once (its VML fallback copy is not) as a line of the cell.
    assert a.status_text == "Pågående\nse bilaga"
    assert a.status == "Pågående"
    assert "Grupp 1 | klar\nGrupp 2 | klar" in a.comment  # nested table, one line per row


def test_whitespace_and_unicode(config: Config) -> None:
    result, _ = _read(config, "whitespace")
    a = result.activities[0]
    assert a.activity == "Hbtqia+-perspektiv i villkoren\nför föreningsbidrag"
    assert a.activity.encode() == "Hbtqia+-perspektiv i villkoren\nför föreningsbidrag".encode()
    assert a.responsible == "Föreningskonsulent"  # soft hyphen and zero-width space removed
    assert a.timeframe == "2026"  # nbsp and tab trimmed
    assert a.status == "Genomförd"
    assert a.comment == "Villkoren ändrades:\nnya krav\nuppföljning varje år"


def test_continued_table_repeated_headers_and_blank_rows(config: Config) -> None:
    result, _ = _read(config, "continued_table")
    assert [a.nr for a in result.activities] == ["1.1", "2.1", "4.1", "4.2"]
    assert result.problems == []


def test_columns_found_by_header_not_position(config: Config) -> None:
    result, _ = _read(config, "reordered_columns")
    assert [(a.nr, a.status) for a in result.activities] == [
        ("1.1", "Genomförd"),
        ("2.1", "Pågående"),
        ("4.1", "Genomförd"),
        ("4.2", "Ej påbörjad"),
    ]
    codes = {(p.code, p.message) for p in result.problems}
    assert (
        "table.unknown_column",
        "Vi känner inte igen kolumnen ”Kostnad (kr)”, så den har inte lästs.",
    ) in codes
    assert ("table.missing_column", "Kolumnen ”Tidsplan” saknas i tabellen.") in codes
    assert all(p.level == "warning" for p in result.problems)


def test_free_text_statuses_and_unknown_kept_with_warning(config: Config) -> None:
    result, _ = _read(config, "free_text_statuses")
    unknown = next(a for a in result.activities if a.status_text == "Vet ej")
    assert unknown.status is None
    empty = result.activities[-1]
    assert empty.status is None and empty.status_text == ""
    problems = {p.code: p for p in result.problems}
    assert problems["status.unknown"].level == "warning"
    assert "”Vet ej”" in problems["status.unknown"].message
    assert "Genomförd, Pågående, Ej påbörjad eller Utgår" in problems["status.unknown"].message
    assert problems["status.missing"].where == "Strategiområde 1, aktivitet 1.12"


def test_entirely_empty_rows_are_not_activities(config: Config) -> None:
    body = fx.template_body(
        table=lambda area, acts: fx.tbl(
            [
                fx.header_row(),
                fx.tr([fx.tc("") for _ in fx.HEADERS]),
                fx.tr([fx.tc("9.9")] + [fx.tc("") for _ in fx.HEADERS[1:]]),
            ]
        )
    )
    result = read_template(fx.filled(config, body), "tom.docx", config)
    assert result.activities == []
    assert not result.errors


def test_document_without_activity_tables_is_an_error(config: Config) -> None:
    result = read_template(
        fx.filled(config, fx.p("Hej! Vi har inget att rapportera.")), "x.docx", config
    )
    assert [p.code for p in result.errors] == ["template.no_activities"]
    assert not result.unreadable


def test_area_taken_from_nr_when_headings_are_missing(config: Config) -> None:
    body = fx.tbl([fx.header_row(), fx.tr(fx.activity_cells(fx.ACTIVITIES[1]))])
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert [(a.area, a.nr) for a in result.activities] == [(2, "2.1")]
    assert "activity.no_area" not in {p.code for p in result.problems}


def test_real_template_filled_by_simulated_boards(config: Config) -> None:
    from flows.demo.answers import demo_answer, expected_result, fill_template
    from flows.documents.template import build_template

    cycle = config.cycle("hbtqia-2026")
    for board in config.boards_in(cycle):
        answer = demo_answer(config, cycle, board, seed=7)
        data = fill_template(build_template(config, cycle, board), answer)
        result = read_template(data, f"{board.id}.docx", config)
        expected = expected_result(config, cycle, board, answer)
        assert result.model_dump(exclude={"file", "problems"}) == expected.model_dump(
            exclude={"file", "problems"}
        ), board.id
        assert not result.errors


def test_strict_open_xml_document(config: Config) -> None:
    """Word's "Strict Open XML" format uses other namespaces for the same markup."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(fx.filled(config)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item).replace(
                b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                b"http://purl.oclc.org/ooxml/wordprocessingml/main",
            )
            content = content.replace(
                b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                b"http://purl.oclc.org/ooxml/officeDocument/relationships",
            )
            archive.writestr(item, content)
    strict = read_template(out.getvalue(), "strikt.docx", config)
    assert strict.model_dump(exclude={"file"}) == read_template(
        fx.filled(config), "x.docx", config
    ).model_dump(exclude={"file"})


def test_area_from_a_title_row_above_the_header(config: Config) -> None:
    a = fx.ACTIVITIES[1]
    title = fx.tr([fx.tc("Strategiområde 2 – kompetens", span=6)])
    body = fx.tbl([title, fx.header_row(), fx.tr(fx.activity_cells(a))])
    body = body.replace("2.1", "7")  # no area to be read from the number
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert [(r.area, r.nr, r.status) for r in result.activities] == [(2, "7", "Pågående")]
    assert "activity.no_area" not in {p.code for p in result.problems}


def test_activity_table_inside_a_one_cell_frame_table(config: Config) -> None:
    """Some editors (and copy-paste from web pages) put a table inside a one-cell frame."""
    body = fx.template_body(
        table=lambda area, acts: fx.tbl([fx.tr([fx.tc(fx.activity_table(acts) + fx.p())])], 1)
    )
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert [(a.area, a.nr, a.status) for a in result.activities] == [
        (a.area, a.nr, a.expected_status) for a in fx.ACTIVITIES
    ]
