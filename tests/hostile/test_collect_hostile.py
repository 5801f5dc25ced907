"""The whole hostile suite through collect (item 6 of issue 11), one run: every hostile message
is queued in front of a valid answer (one behind each group of `GROUP` hostile ones, since each
send is a Prefect task run that costs a second here). Each message gets the outcome it must
have, every valid answer behind the hostile ones is submitted and receipted, the coordinator
gets one digest, and a second run finds nothing to do: no crash, no stall, no duplicate, no
loss."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flows.archive import digest
from flows.collect import collect
from flows.mail.maildir import MaildirMailbox
from flows.mail.mime import parse_envelope
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from flows.untrusted.text import has_bidi
from tests.conftest import CONFIG_DIR
from tests.support import hostile_mail as h

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]
GROUP = 4


def _deliver_in_order(box: MaildirMailbox, raws: list[bytes]) -> list[str]:
    """Deliver in this order (mtimes one second apart); returns each stored message's SHA-256."""
    shas = []
    start = time.time() - len(raws) - 10
    for index, raw in enumerate(raws):
        key = box.deliver(raw)
        path = box.inbox_dir / "new" / key
        os.utime(path, (start + index, start + index))
        shas.append(digest(path.read_bytes()))
    return shas


def test_hostile_messages_each_get_their_outcome_and_never_block_the_answers_behind_them(
    tmp_path: Path,
) -> None:
    import datetime as dt

    cfg = h.config()
    cases = h.hostile_cases(cfg)
    valid = h.valid_answers(cfg, -(-len(cases) // GROUP))
    settings = Settings(config=CONFIG_DIR, data=tmp_path / "var")
    runtime = Runtime.from_settings(settings, clock=FixedClock(dt.date(2027, 3, 1)))
    box = MaildirMailbox(settings.data / "mail", address=cfg.municipality.mailbox)
    queue: list[bytes] = []
    for group, (_board, answer) in enumerate(valid):
        queue += [case.raw for case in cases[group * GROUP : (group + 1) * GROUP]] + [answer]
    shas = _deliver_in_order(box, queue)
    valid_shas = shas[GROUP :: GROUP + 1]
    hostile_shas = [sha for i, sha in enumerate(shas) if i % (GROUP + 1) != GROUP]

    with runtime:
        started = time.perf_counter()
        first = collect(runtime, h.CYCLE)
        elapsed = time.perf_counter() - started
        ledger = runtime.ledger
        sent = {parse_envelope(raw).message_id: parse_envelope(raw) for raw in box.sent_messages()}

        assert not first.failed
        assert first.processed == len(set(shas))
        assert ledger.inbound_pending() == []
        for case, sha in zip(cases, hostile_shas, strict=True):
            record = ledger.get_inbound(sha)
            assert record is not None, case.name
            # Every stored version is also announced to the board's contacts (version_notice).
            replies = [r for r in ledger.outbound_for_inbound(sha) if r.kind != "version_notice"]
            if case.by_sender_policy:
                assert record.outcome in ("quarantined", "rejected", "submitted", "no_attachment")
                continue
            assert record.outcome == case.outcome, (case.name, record.detail)
            if case.reply == "no_attachment_reply":  # one per sender, not per message
                replies = [
                    r
                    for r in ledger.outbound_for(h.CYCLE)
                    if r.kind == case.reply and r.to == (record.sender,)
                ]
            if case.reply is not None:
                assert [r.kind for r in replies] == [case.reply], case.name
                assert all(r.sent_at for r in replies)
            else:
                assert replies == [], case.name
            if case.note:
                text = " ".join(sent[r.message_id].text for r in replies) + record.detail
                assert case.note in text, (case.name, text[:300])
        for (board, _raw), sha in zip(valid, valid_shas, strict=True):
            record = ledger.get_inbound(sha)
            assert record is not None and record.outcome == "submitted", record
            assert record.board == board
            kinds = sorted(r.kind for r in ledger.outbound_for_inbound(sha))
            assert kinds == ["receipt", "version_notice"]

        # One submission per message, however many templates it carried; none twice.
        submissions = [s for b in cfg.boards_in(cfg.cycle(h.CYCLE)) for s in
                       ledger.submissions(h.CYCLE, b.id)]  # fmt: skip
        per_message = [s.inbound_sha for s in submissions]
        assert len(per_message) == len(set(per_message))
        three = hostile_shas[[c.name for c in cases].index("3 copies of the template")]
        assert per_message.count(three) == 1

        # One digest for the whole run, listing every quarantined message.
        quarantined = {q.inbound_sha for q in ledger.quarantined()}
        digests = [
            r
            for r in ledger.outbound_for(h.CYCLE)
            if r.kind == "quarantine_notice" and r.plan_key.startswith("quarantine_digest/")
        ]
        assert len(digests) == 1 and digests[0].to == (cfg.municipality.coordinator.email,)
        digest_text = sent[digests[0].message_id].text
        assert all(sha in digest_text for sha in quarantined)
        assert first.digested == len(quarantined)

        # Nothing a board or the coordinator receives carries bidi controls or tracebacks.
        for envelope in sent.values():
            assert not has_bidi(envelope.subject + envelope.text), envelope.subject
            assert "Traceback" not in envelope.text and "Error" not in envelope.text

        # A second run: nothing new, nothing sent again.
        before = len(box.sent_messages())
        second = collect(runtime, h.CYCLE)
        assert second.fetched == 0 and second.processed == 0 and second.digested == 0
        assert len(box.sent_messages()) == before
    assert elapsed < 300  # a stall would be minutes per message (the benchmark measures)


def test_two_files_dropped_with_the_same_name_are_two_messages(tmp_path: Path) -> None:
    import datetime as dt

    cfg = h.config()
    settings = Settings(config=CONFIG_DIR, data=tmp_path / "var")
    runtime = Runtime.from_settings(settings, clock=FixedClock(dt.date(2027, 3, 1)))
    box = MaildirMailbox(settings.data / "mail", address=cfg.municipality.mailbox)
    (first_board, first), (second_board, second) = h.valid_answers(cfg, 2)
    with runtime:
        (box.inbox_dir / "svar.eml").write_bytes(first)
        box.fetch_new(None)  # the coordinator's first drop is adopted
        (box.inbox_dir / "svar.eml").write_bytes(second)  # the same name again, same second
        summary = collect(runtime, h.CYCLE)
        assert summary.outcomes["submitted"] == 2
        boards = {r.board for r in runtime.ledger.inbound()}
        assert boards == {first_board, second_board}
