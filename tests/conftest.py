"""Shared test set-up: every test runs with its own data directory and a private PREFECT_HOME."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO / "config"

# Prefect must never touch the developer's ~/.prefect or a configured remote API.
_PREFECT_HOME = tempfile.mkdtemp(prefix="followup-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.pop("PREFECT_API_URL", None)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def config_dir() -> Path:
    return CONFIG_DIR


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh FOLLOWUP_DATA for one test."""
    data = tmp_path / "var"
    data.mkdir()
    monkeypatch.setenv("FOLLOWUP_DATA", str(data))
    monkeypatch.setenv("FOLLOWUP_CONFIG", str(CONFIG_DIR))
    return data


def _soffice_or_skip() -> str:
    """Path to LibreOffice; skips outside CI if missing (a fresh machine), fails in CI."""
    from flows.documents.libreoffice import soffice_path

    path = soffice_path()
    if path is None:
        if in_ci():
            pytest.fail("LibreOffice (soffice) is required in CI; .ci/run installs it")
        pytest.skip("LibreOffice not installed: apt-get install libreoffice-writer-nogui")
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    return _soffice_or_skip()


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Tests marked `libreoffice` need it even when they do not ask for the fixture.
    if item.get_closest_marker("libreoffice") is not None:
        _soffice_or_skip()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral Prefect API for the whole session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
