"""Exchange through exchangelib, against the EWS endpoint on localhost, for the contract suite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.mail.ews_settings import EwsSettings
from flows.mail.factory import open_mailbox
from flows.mail.port import Mailbox
from flows.settings import Settings
from tests.support.ews_server import DEFAULT_PASSWORD, DEFAULT_USER, EwsServer
from tests.support.exchange_profile import realistic


class EwsEnv:
    name = "ews"
    supports_faults = True

    def __init__(self, server: EwsServer, data: Path, settings: EwsSettings) -> None:
        self.server = server
        self.data = data
        self.settings = settings

    def mailbox(self) -> Mailbox:
        return open_mailbox(Settings(data=self.data, transport="ews", ews=self.settings))

    def deliver(self, raw: bytes) -> None:
        self.server.deliver(raw)

    def delivered_to(self, address: str) -> list[bytes]:
        return [s["mime"] for s in self.server.sent() if address.lower() in s["recipients"]]

    def set_faults(self, rate: float, *, seed: int = 1) -> None:
        # Short throttling advice: the random faults test retries, not deferral.
        self.server.set_faults(rate=rate, seed=seed, back_off_ms=10)

    def clear_faults(self) -> None:
        self.server.set_faults(rate=0.0, back_off_ms=None)

    def lose_next_send_answer(self) -> None:
        self.server.set_faults(queued=[("drop_after", "SendItem"), ("drop_after", "CreateItem")])

    def throttle_long(self) -> None:
        self.server.set_faults(queued=[("busy", None)], back_off_ms=None)

    def requests(self) -> int:
        return self.server.stats.total()

    def settle(self) -> None:
        time.sleep(self.server.behaviour.sent_items_delay * 1.5 + 0.01)


def open_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EwsEnv]:
    behaviour = realistic()
    with EwsServer(behaviour=behaviour) as server:
        settings = EwsSettings(
            endpoint=server.endpoint,
            address=server.address,
            auth="basic",
            username=DEFAULT_USER,
            retry_base_seconds=0.01,
            max_attempts=8,
            # The adapter's patience, scaled like the server's delays.
            max_wait_seconds=60 * behaviour.time_factor,
        )
        monkeypatch.setenv("FOLLOWUP_EWS_PASSWORD", DEFAULT_PASSWORD)
        yield EwsEnv(server, tmp_path / "var", settings)
