"""PostgreSQL for tests: the local server at 127.0.0.1:5432, database `test`, and a fresh schema
per use so parallel test runs never see each other's tables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from tests.conftest import in_ci

CANDIDATE_USERS = ("postgres", "root")


def _candidates() -> list[str]:
    explicit = os.environ.get("FOLLOWUP_TEST_POSTGRES_URL")
    if explicit:
        return [explicit]
    return [f"postgresql://{user}@127.0.0.1:5432/test" for user in CANDIDATE_USERS]


def postgres_url() -> str:
    """A libpq URL that connects; skips the test if none does (fails in CI)."""
    reasons = []
    for url in _candidates():
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.Error as exc:
            reasons.append(f"{url}: {str(exc).strip().splitlines()[0]}")
    message = "PostgreSQL unreachable (" + "; ".join(reasons) + ")"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """Create a random schema, yield a SQLAlchemy URL whose search_path is it, drop it after."""
    schema = f"followup_test_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            + f"?options=-csearch_path%3D{schema}"
        )
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
