"""Each heading of the template stays on the page of what it heads, as LibreOffice lays it out.

Word keeps a heading with the paragraphs and table after it through any chain of "keep with
next"; LibreOffice 7.4 did not through heading, goal, description and hint (the heading and the
goal were left at the foot of a page, the table on the next). The templates here have from 0 to
14 activities in the first area and 0 to 7 in the second, which moves every later heading
across page breaks; each page's text (pdftotext) must show, after a heading, what it heads.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from flows.config import load_config
from flows.documents.libreoffice import convert
from flows.documents.template import build_template
from tests.conftest import CONFIG_DIR, in_ci
from tests.support.docx_fixtures import with_document_xml

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, pytest.mark.xdist_group("libreoffice")]

BOARD = "kommunstyrelsen"
FIRST_AREA = range(15)
SECOND_AREA = range(8)
ANSWER = "SVARSRUTA"  # typed into each empty answer box, so that the page text shows the box


def _activity(area: int, n: int, text: str) -> dict[str, object]:
    return {
        "area": area,
        "nr": f"{area}.{n}",
        "activity": text,
        "responsible": "HR",
        "timeframe": "2026",
    }


def _templates(root: Path, strategy: str) -> Iterator[tuple[str, bytes]]:
    for first in FIRST_AREA:
        for second in SECOND_AREA:
            config_dir = root / f"config-{strategy}-{first}-{second}"
            shutil.copytree(CONFIG_DIR, config_dir)
            plan_file = config_dir / "action-plans" / f"{strategy}.yaml"
            plan = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
            long = "inom området, med en beskrivning som bryter raden i tabellens smala kolumn"
            plan[BOARD] = [_activity(1, n, f"Aktivitet {n} {long}") for n in range(1, first + 1)]
            plan[BOARD] += [_activity(2, n, f"Utbildning {n}") for n in range(1, second + 1)]
            plan_file.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
            config = load_config(config_dir)
            cycle = config.cycle(f"{strategy}-2026")
            docx = build_template(config, cycle, config.board(BOARD))
            yield f"{first}-{second}", docx


def _stranded(pages: list[str], area_label: str) -> list[str]:
    """Headings with nothing they head after them on their page."""
    found = []
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            rest = lines[i + 1 :]
            if re.fullmatch(rf"{area_label} \d+", line):
                expected = "Kommentar/resultat"  # the activity table's header row
            elif line in ("Sammanfattande analys", "Behov av stöd"):
                expected = ANSWER
            elif line == "Nyckeltal":
                expected = "Värde"
            elif re.fullmatch(r"\S+ beslut", line):
                expected = "Beslutsdatum"
            else:
                continue
            if not any(expected in later for later in rest):
                found.append(f"sida {number}: {line}")
    return found


def _typed_in_the_boxes(xml: str) -> str:
    box = '<w:pStyle w:val="AnswerText"/></w:pPr></w:p>'
    assert xml.count(box) == 2
    return xml.replace(box, f"{box[:-6]}<w:r><w:t>{ANSWER}</w:t></w:r></w:p>")


@pytest.mark.parametrize("strategy", ["hbtqia", "jamstalldhet"])
def test_no_heading_is_left_at_the_foot_of_a_page(tmp_path: Path, strategy: str) -> None:
    if shutil.which("pdftotext") is None:
        if in_ci():
            pytest.fail("poppler-utils (pdftotext) is required in CI")
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    names = []
    for name, docx in _templates(tmp_path, strategy):
        marked = with_document_xml(docx, _typed_in_the_boxes)
        path = tmp_path / f"mall-{name}.docx"
        path.write_bytes(marked)
        names.append(path)
    pdfs = convert(names, "pdf", tmp_path / "pdf", timeout=400)
    area_label = load_config(CONFIG_DIR).strategies[strategy].area_label
    stranded = {}
    for path, pdf in zip(names, pdfs, strict=True):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = text.split("\f")
        assert len(pages) > 2, path.name
        if found := _stranded(pages, area_label):
            stranded[path.stem] = found
    assert stranded == {}
