"""`followup parse FILE... [--json]`: one JSON line per file in order; exit 2 if a file could not
be read at all (its line is still printed), never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import main
from flows.config import load_config
from flows.model import Config, ParsedTemplate
from tests.support import docx_fixtures as fx

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture()
def files(config: Config, tmp_path: Path, data_dir: Path) -> dict[str, Path]:
    made = {
        "good": ("svar.docx", fx.filled(config)),
        "warned": (
            "fritext.docx",
            next(c.data for c in fx.edge_cases(config) if c.name == "free_text_statuses"),
        ),
        "pdf": ("svar.pdf", fx.pdf_document()),
        "encrypted": ("skyddad.docx", fx.encrypted(fx.filled(config))),
    }
    paths = {}
    for key, (name, data) in made.items():
        paths[key] = tmp_path / name
        paths[key].write_bytes(data)
    return paths


def test_json_lines_in_order_exit_0(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["parse", str(files["good"]), str(files["warned"]), "--json"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == 2
    first, second = (ParsedTemplate.model_validate_json(line) for line in lines)
    assert first.file == "svar.docx" and second.file == "fritext.docx"
    raw = json.loads(lines[0])
    assert set(raw) == {
        "file",
        "board",
        "cycle",
        "template_version",
        "activities",
        "indicators",
        "texts",
        "decision",
        "problems",
    }
    assert raw["decision"] == {"date": "2027-03-12", "paragraph": "§ 34"}
    assert raw["activities"][0] == {
        "area": 1,
        "nr": "1.1",
        "activity": "Hbtqia+-perspektiv i villkoren för föreningsbidrag",
        "responsible": "Föreningskonsulent",
        "timeframe": "2026",
        "status": "Genomförd",
        "status_text": "Genomförd",
        "comment": "Nya villkor antogs i mars.",
    }
    assert {p["code"] for p in json.loads(lines[1])["problems"]} == {
        "status.unknown",
        "status.missing",
    }


def test_unreadable_file_exit_2_with_its_line_printed(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["parse", str(files["pdf"]), str(files["good"]), "--json"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 2
    pdf = json.loads(lines[0])
    assert pdf["problems"][0]["code"] == "file.pdf" and pdf["activities"] == []
    assert json.loads(lines[1])["board"] == fx.BOARD


def test_readable_table_for_a_person(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(files["good"]), str(files["warned"])]) == 0
    out = capsys.readouterr().out
    assert "== svar.docx" in out
    assert "Nämnd: kultur-och-fritidsnamnden   Uppföljning: hbtqia-2026" in out
    assert "Strategiområde 4" in out and "Ej påbörjad" in out
    assert "Beslut: 2027-03-12, § 34" in out
    assert "statusen ”Vet ej” för aktiviteten 1.11" in out


def test_missing_file_is_reported_not_raised(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(data_dir / "finns-inte.docx"), "--json"]) == 2
    line = json.loads(capsys.readouterr().out)
    assert line["problems"][0]["code"] == "file.not_template"


def test_installed_command_exit_codes(files: dict[str, Path], data_dir: Path) -> None:
    command = REPO / ".venv" / "bin" / "followup"
    if not command.exists():
        command = Path(sys.executable).parent / "followup"
    env = {**os.environ, "FOLLOWUP_CONFIG": str(REPO / "config"), "FOLLOWUP_DATA": str(data_dir)}
    ok = subprocess.run(
        [str(command), "parse", str(files["good"]), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["board"] == fx.BOARD
    bad = subprocess.run(
        [str(command), "parse", str(files["good"]), str(files["encrypted"]), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    lines = bad.stdout.splitlines()
    assert [
        json.loads(line)["problems"][0]["code"] if json.loads(line)["problems"] else None
        for line in lines
    ] == [None, "file.encrypted"]
