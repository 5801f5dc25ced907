"""The compile flow end to end: ledger in, Word + Excel + artifacts out, checked through
LibreOffice (every document the flow writes becomes a PDF in one soffice call) and openpyxl."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from flows.compile import CompileResult
from flows.demo.answers import demo_answer, fill_template
from flows.documents.libreoffice import convert
from flows.documents.reader import read_template
from flows.documents.template import build_template
from flows.ledger import Ledger
from flows.model import Config, ParsedTemplate, Problem
from flows.prefect_flows import compile_flow, status_flow
from flows.report.reference import Profile, build_reference
from flows.runtime import Runtime, use_runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR, in_ci
from tests.unit.report.answers import AWKWARD_COMMENT, parsed_answer

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.xdist_group("flows"),
    pytest.mark.libreoffice,
]

CYCLE = "hbtqia-2026"
TODAY = dt.date(2027, 4, 19)
REPORTING = 9  # boards 0..8 answer validly; board 9 sends only an invalid answer
REJECTED = 9


@dataclasses.dataclass(frozen=True)
class Compiled:
    config: Config
    ledger_url: str
    default: CompileResult
    replaced: CompileResult
    pdf_text: dict[str, str]  # docx name -> text of its PDF, whitespace removed


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store(
    ledger: Ledger, cycle: str, board: str, parsed: ParsedTemplate, when: dt.datetime, sender: str
) -> None:
    raw = f"{cycle}/{board}/{when.isoformat()}".encode()
    ledger.record_inbound(_sha(raw), sender=sender, received_at=when)
    ledger.add_submission(
        cycle=cycle,
        board=board,
        inbound_sha=_sha(raw),
        filename=f"{board}.docx",
        parsed=parsed,
        sender=sender,
        received_at=when,
    )


def _seed(config: Config, url: str) -> None:
    """This year: real filled-in templates read by the reader; last year: parsed answers."""
    cycle, previous = config.cycle(CYCLE), config.cycle("hbtqia-2025")
    boards = config.boards_in(cycle)
    with Ledger.open(url) as ledger:
        for i, board in enumerate(boards[:REPORTING]):
            when = dt.datetime(2027, 3, 10 + i, 9, 30, tzinfo=dt.UTC)
            answer = demo_answer(config, cycle, board, seed=i)
            document = fill_template(build_template(config, cycle, board), answer)
            parsed = read_template(document, f"{board.id}.docx", config)
            assert parsed.is_valid, parsed.errors
            if i == 0:  # an earlier version that the later one replaces
                _store(ledger, CYCLE, board.id, parsed_answer(config, cycle, board.id), when, "")
                when += dt.timedelta(days=3)
            if i == 1:  # board text that must stay text in Word and in Excel
                parsed = parsed_answer(config, cycle, board.id, shift=3)
            _store(ledger, CYCLE, board.id, parsed, when, board.primary.email)
        bad = ParsedTemplate(
            file="fel.docx",
            problems=[Problem(level="error", code="file.not_template", message="Ingen mall")],
        )
        rejected = boards[REJECTED]
        _store(ledger, CYCLE, rejected.id, bad, dt.datetime(2027, 3, 30, tzinfo=dt.UTC), "x@y.se")
        for i, board in enumerate(config.boards_in(previous)[:11]):
            when = dt.datetime(2026, 3, 20, 8, i, tzinfo=dt.UTC)
            _store(
                ledger, previous.id, board.id, parsed_answer(config, previous, board.id), when, ""
            )


def _pdf_text(pdf: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> Iterator[Compiled]:
    if shutil.which("pdftotext") is None:
        if in_ci():
            pytest.fail("poppler-utils (pdftotext) is required in CI")
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    root = tmp_path_factory.mktemp("compile")
    settings = Settings(data=root / "var", config=CONFIG_DIR)
    with Runtime.from_settings(settings) as runtime, use_runtime(runtime):
        config = runtime.config
        url = settings.ledger_url
        _seed(config, url)
        default = compile_flow(cycle=CYCLE, out=str(root / "rapport.docx"), today=TODAY)
        assert default.pdf is not None, default.pdf_error
        reference = root / "norrby-profil.docx"
        profile = Profile(municipality="Norrby kommun", body_font="Georgia", primary="7B1E3A")
        reference.write_bytes(build_reference(profile))
        replaced = compile_flow(
            cycle=CYCLE,
            out=str(root / "norrby" / "rapport-norrby.docx"),
            today=TODAY,
            reference=str(reference),
            pdf=False,
        )
        pdfs = [default.pdf, *convert([replaced.docx], "pdf", root / "pdf")]
        yield Compiled(
            config=config,
            ledger_url=url,
            default=default,
            replaced=replaced,
            pdf_text={p.stem: _pdf_text(p) for p in pdfs},
        )


def _latest(compiled: Compiled) -> list[ParsedTemplate]:
    with Ledger.open(compiled.ledger_url) as ledger:
        return [
            ParsedTemplate.model_validate_json(r.parsed_json)
            for r in ledger.latest_valid_submissions(CYCLE)
        ]


def test_outputs_are_written_where_asked(compiled: Compiled) -> None:
    for result in (compiled.default, compiled.replaced):
        assert result.docx.is_file() and result.docx.suffix == ".docx"
        assert result.xlsx == result.docx.with_suffix(".xlsx") and result.xlsx.is_file()


@pytest.mark.parametrize("which", ["rapport", "rapport-norrby"])
def test_pdf_has_every_board_activity_and_missing_board(compiled: Compiled, which: str) -> None:
    text = compiled.pdf_text[which]
    cycle = compiled.config.cycle(CYCLE)
    boards = compiled.config.boards_in(cycle)
    for parsed in _latest(compiled):
        assert parsed.board is not None
        assert _squash(compiled.config.board(parsed.board).name) in text
        for activity in parsed.activities:
            assert _squash(activity.activity) in text, activity.activity
    start = text.rindex(_squash("Bilaga 1. Ej inkommit"))
    missing = text[start:]
    for board in boards[REPORTING:]:
        assert _squash(board.name) in missing
    for board in boards[:REPORTING]:
        assert _squash(board.name) not in missing
    assert _squash("19 april 2027") in text
    assert _squash(AWKWARD_COMMENT.replace("\x0b", "")) in text


def test_summary_counts_equal_the_ledger(compiled: Compiled) -> None:
    latest = _latest(compiled)
    result = compiled.default
    assert result.reported == len(latest) == REPORTING
    assert result.boards == 14
    assert result.activities == sum(len(p.activities) for p in latest)
    summary = _squash(
        "Av 14 nämnder och styrelser har nio lämnat sin uppföljning för 2026, "
        f"med sammanlagt {result.activities} aktiviteter."
    )
    assert summary in compiled.pdf_text["rapport"]


def test_the_latest_valid_version_is_used(compiled: Compiled) -> None:
    text = compiled.pdf_text["rapport"]
    this_year = text[: text.rindex(_squash("Förändringar och avvikelser"))]
    first = compiled.config.boards_in(compiled.config.cycle(CYCLE))[0]
    # version 1 (replaced) had this made-up row; version 2 did not (last year's answer did)
    assert _squash(f"Egen aktivitet för {first.id}") not in this_year
    assert _squash(f"Egen aktivitet för {first.id}") in text


def test_replacement_reference_changes_the_look(compiled: Compiled) -> None:
    def styles(path: Path) -> bytes:
        with zipfile.ZipFile(path) as package:
            return package.read("word/styles.xml")

    default, replaced = styles(compiled.default.docx), styles(compiled.replaced.docx)
    assert default != replaced
    assert b"Georgia" in replaced and b"7B1E3A" in replaced
    assert b"Georgia" not in default


def test_excel_export_has_every_activity_and_no_formula(compiled: Compiled) -> None:
    book = openpyxl.load_workbook(io.BytesIO(compiled.default.xlsx.read_bytes()))
    rows = list(book["Aktiviteter"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == compiled.default.activities
    assert {r[0] for r in rows} == {CYCLE}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    comments = {r[9] for r in rows}
    assert any(isinstance(c, str) and c.startswith("=HYPERLINK") for c in comments)


def test_artifacts_and_status_agree(compiled: Compiled) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    keys = [f"compile-status-{CYCLE}", f"sammanstallning-{CYCLE}"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))
        )
    table = next(a for a in artifacts if a.key == keys[0])
    markdowns = " ".join(str(a.data) for a in artifacts if a.key == keys[1])
    rows = table.data if isinstance(table.data, list) else json.loads(str(table.data))
    assert len(rows) == 14
    status = status_flow(cycle=CYCLE, today=TODAY)
    assert [r["Läge"].lower() for r in rows] == [_label(b.state) for b in status.boards]
    assert [r["Inlämningar"] for r in rows] == [b.submissions for b in status.boards]
    assert sum(1 for b in status.boards if b.state == "submitted") == REPORTING
    for result in (compiled.default, compiled.replaced):
        assert str(result.docx) in markdowns and str(result.xlsx) in markdowns


def _label(state: str) -> str:
    from flows.status import STATE_LABELS

    return STATE_LABELS[state][0]  # type: ignore[index]


def test_cli_compiles_another_cycle_and_prints_the_paths(
    compiled: Compiled, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cli import main

    # the command reads its settings from the environment: the same data as the fixture's
    monkeypatch.setenv("FOLLOWUP_DATA", str(compiled.default.docx.parent / "var"))
    monkeypatch.setenv("FOLLOWUP_CONFIG", str(CONFIG_DIR))

    out = compiled.default.docx.parent / "cli" / "uppfoljning-2025.docx"
    assert main(["compile", "--cycle", "hbtqia-2025", "--out", str(out), "--no-pdf"]) == 0
    printed = capsys.readouterr().out
    assert "11 av 14 nämnder" in printed
    assert f"Rapport (Word): {out.resolve()}" in printed
    assert f"Export (Excel): {out.with_suffix('.xlsx').resolve()}" in printed
    assert f"Arbetslista: {out.with_name('uppfoljning-2025-arbetslista.docx').resolve()}" in printed
    with zipfile.ZipFile(out) as package:
        assert b"Uppf\xc3\xb6ljning 2025" in package.read("word/document.xml")


def _structure(pdf: Path) -> dict[str, object]:
    """What the PDF's structure tree and catalog say (counts of tagged elements by type)."""
    import collections

    import pikepdf

    with pikepdf.open(pdf) as doc:
        root = doc.Root
        kinds: collections.Counter[str] = collections.Counter()
        alts: list[str] = []
        stack: list[object] = [root.StructTreeRoot.get("/K")]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary):
                kind = node.get("/S")
                if kind is not None:
                    kinds[str(kind)] += 1
                    if str(kind) == "/Figure" and node.get("/Alt") is not None:
                        alts.append(str(node.get("/Alt")))
                if node.get("/K") is not None:
                    stack.append(node.get("/K"))
        with doc.open_outline() as outline:
            bookmarks = [item.title for item in outline.root]
        return {
            "marked": bool(root.MarkInfo.get("/Marked", False)),
            "lang": str(root.get("/Lang", "")),
            "title": str(doc.docinfo.get("/Title", "")),
            "display_title": bool(root.ViewerPreferences.get("/DisplayDocTitle", False)),
            "kinds": kinds,
            "alts": alts,
            "bookmarks": bookmarks,
        }


def test_the_pdf_is_tagged_swedish_titled_and_bookmarked(compiled: Compiled) -> None:
    assert compiled.default.pdf is not None
    found = _structure(compiled.default.pdf)
    assert found["marked"] is True
    assert found["lang"] == "sv-SE"
    assert str(found["title"]).startswith("På lika villkor") and found["display_title"]
    kinds = found["kinds"]
    assert isinstance(kinds, dict)
    assert kinds["/Document"] == 1 and kinds["/H1"] >= 8 and kinds["/Table"] >= 10
    assert kinds["/TH"] >= kinds["/Table"]  # every table has a header row
    alts = found["alts"]
    assert isinstance(alts, list) and len(alts) == kinds["/Figure"] >= 1
    assert all("Stapeldiagram" in a for a in alts)
    bookmarks = found["bookmarks"]
    assert isinstance(bookmarks, list)
    assert {"Förslag till beslut", "Sammanfattning", "Nyckeltal", "Behov av stöd"} <= set(bookmarks)


def test_the_pdf_contents_show_page_numbers(compiled: Compiled) -> None:
    assert compiled.default.pdf is not None
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "3", str(compiled.default.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    entries = re.findall(r"^(\S.*?)\.{3,}\s*(\d+)\s*$", text, flags=re.MULTILINE)
    titles = {title.strip(): int(page) for title, page in entries}
    assert titles["Förslag till beslut"] >= 3
    assert titles["Sammanfattning"] >= titles["Förslag till beslut"]
    assert titles["Bilaga 1. Ej inkommit"] > titles["Nyckeltal"]


def test_nothing_internal_in_the_council_document(compiled: Compiled) -> None:
    from tests.unit.report.test_document import body_text

    cycle = compiled.config.cycle(CYCLE)
    # ids that are not also plain Swedish words ("kommunstyrelsen" is both)
    ids = [*compiled.config.cycles, *(b.id for b in compiled.config.boards_in(cycle))]
    ids = [i for i in ids if "-" in i]
    assert compiled.default.pdf is not None
    pdf = subprocess.run(
        ["pdftotext", str(compiled.default.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for text in (pdf, body_text(compiled.default.docx.read_bytes())):
        assert "@" not in text
        assert not re.search(r"\.docx\b|\.pdf\b", text)
        for internal in ids:
            assert not re.search(rf"(?<![\w-]){re.escape(internal)}(?![\w-])", text), internal
        assert "Se kommentar" not in text
    working = body_text(compiled.default.working_list.read_bytes())  # type: ignore[union-attr]
    first = compiled.config.boards_in(cycle)[0]
    assert first.primary.email in working and f"{first.id}.docx" in working
    assert "Att göra före publicering" in working


def test_no_name_is_broken_across_lines(compiled: Compiled) -> None:
    """Columns are wide enough for every word of the boards' names and responsible units."""
    assert compiled.default.pdf is not None
    lines = subprocess.run(
        ["pdftotext", "-raw", str(compiled.default.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    words = {
        word.strip(",.()")
        for parsed in _latest(compiled)
        for text in [
            compiled.config.board(str(parsed.board)).name,
            *(a.responsible for a in parsed.activities),
        ]
        for word in text.split()
        if len(word) >= 10
    }
    assert words
    for above, below in itertools.pairwise(lines):
        if above.split() and below.split():
            joined = above.split()[-1] + below.split()[0]
            assert joined.rstrip("-") not in words, (above, below)
