"""Parse benchmark: filled-in templates per second, ours against docx2python, same files, same run.

The templates are the real board template (flows.documents.template) for a board with 4 areas ×
10 planned activities, filled in by simulated boards (flows.demo.answers). Both readers get the
same bytes; docx2python's output is read with the same column matching and status mapping as
ours, so the difference is in reading the XML. Correctness: how many activity statuses each gets
right (matched by activity text) on the edge-case documents of tests/support/docx_fixtures.py and
on a sample of the filled templates, and how many rows each reports that are not there.

Run: `.venv/bin/python benchmarks/parse.py [--templates 200] [--rounds 3]`
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docx2python import docx2python  # noqa: E402

from flows.config import load_config  # noqa: E402
from flows.demo.answers import demo_answer, expected_result, fill_template  # noqa: E402
from flows.documents.read_columns import activity_key, without_placeholder  # noqa: E402
from flows.documents.reader import read_template  # noqa: E402
from flows.documents.statuses import map_status  # noqa: E402
from flows.documents.template import build_template  # noqa: E402
from flows.model import Board, Config, Cycle, PlannedActivity  # noqa: E402
from tests.support import docx_fixtures as fx  # noqa: E402

# (activity, responsible, timeframe, comment, status): what a person sees in one row
Row = tuple[str, str, str, str, str | None]
Reader = Callable[[bytes, Config], list[Row]]


def bench_config(config: Config, per_area: int = 10) -> tuple[Config, Cycle, Board]:
    """The demo configuration with one board planning `per_area` activities in every area."""
    cycle = config.cycle("hbtqia-2026")
    strategy = config.strategy_of(cycle)
    board = config.board("kultur-och-fritidsnamnden")
    pool = [a for plan in config.action_plans[strategy.id].values() for a in plan]
    planned = [
        PlannedActivity(
            area=area.number,
            nr=f"{area.number}.{i}",
            activity=pool[(area.number * per_area + i) % len(pool)].activity,
            responsible=pool[(area.number + i) % len(pool)].responsible,
            timeframe=pool[i % len(pool)].timeframe,
        )
        for area in strategy.areas
        for i in range(1, per_area + 1)
    ]
    plans = {**config.action_plans[strategy.id], board.id: planned}
    updated = config.model_copy(
        update={"action_plans": {**config.action_plans, strategy.id: plans}}
    )
    return updated, cycle, board


def ours(data: bytes, config: Config) -> list[Row]:
    return [
        (a.activity, a.responsible, a.timeframe, a.comment, a.status)
        for a in read_template(data, "x.docx", config).activities
    ]


def with_docx2python(data: bytes, config: Config) -> list[Row]:
    """docx2python's text, read with our column matching and status mapping."""
    rows: list[Row] = []
    with docx2python(io.BytesIO(data), duplicate_merged_cells=False) as document:
        body: Any = document.body
    for table in body:
        header: list[str | None] | None = None
        for row in table:
            cells = [without_placeholder("\n".join(cell).strip()) for cell in row]
            keys = [activity_key(c) if c else None for c in cells]
            if "activity" in keys and "status" in keys:
                header = keys
                continue
            if header is None:
                continue
            values = {k: c for k, c in zip(header, cells, strict=False) if k and c}
            if values.get("activity") or values.get("status") or values.get("comment"):
                rows.append(
                    (
                        values.get("activity", ""),
                        values.get("responsible", ""),
                        values.get("timeframe", ""),
                        values.get("comment", ""),
                        map_status(values.get("status", "")),
                    )
                )
    return rows


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def score(got: Sequence[Row], expected: Sequence[Row]) -> tuple[int, int, int]:
    """(statuses read right, matched by activity text; rows read right in every field; rows
    reported that are not in the document)."""
    want = Counter((_key(r[0]), r[4]) for r in expected)
    have = Counter((_key(r[0]), r[4]) for r in got)
    whole_want = Counter((*map(_key, r[:4]), r[4]) for r in expected)
    whole_have = Counter((*map(_key, r[:4]), r[4]) for r in got)
    extra = max(len(got) - len(expected), 0)
    return sum((want & have).values()), sum((whole_want & whole_have).values()), extra


def timed(reader: Reader, documents: Sequence[bytes], config: Config, rounds: int) -> Speed:
    """Best templates/s over `rounds` passes, by CPU time (this process) and by wall clock."""
    best_cpu = best_wall = 0.0
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        for data in documents:
            reader(data, config)
        best_cpu = max(best_cpu, len(documents) / (time.process_time() - cpu))
        best_wall = max(best_wall, len(documents) / (time.perf_counter() - wall))
    return Speed(best_cpu, best_wall, len(documents), rounds)


@dataclass(frozen=True)
class Speed:
    cpu: float
    wall: float
    templates: int
    rounds: int


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--baseline-templates", type=int, default=15, help="docx2python is slow: time it on fewer"
    )
    args = parser.parse_args(argv)

    base = load_config(REPO / "config")
    config, cycle, board = bench_config(base)
    started = time.perf_counter()
    template = build_template(config, cycle, board)
    answers = [demo_answer(config, cycle, board, seed=i) for i in range(args.templates)]
    documents = [fill_template(template, answer) for answer in answers]
    results = [expected_result(config, cycle, board, a) for a in answers]
    rows = sum(len(e.activities) for e in results) / len(results)
    print(
        f"{len(documents)} filled templates, 4 areas × 10 activities (≈{rows:.1f} rows with "
        f"the ones boards added), {sum(map(len, documents)) / len(documents) / 1024:.0f} KiB "
        f"each; generated in {time.perf_counter() - started:.1f} s"
    )

    readers: dict[str, Reader] = {"followup": ours, "docx2python": with_docx2python}
    speed = {
        "followup": timed(ours, documents, config, args.rounds),
        "docx2python": timed(with_docx2python, documents[: args.baseline_templates], config, 1),
    }
    print("\nSpeed, one core (CPU time of this process; wall clock in brackets):")
    for name, value in speed.items():
        print(
            f"  {name:<12} {value.cpu:7.1f} templates/s  ({1000 / value.cpu:6.2f} ms each)"
            f"  [wall {value.wall:6.1f}/s]  best of {value.rounds} over {value.templates}"
        )
    print(f"  followup is {speed['followup'].cpu / speed['docx2python'].cpu:.0f}× docx2python")

    def rows_of(activities: Sequence[Any], status: str) -> list[Row]:
        return [
            (a.activity, a.responsible, a.timeframe, a.comment, getattr(a, status))
            for a in activities
        ]

    cases = [
        (c.name, c.data, rows_of(c.expected, "expected_status"), base) for c in fx.edge_cases(base)
    ]
    samples = min(10, len(documents))
    cases += [
        (f"filled-{i}", documents[i], rows_of(results[i].activities, "status"), config)
        for i in range(samples)
    ]
    print("\nCorrectness: statuses right / rows right in every field / rows that are not there")
    print(f"  {'document':<20} {'rows':>5} {'followup':>14} {'docx2python':>14}")
    totals = {name: [0, 0, 0] for name in readers}
    expected_total = 0
    for name, data, expected_rows, case_config in cases:
        expected_total += len(expected_rows)
        line = f"  {name:<20} {len(expected_rows):>5}"
        for reader_name, reader in readers.items():
            try:
                result = score(reader(data, case_config), expected_rows)
            except Exception as exc:  # a crash of the baseline counts as nothing read
                result = (0, 0, 0)
                line += f"  [{reader_name}: {type(exc).__name__}]"
            totals[reader_name] = [t + r for t, r in zip(totals[reader_name], result, strict=True)]
            line += f" {result[0]:>5}/{result[1]:>3}/{result[2]:>2}"
        if not name.startswith("filled-") or name == "filled-0":
            print(line)
    print(f"  … and {samples - 1} more filled templates")
    line = f"  {'total':<20} {expected_total:>5}"
    for total in totals.values():
        line += f" {total[0]:>5}/{total[1]:>3}/{total[2]:>2}"
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
