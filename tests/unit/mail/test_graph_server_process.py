"""The test Graph endpoint as a separate process, driven through its control API."""

from __future__ import annotations

import pytest

from flows.mail.graph import GraphMailbox
from flows.mail.port import OutboundMessage
from tests.support.graph_server import graph_server_process
from tests.support.graph_server.fixtures import graph_settings, inbound


def test_adapter_works_against_the_server_process(monkeypatch: pytest.MonkeyPatch) -> None:
    with graph_server_process() as control:
        assert control.health()["ok"]
        for name, value in control.env().items():
            monkeypatch.setenv(name, value)
        delivered = control.deliver(inbound())
        control.set_faults(queued=[["http503", "delta"]], retry_after=0)
        with GraphMailbox(graph_settings()) as box:
            result = box.fetch_new(None)
            box.send(
                OutboundMessage(
                    message_id="<kvitto.1@followup>",
                    to=("kfn@ekeby.example",),
                    subject="Kvitto",
                    text="Tack, vi har tagit emot er uppföljning.",
                )
            )
            box.mark_processed(delivered, "accepted")
        assert [m.id for m in result.messages] == [delivered]
        [sent] = control.sent()
        assert sent["message_id"] == "<kvitto.1@followup>"
        assert b"Tack, vi har tagit emot" in sent["mime"]
        assert control.folder_messages("inbox") == []
        assert control.stats()["faults"] == {"http503": 1}
