"""The `compile` flow: the consolidated follow-up report (Word), its Excel export, and artifacts.

Thin orchestration: the ledger gives each board's latest valid answer, `flows.report` decides
and renders everything, and the run publishes the status per board and the output paths.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.config import load_config
from flows.ledger import Ledger
from flows.model import Config, Cycle
from flows.report.document import build_report
from flows.report.excel import build_export
from flows.report.figures import STATE_LABELS, TOTAL, counts, status_per_board
from flows.report.frame import Frames, build_frames, planned_frame
from flows.report.sources import Answer
from flows.report.states import status_report
from flows.schedule import local_today
from flows.settings import Settings
from flows.status import StatusReport


@dataclass(frozen=True)
class CompileResult:
    cycle: str
    docx: Path
    xlsx: Path
    boards: int
    reported: int
    activities: int
    missing: tuple[str, ...]  # names of the boards that have not reported


def output_paths(settings: Settings, cycle: Cycle, out: str | Path | None) -> tuple[Path, Path]:
    """Where the report and the export go: `out` and the same name with .xlsx, or the data dir."""
    docx = Path(out) if out else settings.output_dir / f"uppfoljning-{cycle.id}.docx"
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


@task(cache_policy=NO_CACHE)
def gather(
    config: Config, cycle: Cycle, ledger_url: str, today: dt.date
) -> tuple[Frames, Frames | None, StatusReport]:
    """This cycle's frames (with each board's state), the previous cycle's, and the status."""
    with Ledger.open(ledger_url) as ledger:
        answers = [Answer.from_record(r) for r in ledger.latest_valid_submissions(cycle.id)]
        status = status_report(ledger, config, cycle, today)
        states = {b.id: b.state for b in status.boards}
        previous: Frames | None = None
        if cycle.previous and cycle.previous in config.cycles:
            before = config.cycle(cycle.previous)
            old = [Answer.from_record(r) for r in ledger.latest_valid_submissions(before.id)]
            previous = build_frames(config, before, old)
    return build_frames(config, cycle, answers, states), previous, status


@task(cache_policy=NO_CACHE)
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


def publish(frames: Frames, status: StatusReport, result: CompileResult) -> None:
    """A table of each board's state (as `followup status`) and what the report holds of it."""
    per_board = status_per_board(frames)
    create_table_artifact(
        key=f"compile-status-{frames.cycle.id}",
        table=[
            {
                "Nämnd": board.name,
                "Läge": STATE_LABELS[board.state],
                "Inlämningar": board.submissions,
                "Version i rapporten": (
                    "–" if pd.isna(row["version"]) else str(int(row["version"]))
                ),
                "Aktiviteter": int(row[TOTAL]),
                "Problem": board.problems,
            }
            for board, row in zip(status.boards, per_board.to_dict("records"), strict=True)
        ],
        description=(
            f"Läget per nämnd och styrelse för {frames.cycle.id} när sammanställningen gjordes "
            f"({status.today.isoformat()})"
        ),
    )
    missing = ", ".join(result.missing) or "inga"
    create_markdown_artifact(
        key=f"sammanstallning-{frames.cycle.id}",
        markdown="\n".join(
            [
                f"# Sammanställning {frames.cycle.id}",
                "",
                f"- Redovisat: **{result.reported} av {result.boards}** nämnder och styrelser",
                f"- Aktiviteter: {result.activities}",
                f"- Ej inkommit: {missing}",
                f"- Rapport (Word): `{result.docx}`",
                f"- Export (Excel): `{result.xlsx}`",
            ]
        ),
        description="Uppföljningsrapportens sökvägar och siffror",
    )


@flow(name="compile")
def compile_flow(
    cycle: str | None = None,
    out: str | None = None,
    *,
    today: dt.date | None = None,
    reference: str | None = None,
) -> CompileResult:
    """Compile `cycle` (default: the configured one) into `out` (.docx) and the .xlsx beside it.

    The report is dated `today`, else the cycle's `compile_on`, else the current date; board
    states are as of `today` (default: the current date in Sweden). `reference`
    is another reference .docx (default templates/report/reference.docx).

    Args:
        cycle: Uppföljningens id, t.ex. hbtqia-2026 (tomt: den som är vald i konfigurationen).
        out: Word-filen som skapas (tomt: output/uppfoljning-<id>.docx i datakatalogen).
        today: Rapportens datum och dagen som nämndernas läge avser.
        reference: En egen mall (.docx) med kommunens grafiska profil.
    """
    logger = get_run_logger()
    settings = Settings()
    config = load_config(settings.config)
    the_cycle = config.cycle(cycle or settings.cycle)
    report_date = today or the_cycle.compile_on or dt.date.today()
    frames, previous, status = gather(
        config, the_cycle, settings.ledger_url, today or local_today()
    )
    paths = output_paths(settings, the_cycle, out)
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
    )
    publish(frames, status, result)
    logger.info(
        "Sammanställningen för %s: %d av %d har redovisat; %s och %s",
        the_cycle.id,
        result.reported,
        result.boards,
        result.docx,
        result.xlsx,
    )
    return result
