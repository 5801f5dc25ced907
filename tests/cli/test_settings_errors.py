"""A transport's missing setting ends `followup` in one Swedish line naming the variable, without
a traceback; `followup check` lists it among its errors. Run as a coordinator does: a subprocess
with its own environment (the user's interface)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIG_DIR
from tests.support.processes import coordinator_env

FOLLOWUP = str(Path(sys.executable).with_name("followup"))
MISSING = (
    "FOLLOWUP_EWS_ADDRESS saknas men krävs när FOLLOWUP_TRANSPORT=ews — sätt variabeln "
    "(se docs/exchange-server.md)"
)


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return coordinator_env(
        tmp_path,
        FOLLOWUP_TRANSPORT="ews",
        FOLLOWUP_EWS_ENDPOINT="https://mail.ekeby.example/EWS/Exchange.asmx",
        PREFECT_API_URL="http://127.0.0.1:9/api",  # never reached: the settings stop first
    )


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FOLLOWUP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("args", [["status"], ["collect", "--cycle", "hbtqia-2026"]])
def test_a_missing_exchange_address_is_one_swedish_line(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    done = _run(args, env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"Fel i inställningarna (FOLLOWUP_…): {MISSING}\n"
    assert done.stdout == ""


def test_check_lists_the_missing_address_and_checks_the_configuration(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = _run(["check"], env, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        MISSING.replace("ADDRESS saknas", "ADDRESS: saknas"),
        f"1 fel och 0 varningar i {CONFIG_DIR}.",
    ]
