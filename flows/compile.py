"""Compile: the consolidated follow-up report (Word) and its Excel export. `compile_cycle(runtime)`
is a plain function; the Prefect flow `compile_flow` (in `flows.prefect_flows`) wraps it and
publishes `artifacts_of` the result.

The ledger gives each board's latest valid answer; `flows.report` decides and renders everything.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flows.ledger import Ledger
from flows.model import Config, Cycle
from flows.report.document import build_report
from flows.report.excel import build_export
from flows.report.figures import STATE_LABELS, TOTAL, counts, status_per_board
from flows.report.frame import Frames, build_frames, planned_frame
from flows.report.sources import Answer
from flows.runtime import Runtime, run_logger
from flows.status import StatusReport, status_from_ledger


@dataclass(frozen=True)
class CompileResult:
    cycle: str
    docx: Path
    xlsx: Path
    boards: int
    reported: int
    activities: int
    missing: tuple[str, ...]  # names of the boards that have not reported
    status_table: list[dict[str, object]] = field(default_factory=list, compare=False)
    status_day: dt.date | None = None


def output_paths(output_dir: Path, cycle: Cycle, out: str | Path | None) -> tuple[Path, Path]:
    """Where the report and the export go: `out` and the same name with .xlsx, or the data dir."""
    docx = Path(out) if out else output_dir / f"uppfoljning-{cycle.id}.docx"
    if docx.suffix.lower() != ".docx":
        docx = docx.with_suffix(".docx")
    return docx, docx.with_suffix(".xlsx")


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` so readers never see half a file (a Word file open elsewhere stays intact)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def gather(
    config: Config, cycle: Cycle, ledger: Ledger, today: dt.date
) -> tuple[Frames, Frames | None, StatusReport]:
    """This cycle's frames (with each board's state), the previous cycle's, and the status."""
    answers = [Answer.from_record(r) for r in ledger.latest_valid_submissions(cycle.id)]
    status = status_from_ledger(ledger, config, cycle, today)
    states = {b.id: b.state for b in status.boards}
    previous: Frames | None = None
    if cycle.previous and cycle.previous in config.cycles:
        before = config.cycle(cycle.previous)
        old = [Answer.from_record(r) for r in ledger.latest_valid_submissions(before.id)]
        previous = build_frames(config, before, old)
    return build_frames(config, cycle, answers, states), previous, status


def write_outputs(
    config: Config,
    frames: Frames,
    previous: Frames | None,
    paths: tuple[Path, Path],
    report_date: dt.date,
    reference: Path | None,
) -> None:
    docx, xlsx = paths
    report = build_report(
        config,
        frames,
        previous,
        reference=reference,
        report_date=report_date,
        planned=planned_frame(config, frames.cycle),
    )
    write_atomically(docx, report)
    write_atomically(xlsx, build_export(frames, config.strategy_of(frames.cycle)))


def status_table(frames: Frames, status: StatusReport) -> list[dict[str, object]]:
    """Each board's state (as `followup status`) and what the report holds of it."""
    per_board = status_per_board(frames)
    return [
        {
            "Nämnd": board.name,
            "Läge": STATE_LABELS[board.state],
            "Inlämningar": board.submissions,
            "Version i rapporten": ("–" if pd.isna(row["version"]) else str(int(row["version"]))),
            "Aktiviteter": int(row[TOTAL]),
            "Problem": board.problems,
        }
        for board, row in zip(status.boards, per_board.to_dict("records"), strict=True)
    ]


def summary_markdown(result: CompileResult) -> str:
    missing = ", ".join(result.missing) or "inga"
    return "\n".join(
        [
            f"# Sammanställning {result.cycle}",
            "",
            f"- Redovisat: **{result.reported} av {result.boards}** nämnder och styrelser",
            f"- Aktiviteter: {result.activities}",
            f"- Ej inkommit: {missing}",
            f"- Rapport (Word): `{result.docx}`",
            f"- Export (Excel): `{result.xlsx}`",
        ]
    )


def compile_cycle(
    runtime: Runtime,
    cycle: str | None = None,
    out: str | None = None,
    *,
    today: dt.date | None = None,
    reference: str | None = None,
) -> CompileResult:
    """Compile `cycle` (default: the configured one) into `out` (.docx) and the .xlsx beside it.

    The report is dated `today`, else the cycle's `compile_on`, else the runtime's today; board
    states are as of `today` (default: the runtime's today). `reference` is another reference
    .docx (default templates/report/reference.docx).
    """
    config = runtime.config
    the_cycle = runtime.cycle(cycle)
    report_date = today or the_cycle.compile_on or runtime.today()
    frames, previous, status = gather(config, the_cycle, runtime.ledger, today or runtime.today())
    paths = output_paths(runtime.output_dir, the_cycle, out)
    write_outputs(
        config, frames, previous, paths, report_date, Path(reference) if reference else None
    )
    numbers = counts(frames)
    result = CompileResult(
        cycle=the_cycle.id,
        docx=paths[0].resolve(),
        xlsx=paths[1].resolve(),
        boards=numbers.boards,
        reported=numbers.reported,
        activities=numbers.activities,
        missing=numbers.missing,
        status_table=status_table(frames, status),
        status_day=status.today,
    )
    run_logger().info(
        "Sammanställningen för %s: %d av %d har redovisat; %s och %s",
        the_cycle.id,
        result.reported,
        result.boards,
        result.docx,
        result.xlsx,
    )
    return result
