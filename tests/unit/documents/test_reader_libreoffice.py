"""Documents that went through LibreOffice: saved again as .docx (a board editing in LibreOffice),
and .doc/.odt/.rtf files that the reader converts to .docx first, with a warning.

All round trips run in ONE soffice call (session-scoped); making the .doc is a second; each
conversion by the reader is its own call, as in production.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.config import load_config
from flows.documents.libreoffice import convert
from flows.documents.reader import read_template
from flows.model import Config, ParsedTemplate
from tests.support import docx_fixtures as fx

pytestmark = [pytest.mark.libreoffice, pytest.mark.xdist_group("libreoffice")]

# Cases whose documents LibreOffice keeps as they are. Not here: merged_cells (the fixture has
# no tblGrid and no cell widths, so LibreOffice lays out a grid of its own) and wrappers
# (LibreOffice recalculates the DATE field in it).
ROUND_TRIP_CASES = (
    "plain",
    "tracked_changes",
    "content_controls",
    "legacy_form_fields",
    "whitespace",
    "continued_table",
    "reordered_columns",
    "free_text_statuses",
)
REAL_BOARDS = ("kultur-och-fritidsnamnden", "socialnamnden", "kommunstyrelsen")


@dataclass
class Converted:
    round_trips: dict[str, bytes]
    real: dict[str, tuple[bytes, ParsedTemplate]]  # board → (round-tripped, expected)
    doc: bytes
    last_year: tuple[bytes, bytes]  # (original, round-tripped): a template with last year's notes


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture(scope="module")
def converted(config: Config, soffice: str) -> Iterator[Converted]:
    from flows.demo.answers import demo_answer, expected_result, fill_template
    from flows.documents.template import build_template

    cases = {c.name: c for c in fx.edge_cases(config)}
    cycle = config.cycle("hbtqia-2026")
    with tempfile.TemporaryDirectory(prefix="followup-lo-test-") as tmp:
        source = Path(tmp, "in")
        source.mkdir()
        files = []
        for name in ROUND_TRIP_CASES:
            files.append(source / f"{name}.docx")
            files[-1].write_bytes(cases[name].data)
        expected = {}
        for i, board_id in enumerate(REAL_BOARDS):
            board = config.board(board_id)
            answer = demo_answer(config, cycle, board, seed=i)
            files.append(source / f"{board_id}.docx")
            files[-1].write_bytes(fill_template(build_template(config, cycle, board), answer))
            expected[board_id] = expected_result(config, cycle, board, answer)
        board = config.board(REAL_BOARDS[0])
        last_year = build_template(config, cycle, board, fx.last_year_answer(config, board.id))
        files.append(source / "last-year.docx")
        files[-1].write_bytes(last_year)
        outputs = convert(files, "docx:MS Word 2007 XML", Path(tmp, "out"))
        (doc,) = convert([files[0]], "doc:MS Word 97", Path(tmp, "doc"))
        data = {f.stem: out.read_bytes() for f, out in zip(files, outputs, strict=True)}
        yield Converted(
            round_trips={n: data[n] for n in ROUND_TRIP_CASES},
            real={b: (data[b], expected[b]) for b in REAL_BOARDS},
            doc=doc.read_bytes(),
            last_year=(last_year, data["last-year"]),
        )


@pytest.mark.parametrize("name", ROUND_TRIP_CASES)
def test_edge_cases_after_a_libreoffice_round_trip(
    config: Config, converted: Converted, name: str
) -> None:
    case = next(c for c in fx.edge_cases(config) if c.name == name)
    original = read_template(case.data, "original.docx", config)
    again = read_template(converted.round_trips[name], "libreoffice.docx", config)
    assert again.model_dump(exclude={"file"}) == original.model_dump(exclude={"file"})
    assert (again.board, again.cycle) == (fx.BOARD, fx.CYCLE)


@pytest.mark.parametrize("board", REAL_BOARDS)
def test_real_template_after_a_libreoffice_round_trip(
    config: Config, converted: Converted, board: str
) -> None:
    data, expected = converted.real[board]
    result = read_template(data, f"{board}.docx", config)
    assert result.model_dump(exclude={"file", "problems"}) == expected.model_dump(
        exclude={"file", "problems"}
    )
    assert not result.errors


def test_last_years_notes_after_a_libreoffice_round_trip(
    config: Config, converted: Converted
) -> None:
    original, again = converted.last_year
    before = read_template(original, "mall.docx", config)
    after = read_template(again, "libreoffice.docx", config)
    assert after.activities == before.activities
    assert any(a.nr is None for a in before.activities)  # an unfinished one came back
    assert "Förra året" not in after.model_dump_json()


def test_doc_is_converted_and_read_with_a_warning(config: Config, converted: Converted) -> None:
    result = read_template(converted.doc, "svar.doc", config)
    assert [p.code for p in result.problems] == ["format.converted"]
    assert result.problems[0].level == "warning"
    assert "Word 97–2003 (.doc)" in result.problems[0].message
    original = read_template(fx.filled(config), "svar.docx", config)
    assert result.activities == original.activities
    assert (result.board, result.cycle) == (fx.BOARD, fx.CYCLE)


def test_odt_is_converted_and_read_with_a_warning(config: Config, soffice: str) -> None:
    ref = fx.properties_for(config)["followup_ref"]
    result = read_template(fx.odt_document(ref), "svar.odt", config)
    assert result.problems[0].code == "format.converted"
    assert "OpenDocument" in result.problems[0].message
    assert (result.board, result.cycle) == (fx.BOARD, fx.CYCLE)  # from the reference in the text
    assert [(a.nr, a.status) for a in result.activities] == [("1.1", "Genomförd")]
    assert not result.errors


def test_rtf_is_converted_and_read_with_a_warning(config: Config, soffice: str) -> None:
    ref = fx.properties_for(config)["followup_ref"]
    result = read_template(fx.rtf_document(ref), "svar.rtf", config)
    assert result.problems[0].code == "format.converted"
    assert [(a.nr, a.status, a.status_text) for a in result.activities] == [
        ("1.1", "Pågående", "Pågår")
    ]
    assert (result.board, result.cycle) == (fx.BOARD, fx.CYCLE)


def test_doc_rejected_when_conversion_is_off(config: Config, converted: Converted) -> None:
    result = read_template(converted.doc, "svar.doc", config, convert=False)
    assert [p.code for p in result.problems] == ["file.doc"]
    assert result.unreadable
    assert "äldre Word-formatet (.doc)" in result.problems[0].message


def test_password_protected_doc_is_rejected(config: Config, converted: Converted) -> None:
    import io

    import olefile

    # Set FibBase.fEncrypted, as Word does for a .doc saved with a password.
    with olefile.OleFileIO(io.BytesIO(converted.doc), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[11] |= 0x01
        ole.write_stream("WordDocument", bytes(stream))
        ole.fp.seek(0)
        protected = ole.fp.read()
    result = read_template(protected, "svar.doc", config)
    assert [p.code for p in result.problems] == ["file.encrypted"]
