"""A real Prefect server (`prefect server start`) and CLI for operations tests, on 127.0.0.1 with
its own PREFECT_HOME and database, stopped when the context ends."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.processes import Background, free_port, start, wait_until

PREFECT = str(Path(sys.executable).with_name("prefect"))
STARTUP_TIMEOUT = 180.0


def _quiet_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FOLLOWUP_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_CLI_COLORS="false",
        PREFECT_CLI_WRAP_LINES="false",
    )
    return env


@dataclass
class PrefectServer:
    api_url: str
    env: dict[str, str]
    workdir: Path
    processes: list[Background] = field(default_factory=list)

    def cli(
        self, *args: str, cwd: Path | None = None, extra_env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `prefect ARGS` against this server; raises with the output if it fails."""
        result = subprocess.run(
            [PREFECT, "--no-prompt", *args],
            env={**self.env, **(extra_env or {})},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"prefect {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def background(
        self,
        name: str,
        command: Sequence[str],
        *,
        extra_env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Background:
        process = start(
            name, command, env={**self.env, **(extra_env or {})}, log_dir=self.workdir, cwd=cwd
        )
        self.processes.append(process)
        return process


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def prefect_server(
    workdir: Path, database_url: str | None = None, *, ui: bool = False
) -> Iterator[PrefectServer]:
    """`prefect server start` on a free port; SQLite in `workdir` unless `database_url`; the web
    UI at `api_url` without `/api` when `ui`."""
    home = workdir / "prefect-home"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = _quiet_env(home)
    if ui:
        # The browser asks the UI where the API is; by default it would say port 4200.
        env["PREFECT_UI_API_URL"] = api_url
    env["PREFECT_API_DATABASE_CONNECTION_URL"] = (
        database_url or f"sqlite+aiosqlite:///{workdir / 'prefect.db'}"
    )
    server = PrefectServer(
        api_url=api_url, env={**env, "PREFECT_API_URL": api_url}, workdir=workdir
    )
    process = start(
        "prefect-server",
        [
            PREFECT,
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *([] if ui else ["--no-ui"]),
            "--analytics-off",
            # Scheduled runs would compete with the runs a test triggers.
            "--no-scheduler",
        ],
        env=env,
        log_dir=workdir,
    )
    server.processes.append(process)
    try:
        wait_until(
            lambda: _healthy(api_url) or not process.alive(),
            timeout=STARTUP_TIMEOUT,
            what="prefect server",
        )
        if not process.alive():
            raise RuntimeError(f"prefect server exited:\n{process.tail()}")
        yield server
    finally:
        for background in reversed(server.processes):
            background.stop()
