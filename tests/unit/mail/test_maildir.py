"""The local Maildir adapter: what a coordinator or a mail client leaves in the folders."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from flows.mail.maildir import MaildirMailbox, sent_file_name
from flows.mail.mime import parse_envelope
from flows.mail.port import MailError, OutboundMessage
from tests.support.mail_samples import reply


@pytest.fixture()
def mailbox(tmp_path: Path) -> MaildirMailbox:
    return MaildirMailbox(tmp_path / "mail")


def ids(mailbox: MaildirMailbox, state: str | None = None) -> list[str | None]:
    return [parse_envelope(m.raw).message_id for m in mailbox.fetch_new(state).messages]


def test_creates_inbox_sent_and_processed_folders(tmp_path: Path) -> None:
    MaildirMailbox(tmp_path / "mail")
    for folder in ("inbox", "sent", "processed"):
        for sub in ("new", "cur", "tmp"):
            assert (tmp_path / "mail" / folder / sub).is_dir()


def test_eml_dropped_into_inbox_itself_is_fetched_once(mailbox: MaildirMailbox) -> None:
    (mailbox.inbox_dir / "svar från KFN.eml").write_bytes(reply(message_id="<drop@kfn>"))
    first = mailbox.fetch_new(None)
    assert [parse_envelope(m.raw).message_id for m in first.messages] == ["<drop@kfn>"]
    assert not (mailbox.inbox_dir / "svar från KFN.eml").exists()
    assert ids(mailbox, first.state) == []


def test_files_written_by_mail_clients_into_new_and_cur_are_fetched(
    mailbox: MaildirMailbox,
) -> None:
    (mailbox.inbox_dir / "new" / "1700000000.M1P2.host").write_bytes(reply(message_id="<n@k>"))
    (mailbox.inbox_dir / "cur" / "1700000001.M3P4.host:2,S").write_bytes(reply(message_id="<c@k>"))
    (mailbox.inbox_dir / "new" / ".DS_Store").write_bytes(b"junk")
    assert sorted(ids(mailbox), key=str) == ["<c@k>", "<n@k>"]


def test_raw_bytes_are_returned_unchanged(mailbox: MaildirMailbox) -> None:
    raw = reply(message_id="<exact@k>").replace(b"\r\n", b"\n")
    mailbox.deliver(raw)
    assert mailbox.fetch_new(None).messages[0].raw == raw


def test_processed_message_moves_with_its_outcome(mailbox: MaildirMailbox) -> None:
    key = mailbox.deliver(reply(message_id="<p@k>"))
    mailbox.mark_processed(key, "rejected\r\nBcc: evil@example.com")
    mailbox.mark_processed(key, "rejected")  # again: no error
    [path] = (mailbox.processed_dir / "cur").iterdir()
    stored = path.read_bytes()
    first_line, _, rest = stored.partition(b"\n")
    assert first_line.rstrip(b"\r") == b"X-Followup-Outcome: rejected Bcc: evil@example.com"
    assert rest.startswith(b"From: ")
    assert parse_envelope(stored).message_id == "<p@k>"
    assert ids(mailbox) == []


def test_marking_an_unknown_message_is_a_permanent_error(mailbox: MaildirMailbox) -> None:
    with pytest.raises(MailError) as caught:
        mailbox.mark_processed("no-such-key", "accepted")
    assert not caught.value.transient
    assert "finns inte i inkorgen" in str(caught.value)


def test_concurrent_sends_of_one_message_keep_one_copy(mailbox: MaildirMailbox) -> None:
    message = OutboundMessage(message_id="<once@f>", to=("a@k.example",), subject="S", text="t")
    threads = [threading.Thread(target=mailbox.send, args=(message,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mailbox.sent_messages()) == 1
    assert list((mailbox.sent_dir / "tmp").iterdir()) == []
    assert mailbox.was_sent("<once@f>")


def test_a_sent_message_marked_read_by_a_client_still_counts(mailbox: MaildirMailbox) -> None:
    message = OutboundMessage(message_id="<read@f>", to=("a@k.example",), subject="S", text="t")
    mailbox.send(message)
    name = sent_file_name("<read@f>")
    (mailbox.sent_dir / "new" / name).rename(mailbox.sent_dir / "cur" / f"{name}:2,S")
    mailbox.send(message)
    assert len(mailbox.sent_messages()) == 1


@pytest.mark.parametrize("state", ["", "not json", '{"v": "other"}', "[1, 2]"])
def test_unknown_state_means_everything_unprocessed(mailbox: MaildirMailbox, state: str) -> None:
    mailbox.deliver(reply(message_id="<s@k>"))
    assert ids(mailbox, state) == ["<s@k>"]


def test_messages_come_in_arrival_order(mailbox: MaildirMailbox) -> None:
    import os

    for n in range(5):
        key = mailbox.deliver(reply(message_id=f"<o{n}@k>"))
        path = next((mailbox.inbox_dir / "new").glob(f"{key}*"))
        os.utime(path, ns=(1_700_000_000_000_000_000 + n, 1_700_000_000_000_000_000 + n))
    assert ids(mailbox) == [f"<o{n}@k>" for n in range(5)]
