"""The demo's simulated boards on a machine without LibreOffice: the board that answers with a
LibreOffice-saved template is left out with one Swedish line, and the others still answer."""

from __future__ import annotations

from pathlib import Path

from flows.config import load_config
from flows.demo.script import cast
from flows.demo.spring import Boards, Timings, skipped_note
from tests.conftest import CONFIG_DIR


def test_without_libreoffice_that_board_is_skipped_with_one_swedish_line(tmp_path: Path) -> None:
    config = load_config(CONFIG_DIR)
    cycle = config.cycle("hbtqia-2026")
    script = cast(config.boards_in(cycle), cycle)
    (saved_in_libreoffice,) = [d.board for d in script.deliveries if d.form == "libreoffice"]
    boards = Boards(config, cycle, script, tmp_path / "inbox", libreoffice=False)
    boards.prepare(Timings())
    assert boards.skipped == [saved_in_libreoffice]
    others = {d.board for d in script.deliveries} - {saved_in_libreoffice}
    assert others <= set(boards.documents)


def test_a_board_two_strategies_leave_out_is_named_once() -> None:
    note = skipped_note(["Barn- och ungdomsnämnden", "Barn- och ungdomsnämnden", "Socialnämnden"])
    assert note == (
        "Obs: LibreOffice är inte installerat, så Barn- och ungdomsnämnden och Socialnämnden "
        "(som svarar med en mall sparad i LibreOffice) hoppas över i demot."
    )
