"""The compiled documents go to the coordinator by email: recorded in the ledger before they are
sent, once per output, with the files attached; a real Maildir and a real SQLite ledger."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from flows.compile import compile_cycle, summary_markdown
from flows.delivery import content_key, deliver, plan_delivery
from flows.ledger import Ledger
from flows.mail.maildir import MaildirMailbox
from flows.runtime import Runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR

FILES = [("uppfoljning-hbtqia-2026.docx", b"PK docx"), ("uppfoljning-hbtqia-2026.xlsx", b"PK x")]


def _sent(data: Path) -> list[EmailMessage]:
    sent = data / "mail" / "sent"
    return [
        message_from_bytes(p.read_bytes(), policy=default_policy)
        for sub in ("new", "cur")
        if (sent / sub).is_dir()
        for p in sorted((sent / sub).iterdir())
    ]


def test_compile_emails_the_documents_to_the_coordinator_once(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, config=CONFIG_DIR)
    with Runtime.from_settings(settings) as runtime:
        result = compile_cycle(runtime, "hbtqia-2026", today=dt.date(2027, 4, 19))
        coordinator = runtime.config.municipality.coordinator.email
        assert result.delivered_to == coordinator
        [message] = _sent(tmp_path)
        assert message["To"] == coordinator
        assert message["Subject"].startswith("Sammanställningen är klar")
        names = [part.get_filename() for part in message.iter_attachments()]
        assert names == [result.docx.name, result.xlsx.name]
        attached = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
        assert attached[result.docx.name] == result.docx.read_bytes()
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        text = body.get_content()
        assert "0 av 14 nämnder och styrelser har redovisat" in text
        assert result.docx.name in text

        records = [r for r in runtime.ledger.outbound_for("hbtqia-2026")]
        assert [(r.kind, r.sent) for r in records] == [("report_delivery", True)]

        note = summary_markdown(result)
        assert f"]({result.docx.as_uri()})" in note and f"]({result.xlsx.as_uri()})" in note
        assert f"med e-post till {coordinator}" in note.replace("\\", "")


def test_the_same_output_is_delivered_once_and_a_crash_is_resumed(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, config=CONFIG_DIR)
    mailbox = MaildirMailbox(tmp_path / "mail", address="uppfoljning@ekeby.example")
    with Runtime.from_settings(settings) as runtime, Ledger.open(settings.ledger_url) as ledger:
        config, cycle = runtime.config, runtime.cycle("hbtqia-2026")
        planned = plan_delivery(config, cycle, FILES, reported=3, boards=14, missing=["X"])
        again = plan_delivery(config, cycle, FILES, reported=3, boards=14, missing=["X"])
        assert again == planned and planned.plan_key == content_key(FILES)

        # A run that crashed after recording the message, before sending it: the next run sends
        # it under the same Message-ID, and later runs with the same output send nothing.
        ledger.reserve_outbound(
            cycle=planned.cycle,
            board=None,
            kind=planned.kind,
            plan_key=planned.plan_key,
            to=planned.message.to,
            cc=planned.message.cc,
            subject=planned.message.subject,
            message_id=planned.message.message_id,
        )
        first = deliver(ledger, mailbox, planned)
        assert first.sent_now
        assert not deliver(ledger, mailbox, again).sent_now
        assert len(_sent(tmp_path)) == 1

        changed = [(FILES[0][0], b"PK docx, new version"), FILES[1]]
        newer = plan_delivery(config, cycle, changed, reported=4, boards=14, missing=[])
        assert newer.plan_key != planned.plan_key
        assert deliver(ledger, mailbox, newer).sent_now
        assert len(_sent(tmp_path)) == 2


def test_in_test_mode_the_documents_go_to_the_test_address(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path, config=CONFIG_DIR)
    with Runtime.from_settings(settings) as runtime:
        planned = plan_delivery(
            runtime.config,
            runtime.cycle("hbtqia-2026"),
            FILES,
            reported=1,
            boards=1,
            missing=[],
            test_address="test@ekeby.example",
        )
    assert planned.message.to == ("test@ekeby.example",)
    assert planned.plan_key.startswith("test:")
    assert "1 av 1 nämnd har redovisat" in planned.message.text
