"""A mail server that asks us to wait is not a fault. Exchange Online answers a throttled client
with HTTP 429 and Retry-After (tests/support/EXCHANGE_BEHAVIOUR.md); a wait beyond the adapter's
budget defers the day's messages: the run completes, says they wait, and the next run sends
each of them once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.remind import raise_if_incomplete, remind
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR
from tests.support.graph_server import GraphServer

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]

INVITE_DAY = dt.date(2027, 2, 3)  # the invitations of hbtqia-2026 go out
BOARDS = 14


def _remind(server: GraphServer, data: Path) -> dict[str, object]:
    settings = Settings(
        config=CONFIG_DIR,
        data=data,
        cycle="hbtqia-2026",
        transport="graph",
        graph=server.settings(backoff_seconds=0.01, send_window_seconds=0.2),
        preapproved_by="Sara Lindqvist",
    )
    with Runtime.from_settings(settings, clock=FixedClock(INVITE_DAY)) as runtime:
        return remind(runtime)


def test_throttled_messages_wait_for_the_next_run_and_go_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with GraphServer() as server:
        for name, value in server.env().items():  # the client secret, as in production
            monkeypatch.setenv(name, value)
        server.set_faults(rate=0.0, queued=[("http429", None)], retry_after=600)
        throttled = _remind(server, tmp_path / "var")
        assert (throttled["sent"], throttled["deferred"], throttled["failed"]) == (0, BOARDS, 0)
        raise_if_incomplete(throttled)  # not a failed run: nothing is wrong
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
