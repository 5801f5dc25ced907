"""The Prefect flows: thin wrappers that get a runtime (`flows.runtime.runtime_for_flow`), call
the plain function, and publish what the run did as artifacts. Deployments point here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.artifacts import publish_table
from flows.collect import collect, raise_if_incomplete, summary_text
from flows.compile import CompileResult, compile_cycle, summary_markdown
from flows.remind import raise_if_incomplete as raise_if_remind_incomplete
from flows.remind import remind
from flows.runtime import run_logger, runtime_for_flow
from flows.status import (
    StatusReport,
    artifact_description,
    read_status,
    read_statuses,
    summary_line,
    table_rows,
)
from flows.swedish import count, long_date


@flow(name="remind", log_prints=False)
def remind_flow(
    cycle: str | None = None, today: dt.date | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Send today's invitations and reminders; returns counts (and, for a dry run, the list).

    Args:
        cycle: Uppföljningens id, t.ex. hbtqia-2026 (tomt: alla pågående uppföljningar).
        today: Dagen som gäller för påminnelseplanen (tomt: i dag, svensk tid).
        dry_run: Visa bara vad som skulle skickas; inget skickas eller sparas.
    """
    with runtime_for_flow() as runtime:
        summary = remind(runtime, cycle=cycle, today=today, dry_run=dry_run)
    for line in summary.get("messages", []):
        run_logger().info("%s", line)
    # Several cycles: the combined rows are dropped, each cycle's table gets its own; one cycle:
    # the summary is that cycle's (its rows must not be dropped before its table is published).
    if "cycles" in summary:
        summary.pop("rows", None)
    for one in summary.get("cycles", [summary]):
        rows = one.pop("rows", [])
        day = long_date(dt.date.fromisoformat(one["day"]))
        if dry_run:
            publish_table(
                f"provkorning-{one['cycle']}",
                rows,
                f"Provkörning för {one['cycle']} den {day}: "
                f"{count(one['due'], 'meddelande')} skulle skickas. Inget har skickats.",
            )
        elif rows:
            publish_table(f"remind-{one['cycle']}", rows, f"Utskick för {one['cycle']} den {day}")
    raise_if_remind_incomplete(summary)
    return summary


@flow(name="collect", log_prints=False)
def collect_flow(cycle: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Fetch, archive, read, check, record and answer new messages of every open cycle.

    Args:
        cycle: Uppföljningens id, t.ex. hbtqia-2026 (tomt: den som är vald i konfigurationen);
            svar till andra pågående uppföljningar i samma brevlåda behandlas också.
        today: Dagen som avgör vilka uppföljningar som pågår (tomt: i dag, svensk tid).
    """
    with runtime_for_flow() as runtime:
        summary = collect(runtime, cycle=cycle, today=today)
    by_cycle: dict[str, list[dict[str, str]]] = {}
    for row in summary.rows:
        by_cycle.setdefault(row["Uppföljning"], []).append(row)
    for cycle_id, rows in by_cycle.items():
        publish_table(
            f"collect-{cycle_id}",
            rows,
            f"Behandlade meddelanden för {cycle_id}. {summary_text(summary)}",
        )
    raise_if_incomplete(summary)
    return summary.as_dict()


@flow(name="compile")
def compile_flow(
    cycle: str | None = None,
    out: str | None = None,
    *,
    today: dt.date | None = None,
    reference: str | None = None,
    pdf: bool = True,
) -> CompileResult:
    """Compile `cycle` (default: the configured one) into `out` (.docx) and beside it the PDF,
    the Excel export and the coordinator's working list.

    Args:
        cycle: Uppföljningens id, t.ex. hbtqia-2026 (tomt: den som är vald i konfigurationen).
        out: Word-filen som skapas (tomt: output/uppfoljning-<id>.docx i datakatalogen).
        today: Rapportens datum och dagen som nämndernas läge avser.
        reference: En egen mall (.docx) med kommunens grafiska profil.
        pdf: Skapa också en tillgänglig PDF med LibreOffice.
    """
    with runtime_for_flow() as runtime:
        result = compile_cycle(runtime, cycle, out, today=today, reference=reference, pdf=pdf)
    create_table_artifact(
        key=f"compile-status-{result.cycle}",
        table=result.status_table,
        description=(
            f"Läget per nämnd och styrelse för {result.cycle} när sammanställningen gjordes "
            f"({result.status_day.isoformat() if result.status_day else ''})"
        ),
    )
    create_markdown_artifact(
        key=f"sammanstallning-{result.cycle}",
        markdown=summary_markdown(result),
        description="Uppföljningsrapportens sökvägar och siffror",
    )
    return result


@flow(name="status")
def status_flow(cycle: str | None = None, today: dt.date | None = None) -> StatusReport:
    """Each board's state in the cycle; also published as a Prefect table artifact.

    Args:
        cycle: Uppföljningens id, t.ex. hbtqia-2026 (tomt: den som är vald i konfigurationen).
        today: Läget per denna dag (tomt: i dag, svensk tid).
    """
    with runtime_for_flow() as runtime:
        report = read_status(runtime, cycle=cycle, today=today)
        others = [] if cycle else read_statuses(runtime, today=today)
    # one artifact per open cycle (the one asked for, or the default, first)
    for shown in [report, *(r for r in others if r.cycle != report.cycle)]:
        create_table_artifact(
            key=f"status-{shown.cycle}",
            table=[dict(r) for r in table_rows(shown)],
            description=artifact_description(shown),
        )
        run_logger().info("%s", summary_line(shown))
    return report
