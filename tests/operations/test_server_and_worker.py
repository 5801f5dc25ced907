"""The real thing: `prefect server start`, a process work pool, `prefect deploy --all` from
prefect.yaml, a `prefect worker`, and the EWS test endpoint as a process. The remind and collect
deployments are triggered at once against the EWS endpoint; the mailbox work queue runs them one
after the other; the EWS server's sent mail and the ledger show what they did."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email
import email.policy
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest

from flows.config import load_config
from flows.demo.answers import demo_answer, fill_template
from flows.demo.replies import DOCX, board_reply
from flows.deployments import MAILBOX_QUEUE, MAILBOX_QUEUE_LIMIT, WORK_POOL
from flows.documents.template import build_template
from flows.ledger import Ledger
from tests.conftest import CONFIG_DIR, REPO
from tests.support.exchange_stamp import as_delivered_by_exchange
from tests.support.postgres import fresh_schema, postgres_url
from tests.support.prefect_server import PREFECT, PrefectServer, prefect_server
from tests.support.processes import Background, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

CYCLE = "hbtqia-2026"
INVITATION_DAY = dt.date(2027, 2, 3)
ANSWERING_BOARD = "kultur-och-fritidsnamnden"
EWS_PASSWORD = "ops-secret-7"
RUN_TIMEOUT = 120.0


@dataclass
class Databases:
    prefect_url: str | None  # None: SQLite in the work directory
    ledger_url: str


@contextmanager
def _postgres_database() -> Iterator[Databases]:
    """A fresh database for Prefect and a fresh schema for the ledger, dropped afterwards."""
    base = postgres_url()
    name = f"followup_ops_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        prefect_url = base.replace("postgresql://", "postgresql+asyncpg://", 1)
        prefect_url = prefect_url.rsplit("/", 1)[0] + f"/{name}"
        with fresh_schema(base) as ledger_url:
            yield Databases(prefect_url, ledger_url)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _databases(backend: str, workdir: Path) -> Iterator[Databases]:
    if backend == "sqlite":
        yield Databases(None, f"sqlite:///{workdir / 'data' / 'ledger.sqlite'}")
        return
    with _postgres_database() as databases:
        yield databases


def _start_ews(server: PrefectServer) -> tuple[Background, str, str]:
    process = server.background(
        "ews",
        [
            sys.executable,
            "-m",
            "tests.support.ews_server",
            "--port",
            "0",
            "--password",
            EWS_PASSWORD,
        ],
        cwd=REPO,
    )
    first_line: list[str] = []

    def announced() -> bool:
        lines = process.log.read_text(encoding="utf-8", errors="replace").splitlines()
        first_line[:] = [line for line in lines if line.startswith("EWS endpoint ")][:1]
        return bool(first_line) or not process.alive()

    wait_until(announced, timeout=30, what="EWS test server")
    assert first_line, process.tail()
    _, _, endpoint, _, control = first_line[0].split()
    return process, endpoint, control


def _save_password_block(api_url: str) -> None:
    """The EWS password lives in a Prefect Secret block, as in production."""
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        Secret(value=EWS_PASSWORD).save("followup-ews-password", overwrite=True)


async def _trigger_and_wait(
    api_url: str, runs: dict[str, tuple[dict[str, Any], dict[str, str]]]
) -> dict[str, Any]:
    """Create one run per deployment at once, then wait until every one is final."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        async with get_client() as client:
            deployments = {d.name: d for d in await client.read_deployments()}
            created: dict[str, UUID] = {}
            for name, (parameters, env) in runs.items():
                run = await client.create_flow_run_from_deployment(
                    deployments[name].id, parameters=parameters, job_variables={"env": env}
                )
                created[name] = run.id
            deadline = time.monotonic() + RUN_TIMEOUT
            final: dict[str, Any] = {}
            while time.monotonic() < deadline and len(final) < len(created):
                for name, run_id in created.items():
                    run = await client.read_flow_run(run_id)
                    if run.state is not None and run.state.is_final():
                        final[name] = run
                await asyncio.sleep(0.5)
            if len(final) < len(created):
                states = {n: (await client.read_flow_run(i)).state for n, i in created.items()}
                raise TimeoutError(f"flow runs not finished after {RUN_TIMEOUT}s: {states}")
            queue = await client.read_work_queue_by_name(MAILBOX_QUEUE, work_pool_name=WORK_POOL)
            final["_queue_limit"] = queue.concurrency_limit
            final["_deployments"] = deployments
            return final


def _answer_message(endpoint_address: str) -> bytes:
    config = load_config(CONFIG_DIR)
    cycle = config.cycle(CYCLE)
    board = config.board(ANSWERING_BOARD)
    answer = demo_answer(config, cycle, board, seed=7)
    document = fill_template(build_template(config, cycle, board), answer)
    return board_reply(
        board,
        config.municipality.model_copy(update={"mailbox": endpoint_address}),
        subject=f"Uppföljning {cycle.code}",
        text="Hej! Här kommer vår uppföljning.",
        attachments=[(f"Uppföljning {board.code}.docx", DOCX, document)],
        sent_at=dt.datetime(2027, 2, 10, 9, 12, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_remind_and_collect_on_a_server_with_a_worker(backend: str, tmp_path: Path) -> None:
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    data = tmp_path / "data"
    data.mkdir()
    with (
        _databases(backend, tmp_path) as databases,
        prefect_server(tmp_path, databases.prefect_url) as server,
    ):
        lap("server")
        server.cli("work-pool", "create", WORK_POOL, "--type", "process")
        server.cli(
            "work-queue", "create", MAILBOX_QUEUE, "--pool", WORK_POOL,
            "--limit", str(MAILBOX_QUEUE_LIMIT),
        )  # fmt: skip
        deployed = server.cli("deploy", "--all", cwd=REPO)
        lap("deploy")
        _save_password_block(server.api_url)
        _ews, endpoint, control = _start_ews(server)
        health = httpx.get(f"{control}health", timeout=5).json()
        mailbox_address = health["address"]
        httpx.post(
            f"{control}deliver",
            content=as_delivered_by_exchange(_answer_message(mailbox_address)),
            timeout=5,
        )

        server.background(
            "worker",
            [PREFECT, "worker", "start", "--pool", WORK_POOL, "--type", "process", "--limit", "4"],
            extra_env={
                "FOLLOWUP_HOME": str(REPO),
                "FOLLOWUP_CONFIG": str(CONFIG_DIR),
                "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_WORKER_PREFETCH_SECONDS": "5",
            },
            cwd=tmp_path,
        )
        env = {
            "FOLLOWUP_DATA": str(data),
            "FOLLOWUP_DATABASE_URL": databases.ledger_url,
            "FOLLOWUP_TRANSPORT": "ews",
            "FOLLOWUP_PREAPPROVED_BY": "Driftprovet",
            "FOLLOWUP_EWS_ENDPOINT": endpoint,
            "FOLLOWUP_EWS_ADDRESS": mailbox_address,
            "FOLLOWUP_EWS_AUTH": "basic",
            "FOLLOWUP_EWS_USERNAME": "EKEBY\\svc-followup",
            "FOLLOWUP_EWS_PASSWORD_BLOCK": "followup-ews-password",
            "FOLLOWUP_EWS_RETRY_BASE_SECONDS": "0.1",
        }
        final = asyncio.run(
            _trigger_and_wait(
                server.api_url,
                {
                    "remind": ({"cycle": CYCLE, "today": INVITATION_DAY.isoformat()}, env),
                    "collect": ({"cycle": CYCLE}, env),
                },
            )
        )
        lap("runs")
        sent = httpx.get(f"{control}sent", timeout=10).json()
        logs = server_logs(tmp_path)
        for name in ("remind", "collect"):
            assert final[name].state.is_completed(), (name, final[name].state, logs)
        _check_deployments(final, deployed.stdout)
        _check_sent_mail(sent)
        with Ledger.open(databases.ledger_url, migrate=False) as ledger:
            _check_ledger(ledger)
        lap("checks")
    print(json.dumps({"backend": backend, "seconds": timings}))


def _check_deployments(final: dict[str, Any], deploy_output: str) -> None:
    # The mailbox queue let one run at a time work the mailbox.
    assert final["_queue_limit"] == MAILBOX_QUEUE_LIMIT
    first, second = sorted((final["remind"], final["collect"]), key=lambda r: r.start_time)
    assert first.end_time <= second.start_time
    # prefect.yaml's schedules and parameters arrived on the server.
    remind = final["_deployments"]["remind"]
    assert remind.work_queue_name == MAILBOX_QUEUE
    cron = remind.schedules[0].schedule
    assert (cron.cron, cron.timezone) == ("30 7 * * 1-5", "Europe/Stockholm")
    assert {"cycle", "today", "dry_run"} <= set(remind.parameter_openapi_schema["properties"])
    assert set(final["_deployments"]) == {"remind", "collect", "compile", "status"}
    assert "remind" in deploy_output


def _check_sent_mail(sent: list[dict[str, Any]]) -> None:
    config = load_config(CONFIG_DIR)
    boards = config.boards_in(config.cycle(CYCLE))
    messages = [
        email.message_from_bytes(base64.b64decode(s["mime"]), policy=email.policy.default)
        for s in sent
    ]
    recipients = [
        {a.addr_spec.lower() for a in message["To"].addresses} if message["To"] else set()
        for message in messages
    ]
    for board in boards:
        assert any(board.primary.email in to for to in recipients), board.id
    answering = config.board(ANSWERING_BOARD)
    to_answering = [m for m, to in zip(messages, recipients, strict=True)
                    if answering.primary.email in to]  # fmt: skip
    # The invitation with its template, and the receipt for the answer.
    assert len(to_answering) == 2
    assert any(
        part.get_filename(failobj="").endswith(".docx")
        for message in to_answering
        for part in message.iter_attachments()
    )


def _check_ledger(ledger: Ledger) -> None:
    config = load_config(CONFIG_DIR)
    boards = config.boards_in(config.cycle(CYCLE))
    invitations = [r for r in ledger.outbound_for(CYCLE) if r.kind == "invitation"]
    assert {r.board for r in invitations} == {b.id for b in boards}
    assert all(r.sent for r in invitations)
    submissions = ledger.submissions(CYCLE, ANSWERING_BOARD)
    assert len(submissions) == 1 and submissions[0].valid
    receipts = [r for r in ledger.outbound_for(CYCLE, ANSWERING_BOARD) if r.kind == "receipt"]
    assert len(receipts) == 1 and receipts[0].sent
    assert [a.approved_by for a in ledger.approvals(CYCLE)] == ["Driftprovet"]


def server_logs(workdir: Path) -> str:
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
        for log in sorted(workdir.glob("*.log"))
    )
