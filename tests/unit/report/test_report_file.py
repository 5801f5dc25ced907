from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.config import ConfigError, load_config
from flows.model import Config
from flows.report.report_file import load_report_file, report_file_path


@pytest.fixture()
def config_copy(tmp_path: Path, config_dir: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(config_dir, target)
    return target


def _load(root: Path, text: str) -> object:
    config = load_config(root)
    cycle = config.cycle("hbtqia-2026")
    report_file_path(root, cycle.id).write_text(text, encoding="utf-8")
    return load_report_file(root, cycle, config.strategy_of(cycle))


def test_no_file_is_an_empty_report_file(config: Config, tmp_path: Path) -> None:
    cycle = config.cycle("hbtqia-2026")
    notes = load_report_file(tmp_path, cycle, config.strategy_of(cycle))
    assert notes.assessments == {} and notes.analysis == "" and notes.decision == []


def test_a_report_file_is_read_and_the_cycle_loader_skips_it(config_copy: Path) -> None:
    notes = _load(
        config_copy,
        "assessments:\n  2: {level: delvis, text: Kompetensen har ökat.}\n"
        "analysis: |\n  Första stycket.\n\n  Andra stycket.\n"
        "decision:\n  - att godkänna uppföljningen.\n  - lägga den till handlingarna\n",
    )
    assert notes.assessments[2].level == "delvis"  # type: ignore[attr-defined]
    assert notes.analysis.startswith("Första stycket.")  # type: ignore[attr-defined]
    assert notes.decision == [  # type: ignore[attr-defined]
        "godkänna uppföljningen",
        "lägga den till handlingarna",
    ]
    assert "hbtqia-2026.report" not in load_config(config_copy).cycles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "assessments:\n  2: {level: bra}\n",
            ":2: assessments.2.level: okänd nivå 'bra' — använd uppfyllt, delvis, ej",
        ),
        (
            "assessments:\n  9: {level: ej}\n",
            ":2: assessments: strategiområde 9 finns inte i strategin — använd strategiområde 1–4",
        ),
        ("analys: fel nyckel\n", ":1: analys: okänt fält"),
        ("assessments: [\n", "ogiltig YAML"),
    ],
)
def test_mistakes_are_one_swedish_line_with_the_line_number(
    config_copy: Path, text: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(config_copy, text)
    message = str(caught.value)
    assert "\n" not in message and "hbtqia-2026.report.yaml" in message
    assert expected in message


def test_followup_check_reads_the_report_files(config_copy: Path) -> None:
    from flows.config import read_config

    (config_copy / "cycles" / "hbtqia-2026.report.yaml").write_text(
        "assessments:\n  1: {level: kanske}\n", encoding="utf-8"
    )
    (config_copy / "cycles" / "hbtqia-2099.report.yaml").write_text("analysis: x\n")
    config, findings, _ = read_config(config_copy)
    assert config is None
    lines = [str(f) for f in findings]
    assert any("hbtqia-2026.report.yaml:2: assessments.1.level: okänd nivå" in x for x in lines)
    assert any("ingen uppföljning 'hbtqia-2099'" in x for x in lines)
