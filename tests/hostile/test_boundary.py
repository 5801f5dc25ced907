"""One failure boundary per message (item 1 of issue 11), on a real ledger (SQLite and
PostgreSQL), a real archive and a real Maildir: every message is archived and recorded, then
settles exactly once; a poison message is parked after its first failure and never pending again."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.archive import Archive, digest
from flows.intake import boundary
from flows.ledger import InboundRecord, Ledger
from flows.mail.maildir import MaildirMailbox
from flows.mail.port import MailError
from flows.untrusted.limits import LimitExceeded
from tests.support import hostile_mail as h
from tests.support.postgres import fresh_schema, postgres_url

log = logging.getLogger("tests.hostile")
VALID = h.message(sender="johan.berg@ekeby.example", serial=1, body="Hej")


@pytest.fixture()
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as opened:
        yield opened


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """SQLite and PostgreSQL, for the tests of the ledger's own part."""
    if request.param == "sqlite":
        with Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}") as opened:
            yield opened
        return
    with fresh_schema(postgres_url()) as url, Ledger.open(url) as opened:
        yield opened


@pytest.fixture()
def world(tmp_path: Path) -> tuple[MaildirMailbox, Archive]:
    return MaildirMailbox(tmp_path / "mail"), Archive(tmp_path / "archive")


class Recorder:
    """A `process` step that records what it was given and does what it is told."""

    def __init__(self, ledger: Ledger, fail: dict[str, BaseException] | None = None) -> None:
        self.ledger = ledger
        self.fail = fail or {}
        self.seen: list[tuple[str, bytes]] = []

    def __call__(self, record: InboundRecord, raw: bytes) -> None:
        self.seen.append((record.sha256, raw))
        if record.sha256 in self.fail:
            raise self.fail[record.sha256]
        self.ledger.set_inbound_outcome(record.sha256, "ignored", detail="ok")


def _fetch(box: MaildirMailbox, ledger: Ledger, archive: Archive) -> list[InboundRecord]:
    boundary.fetch_and_archive(box, ledger, archive, sync_key="inbox", logger=log)
    return ledger.inbound_pending()


def _settle_all(
    ledger: Ledger, box: MaildirMailbox, archive: Archive, process: Recorder
) -> dict[str, str]:
    return {
        r.sha256: boundary.settle(
            r, process, ledger=ledger, archive=archive, mailbox=box, logger=log
        )
        for r in ledger.inbound_pending()
    }


def test_every_message_is_recorded_whatever_its_bytes(
    ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    box, archive = world
    cases = h.hostile_cases(h.config())
    for case in cases:
        box.deliver(case.raw)
    box.deliver(VALID)
    pending = _fetch(box, ledger, archive)
    assert len(pending) == len({c.raw for c in cases} | {VALID})
    assert all(archive.load(r.sha256) for r in pending)
    by_subject = {r.subject for r in pending}
    assert "hej" in by_subject and "" in by_subject  # the <>.. one, and the unreadable ones
    assert all(r.sender is None or len(r.sender) <= 320 for r in pending)


def test_a_poison_message_is_parked_once_and_the_next_one_is_processed(
    any_ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    ledger = any_ledger
    box, archive = world
    box.deliver(b"From: x@y.example\r\n\r\npoison")
    box.deliver(b"From: x@y.example\r\n\r\nbomb")
    box.deliver(VALID)
    poison, bomb, valid = _fetch(box, ledger, archive)
    process = Recorder(
        ledger, {poison.sha256: KeyError("x"), bomb.sha256: LimitExceeded("för djupt")}
    )
    settled = _settle_all(ledger, box, archive, process)
    assert settled == {poison.sha256: "parked", bomb.sha256: "parked", valid.sha256: "done"}
    reasons = {q.inbound_sha: q.reason for q in ledger.quarantined()}
    assert "kunde inte behandlas automatiskt (KeyError)" in reasons[poison.sha256]
    assert "för komplext" in reasons[bomb.sha256] and "för djupt" in reasons[bomb.sha256]
    assert ledger.get_inbound(valid.sha256).outcome == "ignored"  # type: ignore[union-attr]
    # Never pending twice: the next run has nothing to do, and the inbox is empty.
    assert ledger.inbound_pending() == []
    assert _fetch(box, ledger, archive) == []
    # The parked ones left the inbox (the valid one is moved by collect's own step).
    assert len(list((box.inbox_dir / "new").iterdir())) == 1
    assert len(process.seen) == 3


def test_a_run_that_dies_on_a_message_parks_it_after_the_allowed_attempts(
    any_ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    ledger = any_ledger
    box, archive = world
    box.deliver(VALID)
    (record,) = _fetch(box, ledger, archive)
    # Three runs began processing it and were killed (out of memory) before an outcome.
    assert ledger.begin_attempt(record.sha256) == 0
    assert ledger.begin_attempt(record.sha256) == 1
    assert ledger.begin_attempt(record.sha256) == 2
    process = Recorder(ledger)
    assert _settle_all(ledger, box, archive, process) == {record.sha256: "parked"}
    assert process.seen == []  # not tried a fourth time
    (entry,) = ledger.quarantined()
    assert "avbröts 3 gånger" in entry.reason


def test_one_interrupted_run_is_retried(
    ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    box, archive = world
    box.deliver(VALID)
    (record,) = _fetch(box, ledger, archive)
    ledger.begin_attempt(record.sha256)  # killed twice (the kill-and-restart tests do this)
    ledger.begin_attempt(record.sha256)
    assert _settle_all(ledger, box, archive, Recorder(ledger)) == {record.sha256: "done"}
    ledger.begin_attempt(record.sha256)
    ledger.finish_attempt(record.sha256)
    assert ledger.begin_attempt(record.sha256) == 0  # a finished attempt does not count


def _damage(archive: Archive, sha: str) -> None:
    path = archive.path(sha)
    os.chmod(path, 0o640)
    path.write_bytes(b"damaged on disk")


def test_a_damaged_archive_copy_is_fetched_again_from_the_mailbox(
    ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    box, archive = world
    box.deliver(VALID)
    box.deliver(b"From: z@y.example\r\n\r\nnext")
    first, second = _fetch(box, ledger, archive)
    _damage(archive, first.sha256)
    process = Recorder(ledger)
    assert _settle_all(ledger, box, archive, process) == {
        first.sha256: "done",
        second.sha256: "done",
    }
    sha, raw = process.seen[0]
    assert sha == first.sha256 and digest(raw) == sha and b"Hej" in raw
    assert archive.load(first.sha256) == raw  # repaired


def test_a_damaged_archive_copy_gone_from_the_mailbox_is_quarantined_and_the_rest_proceeds(
    ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    box, archive = world
    key = box.deliver(VALID)
    box.deliver(b"From: z@y.example\r\n\r\nnext")
    first, second = _fetch(box, ledger, archive)
    _damage(archive, first.sha256)
    box._inbox.discard(key)  # a person deleted it from the mailbox meanwhile
    settled = _settle_all(ledger, box, archive, Recorder(ledger))
    assert settled == {first.sha256: "parked", second.sha256: "done"}
    (entry,) = ledger.quarantined()
    assert "Arkivkopian" in entry.reason


def test_a_mailbox_that_does_not_answer_leaves_the_message_pending(
    ledger: Ledger, world: tuple[MaildirMailbox, Archive]
) -> None:
    box, archive = world
    box.deliver(VALID)
    (record,) = _fetch(box, ledger, archive)
    process = Recorder(ledger, {record.sha256: MailError("timeout", transient=True)})
    assert _settle_all(ledger, box, archive, process) == {record.sha256: "pending"}
    assert [r.sha256 for r in ledger.inbound_pending()] == [record.sha256]
    assert ledger.quarantined() == []
    assert ledger.begin_attempt(record.sha256) == 0  # not counted as an interrupted run
