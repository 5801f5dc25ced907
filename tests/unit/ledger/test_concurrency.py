"""Two processes working on one ledger at once: no duplicate messages, no version collisions."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from flows.ledger import Ledger
from flows.model import ParsedTemplate

from .helpers import sha

ROUNDS = 15


def _work(url: str, start: Any, results: Any, tag: str) -> None:
    start.wait(10)
    created = []
    with Ledger.open(url) as ledger:
        for i in range(ROUNDS):
            _, was_created = ledger.reserve_outbound(
                cycle="c",
                board="kfn",
                kind="overdue",
                plan_key=f"overdue-{i}",
                to=["a@ekeby.se"],
                subject="s",
                message_id=f"<{tag}-{i}-{os.getpid()}@test>",
            )
            created.append(was_created)
            digest = sha(f"{tag}-{i}")
            ledger.record_inbound(digest)
            ledger.add_submission(
                cycle="c",
                board="kfn",
                inbound_sha=digest,
                filename="f.docx",
                parsed=ParsedTemplate(file="f.docx"),
            )
            shared = sha(f"shared-{i}")
            ledger.record_inbound(shared)
            ledger.add_submission(
                cycle="c",
                board="kfn",
                inbound_sha=shared,
                filename="f.docx",
                parsed=ParsedTemplate(file="f.docx"),
            )
    results.put((tag, created))


def test_two_processes_from_an_empty_database(ledger_url: str) -> None:
    # spawn, not fork: the pytest worker may run threads (Prefect) that a fork would copy mid-state
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_work, args=(ledger_url, start, results, tag))
        for tag in ("p1", "p2")
    ]
    for worker in workers:
        worker.start()
    start.set()
    created = [results.get(timeout=120)[1] for _ in workers]
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0

    assert sum(created[0]) + sum(created[1]) == ROUNDS
    with Ledger.open(ledger_url) as ledger:
        messages = ledger.outbound_for("c")
        assert sorted(m.plan_key for m in messages) == sorted(f"overdue-{i}" for i in range(ROUNDS))
        versions = [s.version for s in ledger.submissions("c", "kfn")]
        assert versions == list(range(1, 3 * ROUNDS + 1))
        assert len({s.inbound_sha for s in ledger.submissions("c")}) == 3 * ROUNDS


def test_threads_sharing_one_ledger(ledger: Ledger) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def reserve(n: int) -> bool:
        _, created = ledger.reserve_outbound(
            cycle="c",
            board=f"b{n % 4}",
            kind="invitation",
            plan_key="invitation",
            to=["a@ekeby.se"],
            subject="s",
            message_id=f"<t{n}@test>",
        )
        return created

    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(reserve, range(40)))
    assert sum(created) == 4
    assert len(ledger.outbound_for("c")) == 4
