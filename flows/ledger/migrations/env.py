"""Alembic environment for the ledger. `Ledger.open` passes its own connection in
`config.attributes["connection"]`; for the alembic CLI set `sqlalchemy.url` instead."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from flows.ledger.schema import Base
from flows.ledger.store import create_ledger_engine

# Serializes concurrent upgrades of one PostgreSQL database (any constant works).
_PG_LOCK_KEY = 0x466F6C6C

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if context.get_context().dialect.name == "postgresql":
            context.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})"))
        context.run_migrations()


def _online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = create_ledger_engine(url)
    with engine.connect() as own:
        _run(own)
        own.commit()
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported for the ledger")
_online()
