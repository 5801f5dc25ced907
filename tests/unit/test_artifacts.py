"""The Swedish tables of the Prefect UI: board names, Swedish kinds and outcomes, safe keys."""

from __future__ import annotations

from pathlib import Path

from flows.artifacts import (
    KIND_LABELS,
    OUTCOME_LABELS,
    artifact_key,
    collect_row,
    outputs_markdown,
    planned_rows,
    publish_table,
    send_rows,
)
from flows.ledger.records import INBOUND_OUTCOMES, OUTBOUND_KINDS
from flows.mail.port import Attachment, OutboundMessage
from flows.outbox import Planned, SendResult

NAMES = {"kfn": "Kultur- och fritidsnämnden"}


def _planned(kind: str = "invitation", board: str | None = "kfn") -> Planned:
    message = OutboundMessage(
        message_id="<m@ekeby.example>",
        to=("elin@ekeby.example",),
        cc=("mats@ekeby.example",),
        subject="Uppföljning – inbjudan [HBT26-KFN-Q7]",
        text="Hej",
        attachments=(Attachment("Mall – KFN.docx", "application/octet-stream", b"x"),),
    )
    return Planned(message, kind, "invitation", "hbtqia-2026", board)  # type: ignore[arg-type]


def test_every_kind_and_outcome_has_a_swedish_label() -> None:
    assert set(OUTBOUND_KINDS) <= set(KIND_LABELS)
    assert set(INBOUND_OUTCOMES) <= set(OUTCOME_LABELS)


def test_dry_run_rows_name_the_board_and_the_kind_in_swedish() -> None:
    [row] = planned_rows([_planned()], NAMES)
    assert row == {
        "Nämnd": "Kultur- och fritidsnämnden",
        "Meddelande": "Inbjudan",
        "Till": "elin@ekeby.example",
        "Kopia": "mats@ekeby.example",
        "Ämne": "Uppföljning – inbjudan [HBT26-KFN-Q7]",
        "Bilagor": "Mall – KFN.docx",
    }
    [unknown] = planned_rows([_planned(board="gone")], NAMES)
    assert unknown["Nämnd"] == "gone"


def test_send_rows_say_what_happened() -> None:
    planned = _planned("escalation")
    rows = send_rows(
        [
            SendResult(planned, planned.message, sent_now=True),
            SendResult(planned, planned.message, sent_now=False),
            SendResult(planned, planned.message, sent_now=False, error="anslutningen bröts"),
        ],
        NAMES,
    )
    assert [r["Resultat"] for r in rows] == [
        "Skickat",
        "Redan skickat tidigare",
        "Fel, skickas igen vid nästa körning: anslutningen bröts",
    ]
    assert rows[0]["Meddelande"] == "Påminnelse efter sista dag, kopia till eskalering"


def test_collect_row_in_swedish() -> None:
    row = collect_row(
        sender=None,
        subject="Sv: " + "x" * 200,
        board=None,
        outcome="quarantined",
        replies=["quarantine_notice"],
        reason="okänd avsändare",
    )
    assert row["Avsändare"] == "(okänd)" and row["Nämnd"] == "–"
    assert row["Utfall"] == "I karantän, väntar på granskning"
    assert row["Svar"] == "Meddelande till samordnaren om karantän"
    assert len(row["Ämne"]) == 80


def test_keys_and_markdown_are_safe(tmp_path: Path) -> None:
    assert artifact_key("Provkörning", "hbtqia-2026") == "provkorning-hbtqia-2026"
    report = tmp_path / "uppföljning [hbtqia].docx"
    text = outputs_markdown("Sammanställning *x*", [report], ["Redovisat: 3 av 5"], None)
    assert "# Sammanställning \\*x\\*" in text
    assert "[uppföljning \\[hbtqia\\].docx](file://" in text
    assert "inte skickats med e-post" in text


def test_publishing_outside_a_flow_run_does_nothing() -> None:
    assert publish_table("status-x", [{"Nämnd": "x"}], "d") is False
