"""One remind or collect at a time per mailbox, however it was started (schedule, worker, by
hand, on another machine sharing the ledger): the run holds the mailbox's lease in the ledger
while it works, renews it on a heartbeat, and gives it up at the end. A run that cannot get it
within a bounded wait does nothing and ends normally (the other run does the work), saying so
in one Swedish line. A crashed run's lease expires by itself after `ttl`.

Inside the lease the per-message idempotency stays as it was (ledger keys, Message-IDs): the
lease stops two runs from racing for the same reservation, the keys stop a repeated run from
doing anything twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from flows.ledger.leases import Leases
from flows.ledger.store import Ledger
from flows.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TTL = dt.timedelta(minutes=5)


def mailbox_lease_name(transport: str, address: str) -> str:
    """The lease key: the mailbox, whichever flow works it."""
    return f"mailbox/{transport}/{address.strip().lower()}"


def new_owner() -> str:
    """Who holds the lease, readable in the ledger: host, process, and a unique suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class MailboxBusy(Exception):
    """Another run holds the mailbox's lease; `str()` is the Swedish line for the coordinator."""


class LeaseLost(Exception):
    """The lease expired and another run took it over; this run must stop working the mailbox."""


@dataclass
class HeldLease:
    name: str
    owner: str
    lost: threading.Event = field(default_factory=threading.Event)

    def check(self) -> None:
        """Raise LeaseLost if the heartbeat found the lease taken over; call between steps."""
        if self.lost.is_set():
            raise LeaseLost(
                f"Körningen tappade brevlådan {self.name} (en annan körning tog över); "
                "den avbryts och nästa körning fortsätter."
            )


def lease_for(
    ledger: Ledger, settings: Settings, address: str
) -> AbstractContextManager[HeldLease]:
    """The mailbox lease of a remind or collect run, as the settings configure it."""
    return mailbox_lease(
        ledger,
        mailbox_lease_name(settings.transport, address),
        ttl=dt.timedelta(seconds=settings.lease_ttl_seconds),
        wait=settings.lease_wait_seconds,
    )


def busy_message(name: str, waited: float) -> str:
    return (
        f"En annan körning arbetar med brevlådan ({name}); väntade {waited:.0f} s och avslutar "
        "utan att göra något. Den andra körningen tar hand om meddelandena."
    )


@contextmanager
def mailbox_lease(
    ledger: Ledger,
    name: str,
    *,
    ttl: dt.timedelta = DEFAULT_TTL,
    wait: float = 60.0,
    poll: float = 1.0,
    owner: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[HeldLease]:
    """Hold the lease `name` for the duration of the block (raises MailboxBusy after `wait`)."""
    leases = Leases(ledger.engine)
    held = HeldLease(name, owner or new_owner())
    started = clock()
    while not leases.acquire(name, held.owner, ttl):
        waited = clock() - started
        if waited >= wait:
            raise MailboxBusy(busy_message(name, waited))
        sleep(min(poll * random.uniform(0.5, 1.5), max(0.0, wait - waited)))
    stop = threading.Event()
    heartbeat = threading.Thread(
        target=_heartbeat, args=(leases, held, ttl, stop), name=f"lease {name}", daemon=True
    )
    heartbeat.start()
    try:
        yield held
    finally:
        stop.set()
        heartbeat.join(timeout=30)
        try:
            leases.release(name, held.owner)
        except Exception:  # the lease then simply expires
            log.warning("Lånet på %s kunde inte lämnas tillbaka; det löper ut av sig självt", name)


def _heartbeat(leases: Leases, held: HeldLease, ttl: dt.timedelta, stop: threading.Event) -> None:
    interval = max(ttl.total_seconds() / 3, 0.05)
    last_renewal = time.monotonic()
    while not stop.wait(interval):
        try:
            if not leases.renew(held.name, held.owner, ttl):
                held.lost.set()
                return
            last_renewal = time.monotonic()
        except Exception as exc:  # a database hiccup: try again until the lease would expire
            log.warning("Lånet på %s kunde inte förnyas: %s", held.name, type(exc).__name__)
            if time.monotonic() - last_renewal >= ttl.total_seconds():
                held.lost.set()
                return
