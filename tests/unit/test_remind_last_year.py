"""The invitation's template carries last year's answer forward: remind reads each board's
latest valid answer to the previous cycle from the ledger and gives it to build_template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.documents.template import build_template
from flows.remind import last_year_answers, remind
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR
from tests.support import docx_fixtures as fx
from tests.support.docx_inspect import all_text, body

INVITE_DAY = dt.date(2027, 2, 3)
BOARD = "kultur-och-fritidsnamnden"


def test_the_invitation_template_shows_last_years_answer(tmp_path: Path) -> None:
    settings = Settings(config=CONFIG_DIR, data=tmp_path / "var")
    with Runtime.from_settings(settings, clock=FixedClock(INVITE_DAY)) as runtime:
        ledger, config, cycle = runtime.ledger, runtime.config, runtime.cycle()
        assert last_year_answers(ledger, config, cycle) == {}
        for version, valid in ((1, True), (2, False)):
            sha = f"{version}" * 64
            ledger.record_inbound(sha, now=dt.datetime(2026, 3, version, tzinfo=dt.UTC))
            answer = fx.last_year_answer(config, BOARD)
            if not valid:  # a later, invalid version does not replace the valid one
                answer = answer.model_copy(update={"activities": []})
            ledger.add_submission(
                cycle="hbtqia-2025",
                board=BOARD,
                inbound_sha=sha,
                filename="fjol.docx",
                parsed=answer,
                valid=valid,
            )
        answers = last_year_answers(ledger, config, cycle)
        assert set(answers) == {BOARD} and answers[BOARD].activities
        template = build_template(config, cycle, config.board(BOARD), answers[BOARD])
        assert "Förra året (2025)" in all_text(body(template))
        assert remind(runtime, dry_run=True)["due"] == 14  # the templates build with it
