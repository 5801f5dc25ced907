"""The local Maildir for the contract suite."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import getaddresses
from pathlib import Path

import pytest

from flows.mail.factory import open_mailbox
from flows.mail.maildir import MaildirMailbox
from flows.mail.mime import parse_envelope_headers
from flows.mail.port import Mailbox
from flows.settings import Settings


class MaildirEnv:
    name = "maildir"
    supports_faults = False

    def __init__(self, data: Path) -> None:
        self.settings = Settings(data=data, transport="maildir")
        self._local = MaildirMailbox(self.settings.mail_dir)

    def mailbox(self) -> Mailbox:
        return open_mailbox(self.settings)

    def deliver(self, raw: bytes) -> None:
        self._local.deliver(raw)

    def delivered_to(self, address: str) -> list[bytes]:
        return [raw for raw in self._local.sent_messages() if address in _recipients(raw)]

    def set_faults(self, rate: float, *, seed: int = 1) -> None:
        pass  # a local directory has no transport to fail

    def clear_faults(self) -> None:
        pass

    def lose_next_send_answer(self) -> None:
        pass

    def throttle_long(self) -> None:
        pass

    def requests(self) -> int:
        return 0

    def settle(self) -> None:
        pass


def _recipients(raw: bytes) -> set[str]:
    headers = parse_envelope_headers(raw)
    values = [headers.get("to", ""), headers.get("cc", "")]
    return {addr.lower() for _, addr in getaddresses(values) if addr}


def open_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MaildirEnv]:
    yield MaildirEnv(tmp_path / "var")
