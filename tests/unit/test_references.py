from __future__ import annotations

from pathlib import Path

from flows.config import load_config
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
