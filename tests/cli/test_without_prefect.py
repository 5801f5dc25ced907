"""Commands that only read answer without Prefect; commands that act say in one Swedish line when
Prefect cannot be reached. Each runs `followup` as a coordinator does: a subprocess with its own
environment, PREFECT_API_URL pointing at a closed port and a fresh PREFECT_HOME."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import coordinator_env

FOLLOWUP = str(Path(sys.executable).with_name("followup"))
REPO = Path(__file__).resolve().parents[2]
# Generous: the machine running the suite may be busy. What matters is that the command does not
# wait for a Prefect server (which needs tens of seconds to start, or forever on a closed port).
READ_ONLY_LIMIT_SECONDS = 30


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return coordinator_env(tmp_path, PREFECT_API_URL=f"http://127.0.0.1:{_closed_port()}/api")


def _run(
    args: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    done = subprocess.run(
        [FOLLOWUP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    return done, time.perf_counter() - start


def test_read_only_commands_answer_without_prefect(env: dict[str, str], tmp_path: Path) -> None:
    template = tmp_path / "mall.docx"
    commands = [
        ["status", "--json"],
        ["status", "--cycle", "hbtqia-2025"],
        ["check"],
        ["template", "--board", "socialnamnden", "--out", str(template)],
        ["remind", "--dry-run", "--today", "2027-02-03"],
    ]
    for args in commands:
        done, seconds = _run(args, env, tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        assert seconds < READ_ONLY_LIMIT_SECONDS, (args, seconds)
        assert "Traceback" not in done.stderr and "prefect" not in done.stderr.lower(), args
    done, _ = _run(["parse", "--json", str(template)], env, tmp_path)
    assert done.returncode == 0 and '"board":"socialnamnden"' in done.stdout
    assert not (tmp_path / "prefect-home").exists()  # Prefect never even set itself up


def test_an_acting_command_without_a_server_says_so_in_one_swedish_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    done, _ = _run(["collect"], env, tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"Prefect-servern på {env['PREFECT_API_URL']} svarar inte")
    assert "fungerar utan Prefect" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.timeout(300)
def test_an_ephemeral_server_that_does_not_start_gives_one_swedish_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    del env["PREFECT_API_URL"]
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "1"
    done, _ = _run(["collect"], env, tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "Prefect kunde inte starta sin tillfälliga server inom 1 s. Kontrollera PREFECT_API_URL "
        "eller försök igen; kommandon som bara läser (status, check, template, parse, "
        "remind --dry-run) fungerar utan Prefect.\n"
    )


def test_the_command_sets_prefects_defaults_unless_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.cli import PREFECT_DEFAULTS, apply_prefect_defaults

    monkeypatch.delenv("PREFECT_SERVER_ANALYTICS_ENABLED", raising=False)
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "999")
    apply_prefect_defaults()
    assert os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "999"
    assert PREFECT_DEFAULTS["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "180"


def test_prefect_commands_run_from_the_project_have_the_same_defaults(tmp_path: Path) -> None:
    # `prefect server start`, `prefect worker start`, `prefect deploy` read prefect.toml in the
    # folder they run in: a coordinator who starts them there sends nothing to Prefect either.
    from flows.cli import PREFECT_DEFAULTS

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    shown = subprocess.run(
        [str(Path(sys.executable).with_name("prefect")), "config", "view", "--show-sources"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for name, value in PREFECT_DEFAULTS.items():
        assert re.search(rf"^{name}='{value}' \(from prefect\.toml\)$", shown, re.I | re.M), shown
