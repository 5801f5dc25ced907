"""The lease table: one owner at a time, taken over only after expiry, renewed and released by
its owner alone, on SQLite and PostgreSQL; and processes racing for it (mutual exclusion)."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import time
from typing import Any

import pytest

from flows.lease import LeaseLost, MailboxBusy, mailbox_lease, mailbox_lease_name
from flows.ledger import Ledger
from flows.ledger.leases import Leases

NAME = mailbox_lease_name("ews", "Uppfoljning@Ekeby.example")
T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(minutes=5)


def test_the_name_is_the_mailbox() -> None:
    assert NAME == "mailbox/ews/uppfoljning@ekeby.example"


def test_one_owner_at_a_time(ledger: Ledger) -> None:
    leases = Leases(ledger.engine)
    assert leases.acquire(NAME, "a", TTL, now=T0)
    assert not leases.acquire(NAME, "b", TTL, now=T0 + dt.timedelta(minutes=1))
    assert leases.acquire(NAME, "a", TTL, now=T0 + dt.timedelta(minutes=1))  # re-entrant
    held = leases.get(NAME)
    assert held is not None and held.owner == "a"
    assert held.expires_at == T0 + dt.timedelta(minutes=6)
    assert leases.acquire("mailbox/graph/other@ekeby.example", "b", TTL, now=T0)


def test_renewal_keeps_it_and_expiry_frees_it(ledger: Ledger) -> None:
    leases = Leases(ledger.engine)
    assert leases.acquire(NAME, "a", TTL, now=T0)
    assert leases.renew(NAME, "a", TTL, now=T0 + dt.timedelta(minutes=4))
    assert not leases.acquire(NAME, "b", TTL, now=T0 + dt.timedelta(minutes=8))
    renewed = leases.get(NAME)
    assert renewed is not None and renewed.renewed == T0 + dt.timedelta(minutes=4)
    # a's process died: nobody renews, the lease runs out and b takes over
    assert leases.acquire(NAME, "b", TTL, now=T0 + dt.timedelta(minutes=9))
    assert not leases.renew(NAME, "a", TTL, now=T0 + dt.timedelta(minutes=9))
    assert not leases.release(NAME, "a")
    assert leases.release(NAME, "b")
    assert leases.get(NAME) is None


def test_a_second_run_waits_a_bounded_time_then_reports_busy(ledger: Ledger) -> None:
    with mailbox_lease(ledger, NAME, owner="first") as held:
        assert held.owner == "first"
        started = time.monotonic()
        with (
            pytest.raises(MailboxBusy, match="En annan körning arbetar med brevlådan"),
            mailbox_lease(ledger, NAME, wait=0.3, poll=0.05),
        ):
            pytest.fail("two holders")
        assert 0.3 <= time.monotonic() - started < 5
    with mailbox_lease(ledger, NAME) as again:  # released at the end of the block
        assert Leases(ledger.engine).get(NAME) is not None
        assert again.owner != "first"
    assert Leases(ledger.engine).get(NAME) is None


def test_the_heartbeat_renews_and_notices_a_takeover(ledger: Ledger) -> None:
    ttl = dt.timedelta(seconds=0.6)
    leases = Leases(ledger.engine)
    with mailbox_lease(ledger, NAME, ttl=ttl) as held:
        time.sleep(1.0)  # longer than the ttl: only the heartbeat keeps it
        assert not leases.acquire(NAME, "intruder", ttl)
        current = leases.get(NAME)
        assert current is not None and current.renewed is not None
        held.check()
        # Simulate a takeover (e.g. this process was paused past the expiry).
        with ledger.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE lease SET owner = 'other'")
        deadline = time.monotonic() + 5
        while not held.lost.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(LeaseLost, match="tappade brevlådan"):
            held.check()
    assert leases.get(NAME) is not None  # the other owner's lease is left alone


def _race(url: str, start: Any, results: Any, tag: str, rounds: int) -> None:
    with Ledger.open(url) as ledger:
        leases = Leases(ledger.engine)
        start.wait(20)
        held = 0
        for i in range(rounds):
            owner = f"{tag}-{i}"
            if leases.acquire(NAME, owner, TTL):
                # record what we did inside the lease; the other process must not overlap
                results.put(("in", tag, time.monotonic()))
                time.sleep(0.02)
                results.put(("out", tag, time.monotonic()))
                held += 1
                assert leases.release(NAME, owner)
            else:
                time.sleep(0.005)
        results.put(("done", tag, held))


def test_processes_racing_for_the_lease_never_overlap(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()  # migrate once, before the race
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_race, args=(ledger_url, start, results, tag, 20))
        for tag in ("p1", "p2")
    ]
    for worker in workers:
        worker.start()
    start.set()
    events: list[tuple[str, str, float]] = []
    done = 0
    while done < len(workers):
        event = results.get(timeout=120)
        events.append(event)
        done += event[0] == "done"
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    spans = sorted(
        (start_at, end_at)
        for (kind, tag, start_at) in events
        if kind == "in"
        for (kind2, tag2, end_at) in [
            next(e for e in events if e[0] == "out" and e[1] == tag and e[2] >= start_at)
        ]
    )
    assert spans, "nobody ever got the lease"
    for (_, first_end), (second_start, _) in itertools.pairwise(spans):
        assert second_start >= first_end, "two processes held the lease at once"
    held = {e[1]: e[2] for e in events if e[0] == "done"}
    assert sum(held.values()) == len(spans) and len(held) == 2
