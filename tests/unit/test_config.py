"""Loading config/: the demo loads; a mistake gives one line with the file and the place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.config import ConfigError, load_config
from flows.model import closest


@pytest.fixture()
def config_copy(tmp_path: Path, config_dir: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(config_dir, target)
    return target


def test_demo_config_loads(config_dir: Path) -> None:
    config = load_config(config_dir)
    assert len(config.boards) >= 12
    assert {"hbtqia-2025", "hbtqia-2026"} <= set(config.cycles)
    assert any(b.kind == "bolagsstyrelse" for b in config.boards.values())
    strategy = config.strategy_of(config.cycle())
    assert [a.number for a in strategy.areas] == [1, 2, 3, 4]
    for board in config.boards.values():
        for contact in (board.primary, board.secretary, board.escalation):
            assert contact.email.endswith(".example")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(config: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(config)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_bad_email_names_file_line_and_field(config_copy: Path) -> None:
    _replace(config_copy / "boards.yaml", "elin.forsberg@ekeby.example", "elin.forsberg@")
    message = _error(config_copy)
    boards = (config_copy / "boards.yaml").read_text(encoding="utf-8").splitlines()
    line = next(
        i
        for i, text in enumerate(boards, 1)
        if "elin.forsberg@}" in text or "elin.forsberg@," in text
    )
    assert message.startswith(
        f"{config_copy / 'boards.yaml'}:{line}: kultur-och-fritidsnamnden.primary.email"
    )
    assert "ogiltig e-postadress" in message


def test_yaml_boolean_code_is_reported(config_copy: Path) -> None:
    _replace(config_copy / "boards.yaml", "code: OMN", "code: ON")
    message = _error(config_copy)
    assert "boards.yaml" in message and ".code" in message and "True" in message


def test_unknown_strategy_in_cycle(config_copy: Path) -> None:
    _replace(config_copy / "cycles" / "hbtqia-2026.yaml", "strategy: hbtqia", "strategy: trygghet")
    message = _error(config_copy)
    assert "hbtqia-2026.yaml:" in message and "okänd strategi 'trygghet'" in message


def test_deadline_after_council_meeting(config_copy: Path) -> None:
    _replace(
        config_copy / "cycles" / "hbtqia-2026.yaml", "deadline: 2027-03-31", "deadline: 2027-06-30"
    )
    assert "fullmäktiges sammanträde" in _error(config_copy)


def test_action_plan_activity_in_wrong_area(config_copy: Path) -> None:
    _replace(
        config_copy / "action-plans" / "hbtqia.yaml",
        '{area: 2, nr: "2.1", activity: Utbildning om äldre',
        '{area: 3, nr: "2.1", activity: Utbildning om äldre',
    )
    message = _error(config_copy)
    assert "omsorgsnamnden" in message and "strategiområde 3" in message


def test_duplicate_board_code(config_copy: Path) -> None:
    _replace(config_copy / "boards.yaml", "code: MN", "code: KFN")
    assert "koden 'KFN' används redan" in _error(config_copy)


def test_invalid_yaml(config_copy: Path) -> None:
    (config_copy / "municipality.yaml").write_text("municipality: [unclosed\n", encoding="utf-8")
    assert "ogiltig YAML" in _error(config_copy)


def test_missing_directory(tmp_path: Path) -> None:
    assert "finns inte" in _error(tmp_path / "nope")


def test_an_unknown_cycle_names_the_closest_configured_ones(config_dir: Path) -> None:
    config = load_config(config_dir)
    with pytest.raises(KeyError) as typo:
        config.cycle("hbtqia-2062")
    assert "okänd uppföljning 'hbtqia-2062'" in typo.value.args[0]
    assert "menade du 'hbtqia-2026'" in typo.value.args[0]


def test_with_nothing_close_a_long_list_of_ids_is_cut_to_a_readable_line() -> None:
    assert closest("kommunstyrelsen", ["namnd-1", "namnd-2"]) == "välj en av namnd-1, namnd-2"
    many = closest("kommunstyrelsen", [f"namnd-{i:03d}" for i in range(300)])
    assert many == (
        "välj en av namnd-000, namnd-001, namnd-002, namnd-003, namnd-004, namnd-005, "
        "namnd-006, namnd-007, namnd-008, namnd-009 (och 290 till)"
    )
