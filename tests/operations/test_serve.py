"""`followup serve` against a real Prefect server: it registers every deployment with the
schedules derived from the configuration and the parameter forms, and runs what is triggered."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from flows.deployments import SPECS, TIMEZONE
from tests.conftest import CONFIG_DIR, REPO
from tests.support.prefect_server import PrefectServer, prefect_server
from tests.support.processes import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

FOLLOWUP = str(Path(sys.executable).with_name("followup"))


async def _served(api_url: str) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments()}


async def _run_and_wait(api_url: str, deployment_id: Any, parameters: dict[str, Any]) -> Any:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        async with get_client() as client:
            run = await client.create_flow_run_from_deployment(deployment_id, parameters=parameters)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                run = await client.read_flow_run(run.id)
                if run.state is not None and run.state.is_final():
                    artifacts = await client.read_artifacts()
                    return run, [a.key for a in artifacts]
                await asyncio.sleep(0.5)
            raise TimeoutError(f"served run not finished: {run.state}")


def _start_serve(server: PrefectServer, data: Path) -> None:
    server.background(
        "followup-serve",
        [FOLLOWUP, "serve"],
        extra_env={"FOLLOWUP_DATA": str(data), "FOLLOWUP_CONFIG": str(CONFIG_DIR)},
        cwd=REPO,
    )


def test_followup_serve_registers_schedules_and_runs_deployments(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with prefect_server(tmp_path) as server:
        _start_serve(server, data)
        found: dict[str, Any] = {}

        def registered() -> bool:
            found.update(asyncio.run(_served(server.api_url)))
            return len(found) == len(SPECS)

        wait_until(registered, timeout=120, what="followup serve to register", interval=1)
        remind = found["remind"]
        # The two open cycles (hbtqia-2026 and jamstalldhet-2026) each get their own schedule,
        # starting on the day of their invitation; the closed ones get none.
        by_cycle = {s.parameters["cycle"]: s for s in remind.schedules}
        assert sorted(by_cycle) == ["hbtqia-2026", "jamstalldhet-2026"]
        assert len(remind.schedules) == 2
        for cycle, start in (("hbtqia-2026", "20270203"), ("jamstalldhet-2026", "20270212")):
            schedule = by_cycle[cycle]
            assert schedule.schedule.timezone == TIMEZONE
            assert schedule.schedule.rrule.startswith(f"DTSTART:{start}T073000")
            assert schedule.parameters == {"cycle": cycle}
            assert schedule.active
        form = remind.parameter_openapi_schema["properties"]
        assert form["cycle"]["title"] == "Uppföljning"
        assert form["cycle"]["enum"] == [
            "hbtqia-2024",
            "hbtqia-2025",
            "hbtqia-2026",
            "jamstalldhet-2026",
        ]
        assert sorted(s.parameters["cycle"] for s in found["status"].schedules) == [
            "hbtqia-2026",
            "jamstalldhet-2026",
        ]

        run, artifacts = asyncio.run(
            _run_and_wait(
                server.api_url,
                found["status"].id,
                {"cycle": "hbtqia-2026", "today": "2027-04-19"},
            )
        )
        logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp_path.glob("*.log"))
        assert run.state.is_completed(), logs
        assert "status-hbtqia-2026" in artifacts
        assert (data / "ledger.sqlite").is_file()
