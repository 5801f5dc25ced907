"""`followup check`: every file validated, every problem one Swedish line with file and line."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows.check import check
from flows.cli import main
from flows.config import ConfigError, load_config
from tests.conftest import REPO

TODAY = dt.date(2026, 12, 1)
CYCLE_FILE = Path("cycles") / "hbtqia-2026.yaml"
ENGLISH = ("Input should", "Field required", "Traceback", "Value error", "Extra inputs")


@pytest.fixture()
def config_copy(tmp_path: Path, config_dir: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(config_dir, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path: Path, needle: str) -> int:
    return next(i for i, t in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in t)


def _lines(config: Path, today: dt.date = TODAY, cycle: str | None = None) -> list[str]:
    lines = [str(f) for f in check(config, today, cycle)]
    for line in lines:
        assert "\n" not in line and " — " in line
        assert not any(e in line for e in ENGLISH), line
    return lines


def test_the_demo_configuration_is_clean(config_dir: Path) -> None:
    assert check(config_dir, TODAY) == []


def test_a_missing_field_gets_its_own_line(config_copy: Path) -> None:
    boards = config_copy / "boards.yaml"
    _replace(boards, "    name: Socialnämnden\n", "")
    (line,) = _lines(config_copy)
    assert line.startswith(f"{boards}:{_line(boards, 'id: socialnamnden')}: socialnamnden.name")
    assert "fältet saknas — lägg till 'name:'" in line


def test_an_impossible_date_names_file_and_line(config_copy: Path) -> None:
    cycle = config_copy / CYCLE_FILE
    _replace(cycle, "deadline: 2027-03-31", "deadline: 2027-02-30")
    (line,) = _lines(config_copy)
    assert line.startswith(f"{cycle}:{_line(cycle, 'deadline:')}: datumet 2027-02-30 finns inte")
    with pytest.raises(ConfigError, match="2027-02-30 finns inte"):
        load_config(config_copy)


def test_every_error_is_listed_not_only_the_first(config_copy: Path) -> None:
    _replace(config_copy / "boards.yaml", "elin.forsberg@ekeby.example", "elin.forsberg@")
    _replace(config_copy / CYCLE_FILE, "year: 2026", "year: tjugotjugosex")
    _replace(config_copy / CYCLE_FILE, "strategy: hbtqia", "strategy: hbtqai")
    lines = _lines(config_copy)
    assert len(lines) == 2  # the cycle stops at its first invalid field, then the strategy
    assert any("kultur-och-fritidsnamnden.primary.email: ogiltig e-postadress" in x for x in lines)
    assert any("year: ska vara ett heltal (fick 'tjugotjugosex')" in x for x in lines)
    with pytest.raises(ConfigError, match="och 1 fel till: kör 'followup check'"):
        load_config(config_copy)


def test_unknown_ids_come_with_the_closest_valid_ones(config_copy: Path) -> None:
    cycle = config_copy / CYCLE_FILE
    _replace(cycle, "strategy: hbtqia", "strategy: hbtqai")
    _replace(cycle, "previous: hbtqia-2025", "previous: hbtqia-2052")
    lines = _lines(config_copy)
    assert (
        f"{cycle}:{_line(cycle, 'strategy:')}: okänd strategi 'hbtqai' — menade du 'hbtqia'?"
        in lines
    )
    _replace(cycle, "strategy: hbtqai", "strategy: hbtqia")
    (line,) = _lines(config_copy)
    assert (
        "previous: okänd cykel 'hbtqia-2052' — menade du 'hbtqia-2026' eller 'hbtqia-2025'" in line
    )
    assert _lines(config_copy.parent / "config", cycle="hbtqia-2062") != []


def test_deadlines_on_weekends_and_holidays_warn(config_copy: Path) -> None:
    cycle = config_copy / CYCLE_FILE
    _replace(cycle, "deadline: 2027-03-31", "deadline: 2027-03-28")
    (line,) = _lines(config_copy)
    assert line == (
        f"{cycle}:{_line(cycle, 'deadline:')}: sista svarsdag 28 mars 2027 är en söndag — "
        "välj en arbetsdag, t.ex. 25 mars 2027"
    )
    _replace(cycle, "deadline: 2027-03-28", "deadline: 2027-03-26")  # långfredagen
    (line,) = _lines(config_copy)
    assert "26 mars 2027 är en helgdag — välj en arbetsdag, t.ex. 25 mars 2027" in line


def test_a_plan_with_dates_in_the_past_warns(config_dir: Path) -> None:
    # the second strategy's cycle (jamstalldhet-2026) warns on its own line
    (line,) = [x for x in _lines(config_dir, today=dt.date(2027, 3, 20)) if "hbtqia-2026" in x]
    assert "påminnelseplanen har datum som redan har passerat" in line
    assert "inbjudan 3 februari 2027" in line and "påminnelsen 14 dagar före 17 mars 2027" in line
    assert "3 dagar före" not in line
    later = _lines(config_dir, today=dt.date(2027, 4, 1))
    assert [x for x in later if "hbtqia-2026" in x] == []  # over: history, not a plan


def test_boards_without_a_second_contact_or_an_action_plan_warn(config_copy: Path) -> None:
    boards = config_copy / "boards.yaml"
    _replace(boards, "email: eva.lund@ekeby.example", "email: ahmed.karimi@ekeby.example")
    plans = config_copy / "action-plans" / "hbtqia.yaml"
    text = plans.read_text("utf-8")
    start, end = text.index("barn-och-ungdomsnamnden:"), text.index("utbildningsnamnden:")
    plans.write_text(text[:start] + text[end:], "utf-8")
    lines = _lines(config_copy, cycle="hbtqia-2026")
    assert len(lines) == 2
    where = f"{boards}:{_line(boards, 'id: utbildningsnamnden')}"
    assert any(x.startswith(f"{where}: utbildningsnamnden: bara en kontaktadress") for x in lines)
    assert any(
        "barn-och-ungdomsnamnden: ingen handlingsplan för hbtqia (hbtqia-2026)" in x for x in lines
    )


def test_the_command_exits_2_with_swedish_lines_and_no_traceback(
    config_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_CONFIG", str(config_copy))
    assert main(["check"]) == 0
    assert "Konfigurationen i" in capsys.readouterr().out
    _replace(config_copy / CYCLE_FILE, "deadline: 2027-03-31", "deadline: 2027-03-28")
    assert main(["check", "--cycle", "hbtqia-2026"]) == 0
    assert capsys.readouterr().out.startswith("varning: ")
    _replace(config_copy / "boards.yaml", "    code: SN\n", "")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "socialnamnden.code: fältet saknas — lägg till 'code:'" in err
    assert err.strip().endswith("1 fel och 0 varningar i " + str(config_copy) + ".")


def test_other_commands_give_the_same_line(config_copy: Path, tmp_path: Path) -> None:
    _replace(config_copy / CYCLE_FILE, "deadline: 2027-03-31", "deadline: 2027-02-30")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("followup")), "status"],
        env={
            "FOLLOWUP_CONFIG": str(config_copy),
            "FOLLOWUP_DATA": str(tmp_path / "var"),
            "PATH": "/usr/bin:/bin",
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "datumet 2027-02-30 finns inte — skriv ett datum som finns" in done.stderr
