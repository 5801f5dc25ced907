"""A reply that Exchange Online throttles (HTTP 429 with Retry-After when the reply draft is
created, tests/support/EXCHANGE_BEHAVIOUR.md) is not a fault: the collect run completes and says
the reply waits; the answer stays pending and the next run sends the reply once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.collect import CollectSummary, collect, raise_if_incomplete, summary_text
from flows.config import load_config
from flows.demo.replies import board_reply
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR
from tests.support.exchange_stamp import as_delivered_by_exchange
from tests.support.graph_server import GraphServer

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]

ANSWER_DAY = dt.date(2027, 3, 10)
BOARD = "socialnamnden"


def _collect(server: GraphServer, data: Path) -> CollectSummary:
    settings = Settings(
        config=CONFIG_DIR,
        data=data,
        cycle="hbtqia-2026",
        transport="graph",
        graph=server.settings(backoff_seconds=0.01, send_window_seconds=0.2),
    )
    with Runtime.from_settings(settings, clock=FixedClock(ANSWER_DAY)) as runtime:
        return collect(runtime)


def test_a_throttled_reply_waits_for_the_next_run_and_goes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(CONFIG_DIR)
    board = config.board(BOARD)
    pdf = board_reply(
        board,
        config.municipality,
        subject="Uppföljning hbtqia-2026 [HBT26-SN]",
        text="Här är vår uppföljning.",
        attachments=[("uppfoljning.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")],
        sent_at=dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC),
    )
    with GraphServer() as server:
        for name, value in server.env().items():  # the client secret, as in production
            monkeypatch.setenv(name, value)
        server.deliver(as_delivered_by_exchange(pdf))
        server.set_faults(queued=[("http429", "create_reply")], retry_after=600)
        throttled = _collect(server, tmp_path / "var")
        assert (throttled.processed, throttled.failed, len(throttled.deferred)) == (0, [], 1)
        raise_if_incomplete(throttled)  # not a failed run: nothing is wrong
        assert summary_text(throttled).endswith("1 svar väntar till nästa körning.")
        assert server.sent() == []

        server.set_faults(queued=[])
        later = _collect(server, tmp_path / "var")
        assert (later.processed, later.replies_sent, later.deferred) == (1, 1, [])
        assert later.outcomes["rejected"] == 1
        _collect(server, tmp_path / "var")
        (reply,) = server.sent()
        assert board.primary.email in str(reply)
