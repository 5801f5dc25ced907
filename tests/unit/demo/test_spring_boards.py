"""The demo's simulated boards on a machine without LibreOffice: the board that answers with a
LibreOffice-saved template is left out with one Swedish line, and the others still answer."""

from __future__ import annotations

import io
from pathlib import Path

from flows.config import load_config
from flows.demo.script import cast
from flows.demo.spring import Boards, Timings
from tests.conftest import CONFIG_DIR


def test_without_libreoffice_that_board_is_skipped_with_one_swedish_line(tmp_path: Path) -> None:
    config = load_config(CONFIG_DIR)
    cycle = config.cycle("hbtqia-2026")
    script = cast(config.boards_in(cycle), cycle)
    (saved_in_libreoffice,) = [d.board for d in script.deliveries if d.form == "libreoffice"]
    out = io.StringIO()
    boards = Boards(config, cycle, script, tmp_path / "inbox", libreoffice=False)
    boards.prepare(Timings(), out)
    assert boards.skipped == [saved_in_libreoffice]
    note = out.getvalue()
    assert note.count("\n") == 1
    assert note.startswith("Obs: LibreOffice är inte installerat, så ")
    assert config.board(saved_in_libreoffice).name in note
    others = {d.board for d in script.deliveries} - {saved_in_libreoffice}
    assert others <= set(boards.documents)
