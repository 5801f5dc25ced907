"""The Prefect UI as a coordinator sees it: headless Chromium (the Debian package) against a real
`prefect server start` with its web UI. The real remind flow pauses for the first wave's go-ahead;
the test reads the Swedish form, asks for a test send by giving only a test address, and sees the
run send the previews to that address and ask again. The status and dry-run tables are there too,
with board names, and the remind deployment's run form has Swedish fields and a cycle dropdown.

Playwright drives the installed browser (`executable_path`); nothing downloads one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CONFIG_DIR, REPO, in_ci
from tests.support.prefect_server import PrefectServer, prefect_server
from tests.support.processes import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

DAY = dt.date(2027, 2, 3)  # hbtqia-2026's invitation day; the cycle requires approval
BOARDS = 14
TEST_ADDRESS = "eva.lund@ekeby.example"
# One process runs what a coordinator would trigger: the status, a dry run, then the real run.
FLOWS = f"""
import datetime as dt
from flows.config import load_config
from flows.deployments import build_deployments
from flows.prefect_flows import remind_flow, status_flow
day = dt.date.fromisoformat({DAY.isoformat()!r})
for deployment in build_deployments(load_config({str(CONFIG_DIR)!r}), day):
    deployment.apply()
status_flow(today=day)
remind_flow(today=day, dry_run=True)
remind_flow(today=day)
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    for candidate in (os.environ.get("FOLLOWUP_CHROMIUM"), "chromium", "chromium-browser"):
        path = shutil.which(candidate) if candidate else None
        if path:
            return path
    if in_ci():
        pytest.fail("Chromium is required in CI; .ci/run installs the Debian package chromium")
    pytest.skip("Chromium not installed: apt-get install chromium chromium-driver")


@pytest.fixture()
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()


def _runs(server: PrefectServer) -> list[dict[str, Any]]:
    response = httpx.post(f"{server.api_url}/flow_runs/filter", json={}, timeout=10)
    response.raise_for_status()
    runs: list[dict[str, Any]] = response.json()
    return runs


def _paused_after(server: PrefectServer, after: str | None) -> dict[str, Any] | None:
    """The remind run if it waits for input at a pause newer than `after` (a state id)."""
    for run in _runs(server):
        state = run.get("state") or {}
        details = state.get("state_details") or {}
        if (
            state.get("type") == "PAUSED"
            and details.get("run_input_keyset")
            and state.get("id") != after
        ):
            return run
    return None


def _artifact_id(server: PrefectServer, key: str) -> str:
    response = httpx.post(
        f"{server.api_url}/artifacts/latest/filter",
        json={"artifacts": {"key": {"any_": [key]}}},
        timeout=10,
    )
    response.raise_for_status()
    [artifact] = response.json()
    return str(artifact["latest_id"])


def _deployment_id(server: PrefectServer, name: str) -> str:
    response = httpx.post(
        f"{server.api_url}/deployments/filter",
        json={"deployments": {"name": {"any_": [name]}}},
        timeout=10,
    )
    response.raise_for_status()
    [deployment] = response.json()
    return str(deployment["id"])


def _sent(data: Path) -> list[bytes]:
    sent = data / "mail" / "sent"
    return [
        p.read_bytes()
        for sub in ("new", "cur")
        if (sent / sub).is_dir()
        for p in (sent / sub).iterdir()
    ]


def test_coordinator_answers_the_swedish_form_and_reads_the_tables(
    tmp_path: Path, browser: Any
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with prefect_server(tmp_path, ui=True) as server:
        base = server.api_url.removesuffix("/api")
        flows = server.background(
            "flows",
            [sys.executable, "-c", FLOWS],
            extra_env={"FOLLOWUP_DATA": str(data), "FOLLOWUP_CONFIG": str(CONFIG_DIR)},
            cwd=REPO,
        )
        found: list[dict[str, Any]] = []

        def paused() -> bool:
            if not flows.alive():
                raise AssertionError(f"the flows stopped:\n{flows.tail()}")
            run = _paused_after(server, None)
            found[:] = [run] if run else []
            return run is not None

        wait_until(paused, timeout=180, what="the remind run to pause", interval=0.5)
        run = found[0]
        assert _sent(data) == []  # nothing goes out before the coordinator answers

        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="sv-SE")
        page.goto(f"{base}/runs/flow-run/{run['id']}")
        page.get_by_role("button", name="Resume").first.click(timeout=60_000)
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Första utskicket för hbtqia-2026").wait_for(timeout=30_000)
        form = dialog.inner_text()
        for text in (
            f"{BOARDS} meddelanden väntar på godkännande",
            "Sista svarsdag: 31 mars 2027",
            "Kultur- och fritidsnämnden",  # board names, not ids
            "elin.forsberg@ekeby.example",
            "Godkänn utskicket till nämnderna",
            "Ditt namn",
            "Testadress",
        ):
            assert text in form, f"{text!r} not in the form:\n{form}"
        assert "Optional" not in form and "Approve" not in form
        assert "kultur-och-fritidsnamnden" not in form

        # A test address alone, the box left empty: "send me the test first", then ask again.
        dialog.get_by_role("textbox").nth(0).fill("Eva Lund")
        dialog.get_by_role("textbox").nth(1).fill(TEST_ADDRESS)
        page.screenshot(path=str(tmp_path / "approval-form.png"), full_page=True)
        dialog.get_by_role("button", name="Submit").click()

        def asked_again() -> bool:
            if not flows.alive():
                raise AssertionError(
                    f"the remind run stopped instead of asking again:\n{flows.tail()}"
                )
            return _paused_after(server, run["state"]["id"]) is not None

        wait_until(asked_again, timeout=90, what="the form to come back", interval=0.5)
        previews = _sent(data)
        assert len(previews) == BOARDS
        for raw in previews:
            assert f"To: {TEST_ADDRESS}".encode() in raw and b"[TEST]" in raw

        # The tables: status and dry run, in Swedish with board names.
        page.goto(f"{base}/artifacts/artifact/{_artifact_id(server, 'status-hbtqia-2026')}")
        page.get_by_text("Kultur- och fritidsnämnden").first.wait_for(timeout=30_000)
        status = page.inner_text("body")
        for text in ("Nämnd", "Läge", "Senaste påminnelse", "ej inbjuden", "Servicenämnden"):
            assert text in status, f"{text!r} not in the status table:\n{status}"
        page.screenshot(path=str(tmp_path / "status-artifact.png"), full_page=True)

        page.goto(f"{base}/artifacts/artifact/{_artifact_id(server, 'provkorning-hbtqia-2026')}")
        page.get_by_text("Inbjudan").first.wait_for(timeout=30_000)
        dry_run = page.inner_text("body")
        assert "Kultur- och fritidsnämnden" in dry_run and "Meddelande" in dry_run
        page.screenshot(path=str(tmp_path / "dry-run-artifact.png"), full_page=True)

        # The remind deployment's run form: Swedish titles, the cycle as a dropdown.
        page.goto(f"{base}/deployments/deployment/{_deployment_id(server, 'remind')}/run")
        page.get_by_text("Provkörning").first.wait_for(timeout=30_000)
        run_form = page.inner_text("body")
        for text in ("Uppföljning", "Provkörning", "hbtqia-2026"):
            assert text in run_form, f"{text!r} not in the run form:\n{run_form}"
        for absent in ("str / None", "Uppföljning (Optional)", "Provkörning (Optional)", "dry_run"):
            assert absent not in run_form, f"{absent!r} in the run form:\n{run_form}"
        page.screenshot(path=str(tmp_path / "remind-run-form.png"), full_page=True)
        flows.stop()
