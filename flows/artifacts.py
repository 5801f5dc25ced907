"""The Swedish tables and notes a coordinator reads in the Prefect UI (artifacts).

Row builders are pure: records in, rows with Swedish column names and board names out.
`publish_table` and `publish_markdown` are the only functions that talk to Prefect; outside a
flow run (the CLI's read-only commands) they do nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from flows.outbox import Planned, SendResult

# What each kind of outgoing message is called in a table.
KIND_LABELS: Final[dict[str, str]] = {
    "invitation": "Inbjudan",
    "reminder_before": "Påminnelse före sista dag",
    "deadline": "Sista dagen",
    "overdue": "Påminnelse efter sista dag",
    "escalation": "Påminnelse efter sista dag, kopia till eskalering",
    "resubmit_request": "Begäran om rättad mall",
    "receipt": "Kvittens",
    "rejection": "Svar: mallen kunde inte tas emot",
    "no_attachment_reply": "Svar: ingen mall bifogad",
    "quarantine_notice": "Sammanställning till samordnaren om karantän",
    "version_notice": "Besked till nämndens kontakter om en ny version",
    "unauthenticated_reply": "Svar: avsändaren kunde inte verifieras",
    "report_delivery": "Sammanställningen till samordnaren",
}

# What became of an inbound message (the collect flow's outcomes).
OUTCOME_LABELS: Final[dict[str, str]] = {
    "pending": "Väntar på behandling",
    "submitted": "Inlämnad och godkänd",
    "rejected": "Kunde inte tas emot",
    "quarantined": "I karantän, väntar på granskning",
    "no_attachment": "Ingen mall bifogad",
    "ignored": "Ignorerat (automatiskt svar eller eget utskick)",
    "duplicate": "Redan behandlat",
}

_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_KEY_UNSAFE = re.compile(r"[^a-z0-9-]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


def artifact_key(*parts: str) -> str:
    """A key Prefect accepts (lower-case letters, digits, dashes): `provkorning-hbtqia-2026`."""
    joined = "-".join(parts).lower().translate(_ASCII)
    return _KEY_UNSAFE.sub("-", joined).strip("-")


def md(text: str) -> str:
    """Text from a board or a config file, safe inside Markdown (and a Markdown table cell)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _board(names: Mapping[str, str], board: str | None) -> str:
    if board is None:
        return "–"
    return names.get(board, board)


def planned_rows(planned: Sequence[Planned], names: Mapping[str, str]) -> list[dict[str, str]]:
    """The dry run: what would be sent to whom, one row per message."""
    return [
        {
            "Nämnd": _board(names, p.board),
            "Meddelande": kind_label(p.kind),
            "Till": ", ".join(p.message.to),
            "Kopia": ", ".join(p.message.cc) or "–",
            "Ämne": p.message.subject,
            "Bilagor": ", ".join(a.filename for a in p.message.attachments) or "–",
        }
        for p in planned
    ]


def send_rows(results: Sequence[SendResult], names: Mapping[str, str]) -> list[dict[str, str]]:
    """A remind run: what was sent, and what could not be."""
    return [
        {
            "Nämnd": _board(names, r.planned.board),
            "Meddelande": kind_label(r.planned.kind),
            "Till": ", ".join(r.message.to),
            "Kopia": ", ".join(r.message.cc) or "–",
            "Ämne": r.message.subject,
            "Resultat": _send_result(r),
        }
        for r in results
    ]


def _send_result(result: SendResult) -> str:
    if result.error and result.deferred:
        return f"Väntar, skickas vid nästa körning: {result.error}"
    if result.error:
        return f"Fel, skickas igen vid nästa körning: {result.error}"
    return "Skickat" if result.sent_now else "Redan skickat tidigare"


def collect_row(
    *,
    sender: str | None,
    subject: str,
    board: str | None,
    outcome: str,
    replies: Sequence[str],
    reason: str,
) -> dict[str, str]:
    """One processed inbound message: who sent it, for which board, what became of it."""
    return {
        "Avsändare": sender or "(okänd)",
        "Ämne": subject[:80],
        "Nämnd": board or "–",
        "Utfall": outcome_label(outcome),
        "Svar": ", ".join(kind_label(k) for k in replies) or "–",
        "Kommentar": reason[:160],
    }


def outputs_markdown(
    title: str, files: Sequence[Path], facts: Sequence[str], delivered_to: str | None
) -> str:
    """A note naming each output file with a link to it, and where it was sent by email."""
    lines = [f"# {md(title)}", ""]
    lines += [f"- {fact}" for fact in facts]
    lines += ["", "## Filer", ""]
    for path in files:
        lines.append(f"- [{md(path.name)}]({path.resolve().as_uri()}) – `{path.resolve()}`")
    lines.append("")
    if delivered_to:
        lines.append(f"Filerna har skickats som bilagor med e-post till {md(delivered_to)}.")
    else:
        lines.append("Filerna har inte skickats med e-post.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- publishing


def _in_flow_run() -> bool:
    from prefect.context import FlowRunContext

    return FlowRunContext.get() is not None


def publish_table(key: str, rows: Sequence[Mapping[str, str | int]], description: str) -> bool:
    """A table artifact under `key` (its latest version is what the UI shows first)."""
    if not _in_flow_run():
        return False
    from prefect.artifacts import create_table_artifact

    create_table_artifact([dict(r) for r in rows], key=artifact_key(key), description=description)
    return True


def publish_markdown(key: str, markdown: str, description: str) -> bool:
    if not _in_flow_run():
        return False
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown, key=artifact_key(key), description=description)
    return True
