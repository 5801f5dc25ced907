"""Submissions: versions per board and cycle, idempotent per attachment, latest valid wins."""

from __future__ import annotations

import json

import pytest

from flows.ledger import Ledger

from .helpers import T0, parsed, sha


def inbound(ledger: Ledger, name: str) -> str:
    digest = sha(name)
    ledger.record_inbound(digest, now=T0)
    return digest


def test_versions_count_per_board_and_cycle(ledger: Ledger) -> None:
    a, b, c = inbound(ledger, "a"), inbound(ledger, "b"), inbound(ledger, "c")
    first = ledger.add_submission(
        cycle="hbtqia-2026", board="kfn", inbound_sha=a, filename="mall.docx", parsed=parsed(1, 2)
    )
    second = ledger.add_submission(
        cycle="hbtqia-2026", board="kfn", inbound_sha=b, filename="mall.docx", parsed=parsed()
    )
    other = ledger.add_submission(
        cycle="hbtqia-2026", board="bun", inbound_sha=c, filename="x.docx", parsed=parsed()
    )
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert (first.valid, first.errors, first.warnings, first.problems) == (False, 1, 2, 3)
    assert second.valid
    assert json.loads(first.parsed_json)["board"] == "kfn"
    assert [s.version for s in ledger.submissions("hbtqia-2026", "kfn")] == [1, 2]
    assert [s.board for s in ledger.submissions("hbtqia-2026")] == ["bun", "kfn", "kfn"]


def test_the_same_attachment_is_stored_once(ledger: Ledger) -> None:
    a = inbound(ledger, "a")
    args = {"cycle": "hbtqia-2026", "board": "kfn", "inbound_sha": a, "filename": "m.docx"}
    first = ledger.add_submission(**args, parsed=parsed())  # type: ignore[arg-type]
    again = ledger.add_submission(**args, parsed=parsed())  # type: ignore[arg-type]
    assert again == first
    part2 = ledger.add_submission(**args, parsed=parsed(), part="2")  # type: ignore[arg-type]
    assert part2.version == 2


def test_latest_valid_submission_per_board(ledger: Ledger) -> None:
    shas = [inbound(ledger, str(i)) for i in range(5)]
    add = ledger.add_submission
    add(cycle="hbtqia-2026", board="kfn", inbound_sha=shas[0], filename="f", parsed=parsed())
    add(cycle="hbtqia-2026", board="kfn", inbound_sha=shas[1], filename="f", parsed=parsed(0, 1))
    add(cycle="hbtqia-2026", board="kfn", inbound_sha=shas[2], filename="f", parsed=parsed(2))
    add(cycle="hbtqia-2026", board="bun", inbound_sha=shas[3], filename="f", parsed=parsed(1))
    add(cycle="hbtqia-2025", board="ks", inbound_sha=shas[4], filename="f", parsed=parsed())
    latest = ledger.latest_valid_submissions("hbtqia-2026")
    assert [(s.board, s.version) for s in latest] == [("kfn", 2)]
    assert len(ledger.submissions("hbtqia-2026")) == 4


def test_valid_can_be_overridden(ledger: Ledger) -> None:
    a = inbound(ledger, "a")
    record = ledger.add_submission(
        cycle="c", board="kfn", inbound_sha=a, filename="f", parsed=parsed(), valid=False
    )
    assert not record.valid


def test_a_submission_needs_its_archived_inbound_message(ledger: Ledger) -> None:
    from flows.ledger import LedgerError

    with pytest.raises(LedgerError):
        ledger.add_submission(
            cycle="c", board="kfn", inbound_sha=sha("never"), filename="f", parsed=parsed()
        )
