"""Compile: the consolidated follow-up report (Word) and its Excel export. `compile_cycle(runtime)`
is a plain function; the Prefect flow `compile_flow` (in `flows.prefect_flows`) wraps it and
publishes `artifacts_of` the result.

The ledger gives each board's latest valid answer; `flows.report` decides and renders everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from flows.artifacts import md, outputs_markdown
from flows.delivery import deliver, plan_delivery, read_files
from flows.ledger import Ledger
from flows.model import Config, Cycle
from flows.report.figures import STATE_LABELS, TOTAL, counts, status_per_board
from flows.report.frame import Frames, build_frames, planned_frame
from flows.report.outputs import OutputPaths, earlier_cycles, write_outputs
from flows.report.sources import Answer
from flows.runtime import Runtime, run_logger
from flows.status import StatusReport, status_from_ledger
from flows.swedish import listing


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
    pdf: Path | None = None  # the accessible PDF of the council document
    working_list: Path | None = None  # the coordinator's list of what is internal
    pdf_error: str | None = None  # why there is no PDF
    delivered_to: str | None = None  # the coordinator's address the documents were emailed to


def output_paths(output_dir: Path, cycle: Cycle, out: str | Path | None) -> OutputPaths:
    """Where the files go: `out` and the same name with .pdf, .xlsx, -arbetslista.docx, or the
    data directory's output/."""
    return OutputPaths.beside(Path(out) if out else output_dir / f"uppfoljning-{cycle.id}.docx")


def _frames_of(config: Config, cycle: Cycle, ledger: Ledger) -> Frames:
    answers = [Answer.from_record(r) for r in ledger.latest_valid_submissions(cycle.id)]
    return build_frames(config, cycle, answers)


def gather(
    config: Config, cycle: Cycle, ledger: Ledger, today: dt.date
) -> tuple[Frames, Frames | None, list[Frames], StatusReport]:
    """This cycle's frames (with each board's state), the previous cycle's, every earlier cycle's
    of the strategy (oldest first), and the status."""
    answers = [Answer.from_record(r) for r in ledger.latest_valid_submissions(cycle.id)]
    status = status_from_ledger(ledger, config, cycle, today)
    states = {b.id: b.state for b in status.boards}
    history = [_frames_of(config, c, ledger) for c in earlier_cycles(config, cycle)]
    previous: Frames | None = None
    if cycle.previous and cycle.previous in config.cycles:
        previous = next((f for f in history if f.cycle.id == cycle.previous), None)
        if previous is None:
            previous = _frames_of(config, config.cycle(cycle.previous), ledger)
    return build_frames(config, cycle, answers, states), previous, history, status


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
    """The compile artifact: the figures, each output file named and linked, where it was sent."""
    missing = listing([md(name) for name in result.missing]) or "inga"
    return outputs_markdown(
        f"Sammanställning {result.cycle}",
        output_files(result),
        [
            f"Redovisat: **{result.reported} av {result.boards}** nämnder och styrelser",
            f"Aktiviteter: {result.activities}",
            f"Ej inkommit: {missing}",
            *([] if result.pdf else [f"Ingen PDF: {md(result.pdf_error or 'inte skapad')}"]),
        ],
        result.delivered_to,
    )


def output_files(result: CompileResult) -> list[Path]:
    """The files compile wrote: the council document (Word, PDF), the export, the working list."""
    files = [result.docx, result.pdf, result.xlsx, result.working_list]
    return [f for f in files if f is not None]


def deliver_outputs(runtime: Runtime, cycle: Cycle, result: CompileResult) -> str | None:
    """Email the documents to the coordinator, once per output; the address they went to."""
    files = read_files(output_files(result))
    planned = plan_delivery(
        runtime.config,
        cycle,
        files,
        reported=result.reported,
        boards=result.boards,
        missing=result.missing,
        test_address=runtime.test_mode_address,
    )
    delivery = deliver(runtime.ledger, runtime.mailbox, planned)
    run_logger().info(
        "Sammanställningen %s till %s (%s)",
        "skickades" if delivery.sent_now else "var redan skickad",
        delivery.to,
        ", ".join(delivery.files),
    )
    return delivery.to


def compile_cycle(
    runtime: Runtime,
    cycle: str | None = None,
    out: str | None = None,
    *,
    today: dt.date | None = None,
    reference: str | None = None,
    pdf: bool = True,
) -> CompileResult:
    """Compile `cycle` (default: the configured one) into `out` (.docx) and beside it the .pdf
    (unless `pdf` is false), the .xlsx and the working list (`-arbetslista.docx`).

    The report is dated `today`, else the cycle's `compile_on`, else the runtime's today; board
    states are as of `today` (default: the runtime's today). `reference` is another reference
    .docx (default templates/report/reference.docx).
    """
    config = runtime.config
    the_cycle = runtime.cycle(cycle)
    report_date = today or the_cycle.compile_on or runtime.today()
    frames, previous, history, status = gather(
        config, the_cycle, runtime.ledger, today or runtime.today()
    )
    paths = output_paths(runtime.output_dir, the_cycle, out)
    written = write_outputs(
        config,
        runtime.settings.config,
        frames,
        previous,
        paths,
        report_date=report_date,
        reference=Path(reference) if reference else None,
        planned=planned_frame(config, frames.cycle),
        history=history,
        pdf=pdf,
    )
    numbers = counts(frames)
    result = CompileResult(
        cycle=the_cycle.id,
        docx=paths.docx.resolve(),
        xlsx=paths.xlsx.resolve(),
        boards=numbers.boards,
        reported=numbers.reported,
        activities=numbers.activities,
        missing=numbers.missing,
        status_table=status_table(frames, status),
        status_day=status.today,
        pdf=written.pdf.resolve() if written.pdf else None,
        working_list=paths.working_list.resolve(),
        pdf_error=written.pdf_error,
    )
    if written.pdf_error and pdf:
        run_logger().warning("Ingen PDF för %s: %s", the_cycle.id, written.pdf_error)
    result = dataclasses.replace(result, delivered_to=deliver_outputs(runtime, the_cycle, result))
    run_logger().info(
        "Sammanställningen för %s: %d av %d har redovisat; %s och %s",
        the_cycle.id,
        result.reported,
        result.boards,
        result.docx,
        result.xlsx,
    )
    return result
