"""Exchange Online through Microsoft Graph, against the Graph endpoint on localhost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.mail.factory import open_mailbox
from flows.mail.graph_settings import SECRET_NAME, GraphSettings
from flows.mail.port import Mailbox
from flows.settings import Settings
from tests.support.exchange_profile import realistic
from tests.support.graph_server import GraphServer

SEND_WINDOW_FACTOR = 6


class GraphEnv:
    name = "graph"
    supports_faults = True

    def __init__(self, server: GraphServer, data: Path, settings: GraphSettings) -> None:
        self.server = server
        self.data = data
        self.settings = settings

    def mailbox(self) -> Mailbox:
        return open_mailbox(Settings(data=self.data, transport="graph", graph=self.settings))

    def deliver(self, raw: bytes) -> None:
        self.server.deliver(raw)

    def delivered_to(self, address: str) -> list[bytes]:
        wanted = address.lower()
        return [
            s["mime"] for s in self.server.sent() if wanted in (r.lower() for r in s["recipients"])
        ]

    def set_faults(self, rate: float, *, seed: int = 1) -> None:
        # Short throttling advice: the random faults test retries, not deferral.
        self.server.set_faults(rate=rate, seed=seed, retry_after=0.01)

    def clear_faults(self) -> None:
        self.server.set_faults(rate=0.0, retry_after=self.server.behaviour.throttle_back_off)

    def lose_next_send_answer(self) -> None:
        self.server.set_faults(queued=[("drop_after", "send")])

    def throttle_long(self) -> None:
        retry_after = self.server.behaviour.throttle_back_off
        self.server.set_faults(queued=[("http429", None)], retry_after=retry_after)

    def requests(self) -> int:
        return int(self.server.stats()["total"])

    def settle(self) -> None:
        behaviour = self.server.behaviour
        time.sleep(SEND_WINDOW_FACTOR * behaviour.send_window + 0.01)


def open_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphEnv]:
    behaviour = realistic(graph=True)
    with GraphServer(behaviour=behaviour) as server:
        factor = behaviour.time_factor
        settings = server.settings(
            backoff_seconds=0.01,
            max_attempts=8,
            # The adapter's patience, scaled like the server's delays.
            max_retry_after_seconds=120 * factor,
            # Six times the server's documented /send window (the default: ten minutes).
            send_window_seconds=SEND_WINDOW_FACTOR * behaviour.send_window,
        )
        monkeypatch.setenv(SECRET_NAME, server.credentials.client_secret)
        yield GraphEnv(server, tmp_path / "var", settings)
