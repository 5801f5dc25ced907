"""pytest fixtures for Graph adapter tests: one endpoint per module, reset per test.

Import them into a test module: `from tests.support.graph_server.fixtures import ...`.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from flows.mail.graph import GraphMailbox
from flows.mail.graph_settings import GraphSettings
from tests.support.graph_server import GraphServer


@pytest.fixture(scope="module")
def graph_server_module() -> Iterator[GraphServer]:
    with GraphServer() as server:
        yield server


@pytest.fixture()
def graph_server(graph_server_module: GraphServer, monkeypatch: pytest.MonkeyPatch) -> GraphServer:
    graph_server_module.reset()
    for name, value in graph_server_module.env().items():
        monkeypatch.setenv(name, value)
    return graph_server_module


def graph_settings(**overrides: Any) -> GraphSettings:
    """Settings from the FOLLOWUP_GRAPH_* environment, with fast retries for tests."""
    values: dict[str, Any] = {"backoff_seconds": 0.01, "send_window_seconds": 0.2}
    values.update(overrides)
    return GraphSettings(**values)


@pytest.fixture()
def mailbox(graph_server: GraphServer) -> Iterator[GraphMailbox]:
    with GraphMailbox(graph_settings()) as box:
        yield box


def inbound(
    subject: str = "Återrapport", sender: str = "kfn@ekeby.example", number: int = 1
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "uppfoljning@ekeby.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<in-{number}@ekeby.example>"
    message.set_content("Hej, här kommer vår uppföljning.")
    return message.as_bytes()
