from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_config
from flows.model import Board, Contact
from flows.references import find_references, reference_code, resolve_reference


def test_every_board_and_cycle_round_trips(config_dir: Path) -> None:
    config = load_config(config_dir)
    codes = set()
    for cycle in config.cycles.values():
        for board in config.boards.values():
            code = reference_code(cycle, board)
            codes.add(code)
            assert resolve_reference(config, code) == (cycle, board)
            assert resolve_reference(config, code.lower()) == (cycle, board)
            assert find_references(f"Sv: Uppföljning [{code}] tack") == [code]
    assert len(codes) == len(config.cycles) * len(config.boards)


def test_mistyped_code_is_not_resolved(config_dir: Path) -> None:
    config = load_config(config_dir)
    code = reference_code(config.cycle(), config.board("socialnamnden"))
    wrong_check = code[:-2] + ("AA" if code[-2:] != "AA" else "BB")
    assert resolve_reference(config, wrong_check) is None
    assert resolve_reference(config, code.replace("-SN-", "-KFN-")) is None
    assert resolve_reference(config, "nonsense") is None


@pytest.mark.parametrize(
    "text",
    [
        "Beslutet togs 2017-07-24 av nämnden.",
        "Ring 070-123-45 eller 08-555-22",
        "Dnr 2026-0118-AB",
        "se KS-2027-0118-AB",
        "HBT26-KFN-Q7-extra",
        "prefix-HBT26-KFN-Q7",
        "ÅHBT26-KFN-Q7",
    ],
)
def test_ordinary_text_is_not_a_reference_code(text: str) -> None:
    assert find_references(text) == []


def test_a_reference_code_in_ordinary_text_is_found() -> None:
    assert find_references("Bifogar mallen (ref HBT26-KFN-Q7), mvh") == ["HBT26-KFN-Q7"]
    assert find_references("[hbt26-kfn-q7]") == ["HBT26-KFN-Q7"]


def test_a_code_of_digits_only_is_not_a_valid_code() -> None:
    contact = Contact(name="X", email="x@example.se")
    with pytest.raises(ValueError, match="minst en versal"):
        Board(id="x", code="2026", name="X", primary=contact, secretary=contact, escalation=contact)
