"""The Ledger: the durable record of what was sent, received, archived and submitted.

Every write is one short transaction. Idempotency comes from unique constraints: writers insert
and, on an IntegrityError, read what the other run (or the earlier, crashed run) wrote; they
never read-then-write. SQLite runs every transaction as BEGIN IMMEDIATE (writers queue, no
lock-upgrade deadlocks) in WAL mode; PostgreSQL relies on the constraints alone.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Engine, create_engine, event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from flows.ledger.records import (
    INBOUND_OUTCOMES,
    OUTBOUND_KINDS,
    ApprovalRecord,
    InboundOutcome,
    InboundRecord,
    OutboundKind,
    OutboundRecord,
    QuarantineRecord,
    SubmissionRecord,
)
from flows.ledger.schema import (
    Approval,
    Inbound,
    Outbound,
    Quarantine,
    Submission,
    SyncState,
)
from flows.model import ParsedTemplate

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_MAX_ERROR = 2000


class LedgerError(Exception):
    """The ledger was asked for something inconsistent (unknown id, conflicting Message-ID)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_sha(sha: str) -> str:
    if not SHA256_RE.match(sha):
        raise ValueError(f"not a lower-case SHA-256 hex digest: {sha!r}")
    return sha


def outbound_key(
    *, cycle: str | None, board: str | None, kind: str, plan_key: str, inbound_sha: str | None
) -> str:
    """The idempotency key of an outbound message.

    A reply (receipt, rejection, ...) is unique per inbound message and kind; a planned message
    (invitation, reminders) per cycle, board and plan key, whatever kind the flow maps it to.
    """
    if inbound_sha is not None:
        return f"reply|{kind}|{inbound_sha}|{plan_key}"
    return f"plan|{cycle or '-'}|{board or '-'}|{plan_key}"


def create_ledger_engine(url: str) -> Engine:
    """An Engine for `url` with the per-backend settings the ledger relies on.

    A bare `postgresql://` (or `postgres://`) URL gets the psycopg 3 driver.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (SQLAlchemy docs recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _script_heads() -> set[str]:
    """The newest revisions in migrations/versions, read from the files' `revision` and
    `down_revision` assignments (without importing alembic, which takes a second)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            value = getattr(node, "value", None)
            if not isinstance(target, ast.Name) or value is None:
                continue
            found = ast.literal_eval(value)
            names = found if isinstance(found, tuple | list) else (found,)
            if target.id == "revision":
                revisions.update(str(n) for n in names if n)
            elif target.id == "down_revision":
                parents.update(str(n) for n in names if n)
    return revisions - parents


def _at_head(engine: Engine) -> bool:
    """True if the ledger's recorded revisions are this code's heads (nothing to migrate)."""
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            current = {str(row[0]) for row in rows}
    except SQLAlchemyError:
        return False  # a new ledger: no version table yet
    return bool(current) and current == _script_heads()


def upgrade_to_head(engine: Engine) -> None:
    """Create the schema, or migrate an existing ledger, to the newest revision."""
    if _at_head(engine):
        return
    from alembic import command

    config = _alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


def head_revision() -> str:
    """The newest schema revision this code knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _outbound(row: Outbound) -> OutboundRecord:
    return OutboundRecord(
        id=row.id,
        key=row.key,
        cycle=row.cycle,
        board=row.board,
        kind=row.kind,
        plan_key=row.plan_key,
        due_date=row.due_date,
        inbound_sha=row.inbound_sha,
        to=tuple(row.to_addrs),
        cc=tuple(row.cc_addrs),
        subject=row.subject,
        message_id=row.message_id,
        reserved_at=row.reserved_at,
        sent_at=row.sent_at,
        attempts=row.attempts,
        last_error=row.last_error,
        provider_draft_id=row.provider_draft_id,
        send_requested_at=row.send_requested_at,
    )


def _inbound(row: Inbound) -> InboundRecord:
    return InboundRecord(
        sha256=row.sha256,
        mailbox_item_id=row.mailbox_item_id,
        message_id=row.message_id,
        sender=row.sender,
        subject=row.subject,
        received_at=row.received_at,
        stored_at=row.stored_at,
        outcome=row.outcome,
        board=row.board,
        cycle=row.cycle,
        detail=row.detail,
        processed_at=row.processed_at,
    )


def _submission(row: Submission) -> SubmissionRecord:
    return SubmissionRecord(
        id=row.id,
        cycle=row.cycle,
        board=row.board,
        version=row.version,
        inbound_sha=row.inbound_sha,
        part=row.part,
        filename=row.filename,
        sender=row.sender,
        received_at=row.received_at,
        recorded_at=row.recorded_at,
        valid=row.valid,
        parsed_json=row.parsed_json,
        errors=row.errors,
        warnings=row.warnings,
    )


def _quarantine(row: Quarantine) -> QuarantineRecord:
    return QuarantineRecord(
        inbound_sha=row.inbound_sha,
        reason=row.reason,
        created_at=row.created_at,
        resolved=row.resolved,
        resolution=row.resolution,
        resolved_at=row.resolved_at,
    )


def _approval(row: Approval) -> ApprovalRecord:
    return ApprovalRecord(
        id=row.id,
        cycle=row.cycle_id,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        test_mode_address=row.test_mode_address,
    )


class Ledger:
    """Typed access to the ledger database. Open with `Ledger.open(url)`; close when done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Self:
        """Connect to `url` (`Settings.ledger_url`), creating/upgrading the schema."""
        engine = create_ledger_engine(url)
        if migrate:
            upgrade_to_head(engine)
        return cls(engine)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (None if never migrated)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            connection.rollback()
        return revision

    # ------------------------------------------------------------------ outbound

    def reserve_outbound(
        self,
        *,
        cycle: str | None,
        board: str | None,
        kind: OutboundKind,
        plan_key: str,
        to: Sequence[str],
        subject: str,
        message_id: str,
        cc: Sequence[str] = (),
        due_date: dt.date | None = None,
        inbound_sha: str | None = None,
        now: dt.datetime | None = None,
    ) -> tuple[OutboundRecord, bool]:
        """Record a message before sending it; returns (record, created).

        If the same message (same idempotency key, see `outbound_key`) was reserved before, the
        earlier record is returned unchanged with created=False: send it with ITS message_id
        (unless already sent), so a retried run cannot produce a second, different message.
        """
        if kind not in OUTBOUND_KINDS:
            raise ValueError(f"unknown outbound kind {kind!r}")
        if inbound_sha is not None:
            _check_sha(inbound_sha)
        key = outbound_key(
            cycle=cycle, board=board, kind=kind, plan_key=plan_key, inbound_sha=inbound_sha
        )
        try:
            with self._tx() as session:
                row = Outbound(
                    key=key,
                    cycle=cycle,
                    board=board,
                    kind=kind,
                    plan_key=plan_key,
                    due_date=due_date,
                    inbound_sha=inbound_sha,
                    to_addrs=list(to),
                    cc_addrs=list(cc),
                    subject=subject,
                    message_id=message_id,
                    reserved_at=now or _now(),
                    sent_at=None,
                    attempts=0,
                    last_error=None,
                )
                session.add(row)
                session.flush()
                record = _outbound(row)
            return record, True
        except IntegrityError:
            existing = self.outbound_by_key(key)
            if existing is None:
                raise LedgerError(
                    f"Message-ID {message_id} is already used by another message"
                ) from None
            return existing, False

    def outbound_by_key(self, key: str) -> OutboundRecord | None:
        """The message with this idempotency key, if reserved."""
        with self._tx() as session:
            row = session.scalar(select(Outbound).where(Outbound.key == key))
            return _outbound(row) if row else None

    def outbound_by_message_id(self, message_id: str) -> OutboundRecord | None:
        """The message we sent (or reserved) with this Message-ID."""
        with self._tx() as session:
            row = session.scalar(select(Outbound).where(Outbound.message_id == message_id))
            return _outbound(row) if row else None

    def _update_outbound(self, message_id: str, **values: Any) -> OutboundRecord:
        with self._tx() as session:
            row = session.scalar(
                select(Outbound).where(Outbound.message_id == message_id).with_for_update()
            )
            if row is None:
                raise LedgerError(f"no outbound message with Message-ID {message_id}")
            for name, value in values.items():
                if name == "sent_at" and row.sent_at is not None:
                    continue  # the first delivery time stands
                setattr(row, name, value)
            row.attempts = row.attempts + 1
            session.flush()
            return _outbound(row)

    def mark_sent(self, message_id: str, at: dt.datetime | None = None) -> OutboundRecord:
        """Record a successful delivery (idempotent: the first sent_at is kept)."""
        return self._update_outbound(message_id, sent_at=at or _now(), last_error=None)

    def mark_send_failed(self, message_id: str, error: str) -> OutboundRecord:
        """Record a failed send attempt; the message stays unsent (to be retried)."""
        return self._update_outbound(message_id, last_error=error[:_MAX_ERROR])

    def record_draft(self, message_id: str, draft_id: str | None) -> None:
        """Note the adapter's draft of an outbound message (None: there is none any more)."""
        values: dict[str, Any] = {"provider_draft_id": draft_id}
        if draft_id is None:
            values["send_requested_at"] = None
        self._set_outbound(message_id, values)

    def record_send_requested(self, message_id: str, at: dt.datetime | None) -> None:
        """Note when the adapter asked the server to send the draft (None: it was refused)."""
        self._set_outbound(message_id, {"send_requested_at": at})

    def _set_outbound(self, message_id: str, values: dict[str, Any]) -> None:
        with self._tx() as session:
            result = session.execute(
                update(Outbound).where(Outbound.message_id == message_id).values(**values)
            )
            if getattr(result, "rowcount", 1) == 0:
                raise LedgerError(f"no outbound message with Message-ID {message_id}")

    def unsent(self, cycle: str | None = None) -> list[OutboundRecord]:
        """Reserved but not (yet) delivered messages, oldest first; all cycles if cycle=None."""
        query = select(Outbound).where(Outbound.sent_at.is_(None))
        if cycle is not None:
            query = query.where(Outbound.cycle == cycle)
        with self._tx() as session:
            return [_outbound(r) for r in session.scalars(query.order_by(Outbound.id))]

    def outbound_for(self, cycle: str, board: str | None = None) -> list[OutboundRecord]:
        """Every outbound message of a cycle (optionally one board), sent or not, oldest first."""
        query = select(Outbound).where(Outbound.cycle == cycle)
        if board is not None:
            query = query.where(Outbound.board == board)
        with self._tx() as session:
            return [_outbound(r) for r in session.scalars(query.order_by(Outbound.id))]

    def outbound_for_inbound(self, sha: str) -> list[OutboundRecord]:
        """The replies to one inbound message."""
        query = select(Outbound).where(Outbound.inbound_sha == _check_sha(sha))
        with self._tx() as session:
            return [_outbound(r) for r in session.scalars(query.order_by(Outbound.id))]

    # ------------------------------------------------------------------ inbound

    def record_inbound(
        self,
        sha: str,
        *,
        mailbox_item_id: str | None = None,
        message_id: str | None = None,
        sender: str | None = None,
        subject: str | None = None,
        received_at: dt.datetime | None = None,
        now: dt.datetime | None = None,
    ) -> tuple[InboundRecord, bool]:
        """Record an archived inbound message as pending; returns (record, created).

        The same raw message (same SHA-256) fetched again returns the first record, created=False.
        """
        _check_sha(sha)
        try:
            with self._tx() as session:
                row = Inbound(
                    sha256=sha,
                    mailbox_item_id=mailbox_item_id,
                    message_id=message_id,
                    sender=sender.lower() if sender else sender,
                    subject=subject,
                    received_at=received_at,
                    stored_at=now or _now(),
                    outcome="pending",
                    board=None,
                    cycle=None,
                    detail="",
                    processed_at=None,
                )
                session.add(row)
                session.flush()
                record = _inbound(row)
            return record, True
        except IntegrityError:
            existing = self.get_inbound(sha)
            if existing is None:
                raise
            return existing, False

    def get_inbound(self, sha: str) -> InboundRecord | None:
        """The inbound message with this SHA-256, if recorded."""
        with self._tx() as session:
            row = session.get(Inbound, _check_sha(sha))
            return _inbound(row) if row else None

    def set_inbound_outcome(
        self,
        sha: str,
        outcome: InboundOutcome,
        *,
        board: str | None = None,
        cycle: str | None = None,
        detail: str | None = None,
        now: dt.datetime | None = None,
    ) -> InboundRecord:
        """Record what became of an inbound message (board/cycle/detail kept if not given)."""
        if outcome not in INBOUND_OUTCOMES:
            raise ValueError(f"unknown inbound outcome {outcome!r}")
        with self._tx() as session:
            row = session.get(Inbound, _check_sha(sha), with_for_update=True)
            if row is None:
                raise LedgerError(f"no inbound message {sha}")
            row.outcome = outcome
            if board is not None:
                row.board = board
            if cycle is not None:
                row.cycle = cycle
            if detail is not None:
                row.detail = detail
            row.processed_at = None if outcome == "pending" else (now or _now())
            session.flush()
            return _inbound(row)

    def inbound_pending(self) -> list[InboundRecord]:
        """Inbound messages archived but not yet processed, in the order they were stored."""
        query = select(Inbound).where(Inbound.outcome == "pending")
        with self._tx() as session:
            rows = session.scalars(query.order_by(Inbound.stored_at, Inbound.sha256))
            return [_inbound(r) for r in rows]

    def inbound(self, cycle: str | None = None) -> list[InboundRecord]:
        """Every inbound message (of one cycle, if given), in the order they were stored."""
        query = select(Inbound)
        if cycle is not None:
            query = query.where(Inbound.cycle == cycle)
        with self._tx() as session:
            rows = session.scalars(query.order_by(Inbound.stored_at, Inbound.sha256))
            return [_inbound(r) for r in rows]

    # ------------------------------------------------------------------ submissions

    def add_submission(
        self,
        *,
        cycle: str,
        board: str,
        inbound_sha: str,
        filename: str,
        parsed: ParsedTemplate,
        sender: str | None = None,
        received_at: dt.datetime | None = None,
        part: str | None = None,
        valid: bool | None = None,
        now: dt.datetime | None = None,
    ) -> SubmissionRecord:
        """Store a board's answer as its next version (1, 2, ...) for the cycle.

        Idempotent per (inbound_sha, part): processing the same attachment again returns the
        version stored the first time. `part` (default: the filename) tells apart several
        attachments of one message. `valid` defaults to "the parse found no errors".
        """
        _check_sha(inbound_sha)
        part = part if part is not None else filename
        is_valid = parsed.is_valid if valid is None else valid
        for _ in range(20):
            try:
                with self._tx() as session:
                    existing = session.scalar(
                        select(Submission).where(
                            Submission.inbound_sha == inbound_sha, Submission.part == part
                        )
                    )
                    if existing is not None:
                        return _submission(existing)
                    highest = session.scalar(
                        select(func.max(Submission.version)).where(
                            Submission.cycle == cycle, Submission.board == board
                        )
                    )
                    row = Submission(
                        cycle=cycle,
                        board=board,
                        version=(highest or 0) + 1,
                        inbound_sha=inbound_sha,
                        part=part,
                        filename=filename,
                        sender=sender.lower() if sender else sender,
                        received_at=received_at,
                        recorded_at=now or _now(),
                        valid=is_valid,
                        parsed_json=parsed.to_json(),
                        errors=len(parsed.errors),
                        warnings=len(parsed.warnings),
                    )
                    session.add(row)
                    session.flush()
                    return _submission(row)
            except IntegrityError:
                continue  # another process took this version (or this part): look again
        raise LedgerError(f"could not store a submission for {cycle}/{board}")

    def submissions(self, cycle: str, board: str | None = None) -> list[SubmissionRecord]:
        """Every stored version, ordered by board and version."""
        query = select(Submission).where(Submission.cycle == cycle)
        if board is not None:
            query = query.where(Submission.board == board)
        with self._tx() as session:
            rows = session.scalars(query.order_by(Submission.board, Submission.version))
            return [_submission(r) for r in rows]

    def latest_valid_submissions(self, cycle: str) -> list[SubmissionRecord]:
        """Per board, its newest valid version (what the compilation uses), ordered by board."""
        latest: dict[str, SubmissionRecord] = {}
        for record in self.submissions(cycle):
            if record.valid:
                latest[record.board] = record
        return [latest[b] for b in sorted(latest)]

    # ------------------------------------------------------------------ mailbox sync state

    def get_sync_state(self, key: str) -> str | None:
        """The mailbox's opaque sync state stored under `key` (None if never stored)."""
        with self._tx() as session:
            row = session.get(SyncState, key)
            return row.state if row else None

    def set_sync_state(self, key: str, state: str | None, now: dt.datetime | None = None) -> None:
        """Store the mailbox's sync state (after the fetched messages are archived)."""
        stamp = now or _now()
        for _ in range(5):
            with self._tx() as session:
                result = session.execute(
                    update(SyncState)
                    .where(SyncState.key == key)
                    .values(state=state, updated_at=stamp)
                )
                if getattr(result, "rowcount", 0):
                    return
            try:
                with self._tx() as session:
                    session.add(SyncState(key=key, state=state, updated_at=stamp))
                return
            except IntegrityError:
                continue  # inserted concurrently: update it
        raise LedgerError(f"could not store the sync state {key!r}")

    # ------------------------------------------------------------------ quarantine

    def quarantine(
        self, sha: str, reason: str, now: dt.datetime | None = None
    ) -> tuple[QuarantineRecord, bool]:
        """Put an inbound message in quarantine for the coordinator; returns (record, created)."""
        _check_sha(sha)
        try:
            with self._tx() as session:
                row = Quarantine(
                    inbound_sha=sha,
                    reason=reason,
                    created_at=now or _now(),
                    resolved=False,
                    resolution=None,
                    resolved_at=None,
                )
                session.add(row)
                session.flush()
                record = _quarantine(row)
            return record, True
        except IntegrityError:
            with self._tx() as session:
                found = session.get(Quarantine, sha)
                if found is None:
                    raise LedgerError(f"no inbound message {sha} to quarantine") from None
                return _quarantine(found), False

    def quarantined(self, open_only: bool = True) -> list[QuarantineRecord]:
        """Quarantined messages, oldest first (only unresolved ones by default)."""
        query = select(Quarantine)
        if open_only:
            query = query.where(Quarantine.resolved.is_(False))
        with self._tx() as session:
            rows = session.scalars(query.order_by(Quarantine.created_at, Quarantine.inbound_sha))
            return [_quarantine(r) for r in rows]

    def resolve_quarantine(
        self, sha: str, resolution: str, now: dt.datetime | None = None
    ) -> QuarantineRecord:
        """Close a quarantine case with the coordinator's resolution."""
        with self._tx() as session:
            row = session.get(Quarantine, _check_sha(sha), with_for_update=True)
            if row is None:
                raise LedgerError(f"message {sha} is not in quarantine")
            row.resolved = True
            row.resolution = resolution
            row.resolved_at = now or _now()
            session.flush()
            return _quarantine(row)

    # ------------------------------------------------------------------ approvals

    def approve(
        self,
        cycle: str,
        approved_by: str,
        *,
        test_mode_address: str | None = None,
        now: dt.datetime | None = None,
    ) -> ApprovalRecord:
        """Record a coordinator's approval of a cycle's first wave (appended, never replaced)."""
        with self._tx() as session:
            row = Approval(
                cycle_id=cycle,
                approved_by=approved_by,
                approved_at=now or _now(),
                test_mode_address=test_mode_address,
            )
            session.add(row)
            session.flush()
            return _approval(row)

    def approvals(self, cycle: str | None = None) -> list[ApprovalRecord]:
        """Approvals, oldest first (of one cycle, if given)."""
        query = select(Approval)
        if cycle is not None:
            query = query.where(Approval.cycle_id == cycle)
        with self._tx() as session:
            return [_approval(r) for r in session.scalars(query.order_by(Approval.id))]

    def latest_approval(self, cycle: str) -> ApprovalRecord | None:
        """The most recent approval of a cycle, if any."""
        found = self.approvals(cycle)
        return found[-1] if found else None
