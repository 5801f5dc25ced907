"""Compile benchmark: 300 boards × 40 activities (12 000 rows).

Measures, each variant in its own process (time, and peak resident memory above the process's
baseline after set-up, from `resource`; lxml's trees live outside Python's allocator, so
tracemalloc would miss most of them):
- fast-tables: the per-area activity tables as XML with lxml (flows.report.wordxml), saved;
- naive-tables: the same tables cell by cell through python-docx's API, saved;
- report: the whole Word report (flows.report.document.build_report);
- export: the Excel export; frames: building the DataFrames from the answers.

"cold" is the first run in a fresh process (matplotlib's import and font cache included), "warm"
a second run in the same process.

Run: `.venv/bin/python benchmarks/compile.py [--boards 300] [--activities 40] [--timeout 600]`
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.config import load_config  # noqa: E402
from flows.model import (  # noqa: E402
    STATUSES,
    ActivityRow,
    Config,
    Cycle,
    Decision,
    Indicator,
    ParsedTemplate,
    Texts,
)
from flows.report.frame import Frames, build_frames  # noqa: E402
from flows.report.sources import Answer  # noqa: E402

VARIANTS = ("frames", "fast-tables", "naive-tables", "report", "export")


def big_config(boards: int) -> tuple[Config, Cycle]:
    config = load_config(REPO / "config")
    template = next(iter(config.boards.values()))
    many = {}
    for i in range(boards):
        board_id = f"namnd-{i:03d}"
        many[board_id] = template.model_copy(
            update={"id": board_id, "code": f"N{i:03d}", "name": f"Nämnd nummer {i + 1}"}
        )
    config = config.model_copy(update={"boards": many})
    cycle = config.cycle().model_copy(update={"boards": "all", "previous": None})
    return config.model_copy(update={"cycles": {**config.cycles, cycle.id: cycle}}), cycle


def big_answers(config: Config, cycle: Cycle, activities: int) -> list[Answer]:
    areas = len(config.strategy_of(cycle).areas)
    answers = []
    for b, board in enumerate(config.boards_in(cycle)):
        rows = [
            ActivityRow(
                area=1 + i % areas,
                nr=f"{1 + i % areas}.{i // areas + 1}",
                activity=f"Aktivitet {i + 1} för {board.name}: utbildning i normkritik för chefer",
                responsible="Förvaltningens HR-avdelning",
                timeframe="2026",
                status=STATUSES[(b + i) % 4],
                status_text=STATUSES[(b + i) % 4],
                comment="Genomfört enligt plan. " * 3 + f"Rad {i + 1}.",
            )
            for i in range(activities)
        ]
        parsed = ParsedTemplate(
            file=f"{board.id}.docx",
            board=board.id,
            cycle=cycle.id,
            activities=rows,
            indicators=[
                Indicator(name=n, value=float(b + k))
                for k, n in enumerate(config.strategy_of(cycle).indicator_names)
            ],
            texts=Texts(analysis="Arbetet har gått bra. " * 20, support="Inget behov."),
            decision=Decision(date=dt.date(2027, 3, 10), paragraph="§ 12"),
        )
        answers.append(
            Answer(
                board=board.id,
                parsed=parsed,
                version=1,
                received_at=dt.datetime(2027, 3, 20, 10, 0, tzinfo=dt.UTC),
                sender="namnd@ekeby.example",
                filename=f"{board.id}.docx",
            )
        )
    return answers


def fast_tables(config: Config, frames: Frames) -> bytes:
    import docx

    from flows.report import wordxml as wx
    from flows.report.document import ACTIVITY_COLUMNS, _grouped_rows, status_cell
    from flows.report.reference import REFERENCE_PATH
    from flows.report.styles import ensure_styles

    doc = docx.Document(str(REFERENCE_PATH))
    ids = ensure_styles(doc, REFERENCE_PATH)
    styles = wx.TableStyles(ids.table, ids.table_header, ids.table_text, ids.group_row)
    acts = frames.activities.sort_values(["area", "board_order", "row"], kind="stable")
    acts = acts.assign(
        shown=[status_cell(s, t) for s, t in zip(acts["status"], acts["status_text"], strict=True)]
    )
    section = doc.element.body[-1]
    for area, group in acts.groupby("area"):
        section.addprevious(wx.paragraph(f"Strategiområde {area}", ids.heading1))
        cells = ["nr", "activity", "responsible", "shown", "comment"]
        section.addprevious(wx.table(ACTIVITY_COLUMNS, _grouped_rows(group, cells), styles))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def naive_tables(config: Config, frames: Frames) -> bytes:
    """What one writes first with python-docx: add_row() and cell.text, one cell at a time."""
    import docx

    from flows.report.document import ACTIVITY_COLUMNS, status_cell
    from flows.report.reference import REFERENCE_PATH

    doc = docx.Document(str(REFERENCE_PATH))
    acts = frames.activities.sort_values(["area", "board_order", "row"], kind="stable")
    for area, group in acts.groupby("area"):
        doc.add_heading(f"Strategiområde {area}", level=1)
        table = doc.add_table(rows=1, cols=len(ACTIVITY_COLUMNS))
        table.style = doc.styles["Uppföljningstabell"]
        for cell, column in zip(table.rows[0].cells, ACTIVITY_COLUMNS, strict=True):
            cell.text = column.title
        current = ""
        for row in group.itertuples(index=False):
            if str(row.board_name) != current:
                current = str(row.board_name)
                cells = table.add_row().cells
                merged = cells[0].merge(cells[-1])
                merged.text = str(row.board_name)
            cells = table.add_row().cells
            values = [
                row.nr or "",
                row.activity,
                row.responsible,
                status_cell(row.status, STATUSES),
                row.comment,
            ]
            for cell, value in zip(cells, values, strict=True):
                cell.text = str(value)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def run_variant(variant: str, boards: int, activities: int) -> dict[str, float | int | str]:
    config, cycle = big_config(boards)
    answers = big_answers(config, cycle, activities)
    frames = build_frames(config, cycle, answers)
    # warm up imports the variant uses, so they do not count
    from flows.report.document import build_report
    from flows.report.excel import build_export

    work: dict[str, Callable[[], object]] = {
        "frames": lambda: build_frames(config, cycle, answers),
        "fast-tables": lambda: fast_tables(config, frames),
        "naive-tables": lambda: naive_tables(config, frames),
        "report": lambda: build_report(config, frames, None, report_date=dt.date(2027, 4, 19)),
        "export": lambda: build_export(frames, config.strategy_of(cycle)),
    }
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    output = work[variant]()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = len(output) if isinstance(output, bytes) else 0
    warm = float("nan")
    if variant != "naive-tables":  # a second run: imports and caches (fonts) already warm
        start = time.perf_counter()
        work[variant]()
        warm = time.perf_counter() - start
    return {
        "variant": variant,
        "rows": len(frames.activities),
        "seconds": round(seconds, 2),
        "warm_seconds": round(warm, 2),
        "peak_mb_above_baseline": round((peak - baseline) / 1024, 1),
        "peak_mb": round(peak / 1024, 1),
        "output_mb": round(size / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--boards", type=int, default=300)
    parser.add_argument("--activities", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.boards, args.activities)))
        return
    print(f"{args.boards} nämnder × {args.activities} aktiviteter")
    print(
        f"{'variant':<14}{'rows':>8}{'cold s':>10}{'warm s':>10}{'peak MB (+)':>14}"
        f"{'output MB':>11}"
    )
    results = {}
    for variant in VARIANTS:
        command = [sys.executable, __file__, "--variant", variant]
        command += ["--boards", str(args.boards), "--activities", str(args.activities)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=args.timeout, check=True
            )
        except subprocess.TimeoutExpired:
            print(f"{variant:<14}{'':>8}{'>' + str(int(args.timeout)):>10}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results[variant] = result
        print(
            f"{variant:<14}{result['rows']:>8}{result['seconds']:>10}{result['warm_seconds']:>10}"
            f"{result['peak_mb_above_baseline']:>14}{result['output_mb']:>11}"
        )
    if "fast-tables" in results and "naive-tables" in results:
        ratio = results["naive-tables"]["seconds"] / max(results["fast-tables"]["seconds"], 0.01)
        print(f"lxml tables are {ratio:.0f}× faster than python-docx cell by cell")
    parts = [results[v] for v in ("frames", "report", "export") if v in results]
    cold, warm = sum(r["seconds"] for r in parts), sum(r["warm_seconds"] for r in parts)
    print(f"compile (frames + report + export): {cold:.2f} s cold, {warm:.2f} s warm (aim: < 10 s)")


if __name__ == "__main__":
    main()
