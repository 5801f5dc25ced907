"""What the contract suite needs from each transport's test environment.

Each transport has one module `env_<name>.py` with a factory `open_env(tmp_path, monkeypatch)`
(a generator yielding a `MailboxEnv`), listed in `conftest.ENVIRONMENTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from flows.mail.port import Mailbox


class MailboxEnv(Protocol):
    name: str
    supports_faults: bool  # False: set_faults has nothing to inject (the local Maildir)

    def mailbox(self) -> Mailbox:
        """A fresh adapter on the same mailbox, as a new flow run would open it."""

    def deliver(self, raw: bytes) -> None:
        """Put a raw RFC 5322 message into the inbox, as the mail server would."""

    def delivered_to(self, address: str) -> list[bytes]:
        """Raw messages the system sent that reached `address` (To or Cc)."""

    def set_faults(self, rate: float, *, seed: int = 1) -> None:
        """Make this share of requests fail (HTTP 500/503, throttling, dropped connections)."""

    def clear_faults(self) -> None: ...

    def lose_next_send_answer(self) -> None:
        """The next request that sends (SendItem, /send) takes effect; its answer is lost."""

    def throttle_long(self) -> None:
        """The next request is throttled with a wait longer than the adapter's budget."""

    def requests(self) -> int:
        """Requests the server has answered so far (0 for the local Maildir)."""

    def settle(self) -> None:
        """Wait out the server's documented delays (Sent Items filing, the /send window)."""


EnvFactory = Callable[[Path, pytest.MonkeyPatch], Iterator[MailboxEnv]]
