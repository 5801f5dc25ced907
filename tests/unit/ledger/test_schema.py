"""The schema is versioned: opening creates or upgrades it, and the migrations match the tables."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from flows.ledger import Ledger, head_revision
from flows.ledger.schema import Base

TABLES = {"outbound", "inbound", "submission", "sync_state", "quarantine", "approval"}


def test_open_creates_the_schema_at_head(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        assert ledger.schema_revision() == head_revision()
        assert set(inspect(ledger.engine).get_table_names()) >= TABLES


def test_migrations_produce_exactly_the_declared_tables(ledger: Ledger) -> None:
    with ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_reopening_keeps_the_data(ledger_url: str) -> None:
    with Ledger.open(ledger_url) as ledger:
        ledger.set_sync_state("inbox", "token-1")
    with Ledger.open(ledger_url) as again:
        assert again.schema_revision() == head_revision()
        assert again.get_sync_state("inbox") == "token-1"


def test_without_migrate_an_empty_database_has_no_revision(ledger_url: str) -> None:
    with Ledger.open(ledger_url, migrate=False) as ledger:
        assert ledger.schema_revision() is None


def test_downgrade_and_upgrade_again(ledger_url: str) -> None:
    from alembic import command

    from flows.ledger.store import _alembic_config

    with Ledger.open(ledger_url) as ledger:
        config = _alembic_config()
        with ledger.engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
            connection.commit()
        assert not TABLES & set(inspect(ledger.engine).get_table_names())
        assert ledger.schema_revision() is None
    with Ledger.open(ledger_url) as again:
        assert again.schema_revision() == head_revision()
        assert set(inspect(again.engine).get_table_names()) >= TABLES


def test_the_alembic_command_line_route(ledger_url: str) -> None:
    from alembic import command

    from flows.ledger.store import _alembic_config

    config = _alembic_config()
    config.set_main_option("sqlalchemy.url", ledger_url.replace("%", "%%"))
    command.upgrade(config, "head")
    with Ledger.open(ledger_url, migrate=False) as ledger:
        assert ledger.schema_revision() == head_revision()


@pytest.mark.postgres
def test_a_plain_postgresql_url_uses_psycopg() -> None:
    from flows.ledger.store import create_ledger_engine
    from tests.support.postgres import fresh_schema, postgres_url

    with fresh_schema(postgres_url()) as url:
        plain = url.replace("postgresql+psycopg://", "postgres://", 1)
        engine = create_ledger_engine(plain)
        assert engine.dialect.driver == "psycopg"
        with Ledger(engine) as ledger:
            assert ledger.schema_revision() is None


def test_the_fast_head_check_agrees_with_alembic() -> None:
    from flows.ledger.store import _script_heads

    assert _script_heads() == {head_revision()}
