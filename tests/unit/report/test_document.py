from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from flows.model import Config
from flows.report.document import build_report
from flows.report.frame import Frames
from flows.report.reference import Profile, build_reference
from flows.report.styles import REQUIRED
from flows.report.wordxml import w
from flows.swedish import long_date as swedish_date
from tests.unit.report.answers import AWKWARD_COMMENT

REPORT_DATE = dt.date(2027, 4, 19)
WP_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


@pytest.fixture(scope="module")
def report(config: Config, frames: Frames, previous_frames: Frames) -> bytes:
    return build_report(config, frames, previous_frames, report_date=REPORT_DATE)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def body_text(data: bytes) -> str:
    body = part(data, "word/document.xml")
    return "\n".join("".join(str(t) for t in p.itertext()) for p in body.iter(w("p")))


def test_title_page(report: bytes, config: Config, frames: Frames) -> None:
    text = body_text(report)
    head = text[: text.index("Innehåll")]
    assert config.strategy_of(frames.cycle).title in head
    assert "Uppföljning 2026" in head
    assert "Kommunstyrelsen" in head and "Kommunledningskontoret" in head
    assert "19 april 2027" in head
    assert "KS 2027/0118" in head


def test_every_board_and_activity_is_in_the_report(report: bytes, frames: Frames) -> None:
    text = body_text(report)
    for name in frames.boards["board_name"]:
        assert name in text
    for activity in frames.activities["activity"]:
        assert activity in text
    missing_part = text[text.rindex("Bilaga 1. Ej inkommit") :]
    for name in frames.boards.loc[~frames.boards["reported"], "board_name"]:
        assert name in missing_part


def test_no_stale_thumbnail_of_the_reference(report: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(report)) as package:
        assert not [n for n in package.namelist() if "thumbnail" in n]


def test_board_text_is_inserted_as_text(report: bytes) -> None:
    assert AWKWARD_COMMENT.replace("\x0b", "").strip() in body_text(report)


def test_table_of_contents_is_refreshed_when_word_opens_it(report: bytes) -> None:
    settings = part(report, "word/settings.xml")
    update = settings.find(w("updateFields"))
    assert update is not None and update.get(w("val")) == "true"
    instructions = "".join(
        str(t) for t in part(report, "word/document.xml").itertext(w("instrText"))
    )
    assert "TOC" in instructions
    # Word is strict about the order of settings: updateFields must precede compat and rsids
    tags = [etree.QName(c).localname for c in settings]
    assert tags.index("updateFields") < tags.index("compat")


def test_activity_tables_repeat_their_header_row(report: bytes) -> None:
    body = part(report, "word/document.xml")
    tables = body.findall(f".//{w('tbl')}")
    assert len(tables) >= 4
    for table in tables:
        first = table.find(w("tr"))
        assert first is not None and first.find(f"{w('trPr')}/{w('tblHeader')}") is not None


def test_chart_has_alt_text(report: bytes) -> None:
    body = part(report, "word/document.xml")
    described = [d.get("descr", "") for d in body.iter(WP_DOCPR)]
    assert any(d.startswith("Stapeldiagram") and "strategiområde 1" in d for d in described)


def test_year_over_year_and_planned_sections(report: bytes) -> None:
    text = body_text(report)
    assert "Status 2026 jämfört med 2025" in text
    assert "Aktiviteterna jämfört med 2025" in text
    assert "Planerade aktiviteter som inte redovisats" in text


def test_reference_header_footer_and_styles_are_kept(report: bytes) -> None:
    document = docx.Document(io.BytesIO(report))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    footer = "".join(str(t) for t in section.footer._element.itertext(w("instrText")))
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert section.header._element.findall(f".//{WP_DOCPR}")  # the logo
    names = {s.name for s in document.styles}
    assert {"Mål", "Tabelltext", "Uppföljningstabell"} <= names


def test_a_replacement_reference_changes_the_look(
    tmp_path: Path, config: Config, frames: Frames, report: bytes
) -> None:
    profile = Profile(municipality="Norrby kommun", body_font="Georgia", primary="8B0000")
    reference = tmp_path / "norrby.docx"
    reference.write_bytes(build_reference(profile))
    other = build_report(config, frames, None, reference=reference, report_date=REPORT_DATE)
    styles = etree.tostring(part(other, "word/styles.xml"))
    assert styles != etree.tostring(part(report, "word/styles.xml"))
    assert b"Georgia" in styles and b"8B0000" in styles
    assert body_text(other).count("Strategiområde 1") >= 1


def test_a_reference_without_our_styles_still_builds(
    tmp_path: Path, config: Config, frames: Frames
) -> None:
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    data = build_report(config, frames, None, reference=plain, report_date=REPORT_DATE)
    names = {s.name for s in docx.Document(io.BytesIO(data)).styles}
    assert set(REQUIRED) - {"Normal"} <= names | {"Heading 1", "Heading 2", "Heading 3"}
    assert "Mål" in names


def test_swedish_dates() -> None:
    assert swedish_date(dt.date(2027, 4, 19)) == "19 april 2027"
    assert swedish_date(dt.date(2027, 3, 1)) == "1 mars 2027"


def test_a_cycle_without_answers_still_gives_a_report(
    config: Config, previous_frames: Frames
) -> None:
    from flows.report.frame import build_frames

    empty = build_frames(config, config.cycle("hbtqia-2026"), [])
    text = body_text(build_report(config, empty, previous_frames, report_date=REPORT_DATE))
    assert "Ingen av kommunens 14 nämnder och styrelser har lämnat sin uppföljning" in text
    assert "Ingen nämnd eller styrelse har redovisat." in text
    assert "Ingen bedömning" in text


def test_reported_by_text_is_short_for_many_boards() -> None:
    from flows.report.document import reported_by_text

    reporting = ["A", "B", "Ekebyhem AB, styrelsen", "D", "E"]
    assert reported_by_text([], reporting) == "Ingen"
    assert reported_by_text(reporting, reporting) == "Alla som redovisat (5)"
    assert reported_by_text(["A", "B", "D", "E"], reporting) == (
        "Alla som redovisat utom Ekebyhem AB, styrelsen"
    )
    assert reported_by_text(["A", "Ekebyhem AB, styrelsen"], reporting) == (
        "A; Ekebyhem AB, styrelsen"
    )
