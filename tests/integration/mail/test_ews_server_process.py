"""The test EWS endpoint as a separate process, driven through its control API, as later tests
(a Prefect worker in another process) use it."""

from __future__ import annotations

import pytest

from flows.mail.factory import open_mailbox
from flows.mail.mime import parse_envelope
from flows.mail.port import OutboundMessage
from flows.settings import Settings
from tests.support.ews_server.process import ews_server_process
from tests.support.mail_samples import reply


def test_adapter_works_against_the_server_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    with ews_server_process() as control:
        assert control.health()["ok"]
        for name, value in control.env().items():
            monkeypatch.setenv(name, value)
        control.deliver(reply(message_id="<svar@kfn>"))
        control.set_faults(queued=[["http503", "SyncFolderItems"], ["drop_after", "CreateItem"]])

        mailbox = open_mailbox(Settings())
        result = mailbox.fetch_new(None)
        mailbox.send(
            OutboundMessage(
                message_id="<kvitto.1@followup>",
                to=("sekreterare@kfn.ekeby.example",),
                subject="Kvitto",
                text="Tack, vi har tagit emot er uppföljning.",
            )
        )
        mailbox.mark_processed(result.messages[0].id, "accepted")

        assert [parse_envelope(m.raw).message_id for m in result.messages] == ["<svar@kfn>"]
        [sent] = control.sent()
        assert sent["message_id"] == "<kvitto.1@followup>"
        assert sent["recipients"] == ["sekreterare@kfn.ekeby.example"]
        assert "Tack, vi har tagit emot" in parse_envelope(sent["mime"]).text
        assert control.stats()["faults"] == {"http503": 1, "drop_after": 1}
        assert open_mailbox(Settings()).fetch_new(None).messages == []
