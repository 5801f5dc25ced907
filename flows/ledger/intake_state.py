"""The ledger's part of the intake boundary (`flows.intake.boundary`): processing attempts that
never finished, and which quarantined messages the coordinator's digest has told about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from flows.ledger.records import QuarantineRecord
from flows.ledger.schema import IntakeAttempt, Quarantine, QuarantineDigest

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class IntakeStateMixin:
    """Methods of `Ledger` (mixed in); they use its transactions."""

    if TYPE_CHECKING:

        def _tx(self) -> AbstractContextManager[Session]: ...

    def begin_attempt(self, sha: str, now: dt.datetime | None = None) -> int:
        """Note that processing of `sha` starts; returns how many earlier attempts never
        finished (0 normally)."""
        for _ in range(3):
            try:
                with self._tx() as session:
                    row = session.get(IntakeAttempt, sha, with_for_update=True)
                    if row is None:
                        session.add(
                            IntakeAttempt(inbound_sha=sha, unfinished=1, started_at=now or _now())
                        )
                        return 0
                    before = row.unfinished
                    row.unfinished = before + 1
                    row.started_at = now or _now()
                    return before
            except IntegrityError:
                continue  # inserted concurrently: read it again
        raise RuntimeError(f"could not record the processing attempt of {sha}")

    def finish_attempt(self, sha: str) -> None:
        """Processing of `sha` ended (with an outcome, or left pending on purpose)."""
        with self._tx() as session:
            row = session.get(IntakeAttempt, sha, with_for_update=True)
            if row is not None:
                row.unfinished = 0

    def undigested_quarantines(self) -> list[QuarantineRecord]:
        """Open quarantine entries no coordinator digest has told about yet, oldest first."""
        query = (
            select(Quarantine)
            .outerjoin(QuarantineDigest, QuarantineDigest.inbound_sha == Quarantine.inbound_sha)
            .where(Quarantine.resolved.is_(False), QuarantineDigest.inbound_sha.is_(None))
            .order_by(Quarantine.created_at, Quarantine.inbound_sha)
        )
        with self._tx() as session:
            return [
                QuarantineRecord(
                    inbound_sha=row.inbound_sha,
                    reason=row.reason,
                    created_at=row.created_at,
                    resolved=row.resolved,
                    resolution=row.resolution,
                    resolved_at=row.resolved_at,
                )
                for row in session.scalars(query)
            ]

    def mark_digested(
        self, shas: Sequence[str], digest_key: str, now: dt.datetime | None = None
    ) -> None:
        """Record that the digest `digest_key` tells about these quarantined messages."""
        with self._tx() as session:
            for sha in shas:
                if session.get(QuarantineDigest, sha) is None:
                    session.add(
                        QuarantineDigest(
                            inbound_sha=sha, digest_key=digest_key, created_at=now or _now()
                        )
                    )
