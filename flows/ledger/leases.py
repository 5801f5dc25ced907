"""Leases in the ledger: at most one owner per name at a time, with an expiry the owner renews
while it works, so a crashed owner's lease runs out by itself.

Acquiring is one atomic statement on every backend: an UPDATE that takes over the row only
where it has expired (or is already ours), else an INSERT that the primary key lets only one
writer win. On PostgreSQL a concurrent UPDATE of the same row waits for the other transaction
and then re-checks its WHERE clause against the committed row (READ COMMITTED, PostgreSQL docs
§13.2.1), so two runs never both take an expired lease; on SQLite writers are serialized by
BEGIN IMMEDIATE (see `flows.ledger.store`). Times come from the callers' clocks: hosts that
share a PostgreSQL ledger must keep their clocks in sync (NTP); the expiry is minutes long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from flows.ledger.schema import Lease


@dataclass(frozen=True)
class LeaseRecord:
    name: str
    owner: str
    acquired_at: dt.datetime
    expires_at: dt.datetime
    renewed: dt.datetime | None


def _record(row: Lease) -> LeaseRecord:
    return LeaseRecord(row.name, row.owner, row.acquired_at, row.expires_at, row.renewed)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Leases:
    """The lease table of a ledger (`Leases(ledger.engine)`)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def acquire(
        self, name: str, owner: str, ttl: dt.timedelta, *, now: dt.datetime | None = None
    ) -> bool:
        """Take the lease for `ttl` if it is free, expired or already `owner`'s."""
        moment = now or _now()
        values = {"owner": owner, "acquired_at": moment, "expires_at": moment + ttl}
        with self._tx() as session:
            taken = session.execute(
                update(Lease)
                .where(Lease.name == name, or_(Lease.expires_at <= moment, Lease.owner == owner))
                .values(**values, renewed=None)
                .execution_options(synchronize_session=False)
            )
            if getattr(taken, "rowcount", 0) == 1:
                return True
        try:
            with self._tx() as session:
                session.add(Lease(name=name, renewed=None, **values))
            return True
        except IntegrityError:
            return False  # someone else holds it (or took it a moment ago)

    def renew(
        self, name: str, owner: str, ttl: dt.timedelta, *, now: dt.datetime | None = None
    ) -> bool:
        """Extend `owner`'s lease; False if it is no longer theirs (taken over after expiry)."""
        moment = now or _now()
        with self._tx() as session:
            renewed = session.execute(
                update(Lease)
                .where(Lease.name == name, Lease.owner == owner)
                .values(expires_at=moment + ttl, renewed=moment)
                .execution_options(synchronize_session=False)
            )
            return getattr(renewed, "rowcount", 0) == 1

    def release(self, name: str, owner: str) -> bool:
        """Give the lease up (only `owner` can); True if it was theirs."""
        with self._tx() as session:
            released = session.execute(
                delete(Lease)
                .where(Lease.name == name, Lease.owner == owner)
                .execution_options(synchronize_session=False)
            )
            return getattr(released, "rowcount", 0) == 1

    def get(self, name: str) -> LeaseRecord | None:
        with self._tx() as session:
            row = session.scalar(select(Lease).where(Lease.name == name))
            return _record(row) if row else None
