"""The status flow on a real ledger, under the session's Prefect API; and `followup status`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from flows.cli import main
from flows.ledger import Ledger
from flows.model import ParsedTemplate, Problem
from flows.prefect_flows import status_flow
from flows.runtime import Runtime, use_runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR

from .records import at, sha


def seed(url: str) -> None:
    with Ledger.open(url) as ledger:
        for board in ("kommunstyrelsen", "socialnamnden"):
            record, _ = ledger.reserve_outbound(
                cycle="hbtqia-2026",
                board=board,
                kind="invitation",
                plan_key="invitation",
                to=[f"{board}@ekeby.example"],
                subject="Inbjudan",
                message_id=f"<inv-{board}@test>",
                now=at(dt.date(2027, 2, 3), 6),
            )
            ledger.mark_sent(record.message_id, at(dt.date(2027, 2, 3)))
        reminder, _ = ledger.reserve_outbound(
            cycle="hbtqia-2026",
            board="socialnamnden",
            kind="reminder_before",
            plan_key="before-14",
            to=["s@ekeby.example"],
            subject="Påminnelse",
            message_id="<rem@test>",
        )
        ledger.mark_sent(reminder.message_id, at(dt.date(2027, 3, 17)))
        answer = sha("answer")
        ledger.record_inbound(answer, received_at=at(dt.date(2027, 3, 20)))
        ledger.add_submission(
            cycle="hbtqia-2026",
            board="kommunstyrelsen",
            inbound_sha=answer,
            filename="mall.docx",
            parsed=ParsedTemplate(
                file="mall.docx",
                problems=[Problem(level="warning", code="w", message="Okänd status")],
            ),
        )
        stray = sha("stray")
        ledger.record_inbound(stray)
        ledger.quarantine(stray, "okänd avsändare")


@pytest.mark.usefixtures("prefect_harness")
def test_status_flow_and_command(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(data=data_dir, config=CONFIG_DIR)
    seed(settings.ledger_url)

    with Runtime.from_settings(settings) as runtime, use_runtime(runtime):
        report = status_flow(cycle="hbtqia-2026", today=dt.date(2027, 4, 1))
    by_id = {b.id: b for b in report.boards}
    assert by_id["kommunstyrelsen"].state == "submitted"
    assert by_id["kommunstyrelsen"].problems == 1
    assert by_id["socialnamnden"].state == "overdue"
    assert by_id["socialnamnden"].last_reminder == dt.date(2027, 3, 17)
    assert by_id["miljonamnden"].state == "not_invited"
    assert report.quarantine == 1

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["status-hbtqia-2026"]))
        )
    assert artifacts
    rows = json.loads(str(artifacts[0].data))
    assert rows[0]["Nämnd"] == "Kommunstyrelsen" and rows[0]["Läge"] == "inlämnad"

    assert main(["status", "--cycle", "hbtqia-2026", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cycle"] == "hbtqia-2026"
    assert printed["quarantine"] == 1
    assert len(printed["boards"]) == 14
    assert {b["id"]: b["submissions"] for b in printed["boards"]}["kommunstyrelsen"] == 1
