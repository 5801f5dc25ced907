"""A mail server that asks us to wait is not a fault. Exchange Online answers a throttled client
with HTTP 429 and Retry-After (tests/support/EXCHANGE_BEHAVIOUR.md); a wait beyond the adapter's
budget defers the work: the run completes and says what waits, and the next run sends each
message once. Against the local Microsoft Graph endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.collect import CollectSummary, collect, raise_if_incomplete, summary_text
from flows.config import load_config
from flows.demo.replies import board_reply
from flows.remind import raise_if_incomplete as raise_if_remind_incomplete
from flows.remind import remind
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR
from tests.support.exchange_stamp import as_delivered_by_exchange
from tests.support.graph_server import GraphServer

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]

INVITE_DAY = dt.date(2027, 2, 3)  # the invitations of hbtqia-2026 go out
ANSWER_DAY = dt.date(2027, 3, 10)
BOARDS = 14
BOARD = "socialnamnden"


@contextmanager
def _runtime(server: GraphServer, data: Path, day: dt.date) -> Iterator[Runtime]:
    """A run on `day` (a new runtime, as each run opens its own), the first wave approved."""
    settings = Settings(
        config=CONFIG_DIR,
        data=data,
        cycle="hbtqia-2026",
        transport="graph",
        graph=server.settings(backoff_seconds=0.01, send_window_seconds=0.2),
        preapproved_by="Sara Lindqvist",
    )
    with Runtime.from_settings(settings, clock=FixedClock(day)) as runtime:
        yield runtime


def _remind(server: GraphServer, data: Path) -> dict[str, object]:
    with _runtime(server, data, INVITE_DAY) as runtime:
        return remind(runtime)


def _collect(server: GraphServer, data: Path) -> CollectSummary:
    with _runtime(server, data, ANSWER_DAY) as runtime:
        return collect(runtime)


def test_throttled_messages_wait_for_the_next_run_and_go_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with GraphServer() as server:
        for name, value in server.env().items():  # the client secret, as in production
            monkeypatch.setenv(name, value)
        server.set_faults(rate=0.0, queued=[("http429", None)], retry_after=600)
        throttled = _remind(server, tmp_path / "var")
        assert (throttled["sent"], throttled["deferred"], throttled["failed"]) == (0, BOARDS, 0)
        raise_if_remind_incomplete(throttled)  # not a failed run: nothing is wrong
        rows = throttled["rows"]
        assert isinstance(rows, list)
        assert {row["Resultat"].split(":")[0] for row in rows} == {
            "Väntar, skickas vid nästa körning"
        }
        assert server.sent() == []

        server.set_faults(queued=[])
        later = _remind(server, tmp_path / "var")
        assert (later["sent"], later["deferred"], later["failed"]) == (BOARDS, 0, 0)
        again = _remind(server, tmp_path / "var")
        assert again["sent"] == 0
        assert len(server.sent()) == BOARDS


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
