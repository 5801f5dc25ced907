"""The contract suite runs once per transport. To add one: write `env_<name>.py` with an
`open_env(tmp_path, monkeypatch)` generator yielding a `MailboxEnv`, and list it here."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.environment import MailboxEnv

ENVIRONMENTS = {
    "maildir": "tests.contract.env_maildir",
    "ews": "tests.contract.env_ews",
    "graph": "tests.contract.env_graph",
}


@pytest.fixture(params=sorted(ENVIRONMENTS))
def mailbox_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MailboxEnv]:
    module = importlib.import_module(ENVIRONMENTS[request.param])
    yield from module.open_env(tmp_path, monkeypatch)
