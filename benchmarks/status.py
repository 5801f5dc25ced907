"""`followup status` on a 300-board ledger: how long a coordinator waits for the answer.

A synthetic configuration (the demo's, with 300 boards) and a SQLite ledger with a spring's worth
of records (invitation and reminders for every board, answers from two thirds, a rejected first
answer from every tenth, quarantined strays) in a temporary directory. Measured, wall time:
- in-process: build the Runtime from Settings, read the status, format the table (repeated);
- subprocess: `followup status` and `followup status --json` as a coordinator runs them, cold;
- baseline, the path before issue 10: the `status` Prefect flow in a fresh process with a fresh
  PREFECT_HOME, i.e. starting Prefect's ephemeral server first.

Target: `followup status` answers in under 1 s. Run: `.venv/bin/python benchmarks/status.py
[--boards 300] [--repeat 5] [--no-baseline]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.ledger import Ledger, OutboundKind  # noqa: E402
from flows.model import ParsedTemplate, Problem  # noqa: E402
from flows.runtime import FixedClock, Runtime  # noqa: E402
from flows.settings import Settings  # noqa: E402
from flows.status import format_table, read_status  # noqa: E402

CYCLE = "hbtqia-2026"
TODAY = dt.date(2027, 4, 8)
FOLLOWUP = Path(sys.executable).with_name("followup")


def write_config(target: Path, boards: int) -> None:
    """The demo configuration with `boards` boards (same contacts pattern, own ids and codes)."""
    shutil.copytree(REPO / "config", target)
    source = yaml.safe_load((target / "boards.yaml").read_text(encoding="utf-8"))["boards"][0]
    many = []
    for i in range(boards):
        board = dict(source, id=f"namnd-{i:03d}", code=f"N{i:03d}", name=f"Nämnd nummer {i + 1}")
        board["primary"] = dict(source["primary"], email=f"kontakt{i}@ekeby.example")
        board["secretary"] = dict(source["secretary"], email=f"sekreterare{i}@ekeby.example")
        many.append(board)
    (target / "boards.yaml").write_text(
        yaml.safe_dump({"boards": many}, allow_unicode=True), encoding="utf-8"
    )
    for plan in (target / "action-plans").glob("*.yaml"):  # they name the demo's boards
        plan.write_text("{}\n", encoding="utf-8")
    for path in (target / "cycles").glob("*.yaml"):  # a cycle that names its boards takes as many
        cycle = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(cycle.get("boards"), list):
            cycle["boards"] = [b["id"] for b in many[: len(cycle["boards"])]]
            path.write_text(yaml.safe_dump(cycle, allow_unicode=True), encoding="utf-8")


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def seed_ledger(url: str, boards: int) -> int:
    """A spring's records for every board; returns the number of ledger rows written."""
    rows = 0
    invite = dt.date(2027, 2, 3)
    reminders: list[tuple[OutboundKind, str, dt.date]] = [
        ("reminder_before", "before-14", dt.date(2027, 3, 17))
    ]
    reminders += [("reminder_before", "before-3", dt.date(2027, 3, 28))]
    reminders += [("deadline", "deadline", dt.date(2027, 3, 31))]
    with Ledger.open(url) as ledger:
        for i in range(boards):
            board = f"namnd-{i:03d}"
            answered = i % 3 != 0
            sends: list[tuple[OutboundKind, str, dt.date]] = [("invitation", "invitation", invite)]
            if not answered:
                sends += [*reminders, ("overdue", "overdue-1", dt.date(2027, 4, 7))]
            for kind, key, day in sends:
                record, _ = ledger.reserve_outbound(
                    cycle=CYCLE,
                    board=board,
                    kind=kind,
                    plan_key=key,
                    to=[f"kontakt{i}@ekeby.example"],
                    subject=kind,
                    message_id=f"<{kind}.{key}.{i}@bench>",
                    now=_at(day, 6),
                )
                ledger.mark_sent(record.message_id, _at(day))
                rows += 1
            if not answered:
                continue
            versions = 2 if i % 10 == 1 else 1
            for v in range(versions):
                sha = f"{i:032x}{v:032x}"
                received = _at(dt.date(2027, 3, 10) + dt.timedelta(days=v))
                ledger.record_inbound(sha, sender=f"kontakt{i}@ekeby.example", received_at=received)
                problems = (
                    [Problem(level="error", code="table.missing", message="Tabellen saknas")]
                    if v + 1 < versions
                    else []
                )
                ledger.add_submission(
                    cycle=CYCLE,
                    board=board,
                    inbound_sha=sha,
                    filename="mall.docx",
                    parsed=ParsedTemplate(
                        file="mall.docx", board=board, cycle=CYCLE, problems=problems
                    ),
                    received_at=received,
                )
                rows += 2
        for n in range(boards // 20):
            sha = f"{'f' * 32}{n:032x}"
            ledger.record_inbound(sha, sender=f"okand{n}@example.org")
            ledger.quarantine(sha, "okänd avsändare")
            rows += 2
    return rows


def in_process(config: Path, data: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        settings = Settings(config=config, data=data)
        with Runtime.from_settings(settings, clock=FixedClock(TODAY)) as runtime:
            text = format_table(read_status(runtime, cycle=CYCLE))
        times.append(time.perf_counter() - start)
        assert "Nämnd nummer 300" in text
    return times


def _env(config: Path, data: Path, prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "PREFECT_"))}
    env.update(
        FOLLOWUP_CONFIG=str(config),
        FOLLOWUP_DATA=str(data),
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="300",
        # A closed port: status must not need a Prefect API at all.
        PREFECT_API_URL="http://127.0.0.1:9/api",
    )
    return env


def subprocess_time(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of `args`. On a shared machine the
    wall time includes waiting for a core; the CPU time is what the command itself costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def baseline(config: Path, data: Path, prefect_home: Path) -> tuple[float, float]:
    """The status flow in a fresh process with a fresh Prefect home (ephemeral server)."""
    env = _env(config, data, prefect_home)
    del env["PREFECT_API_URL"]
    code = (
        "import datetime as dt\n"
        "from flows.prefect_flows import status_flow\n"
        f"status_flow(cycle={CYCLE!r}, today=dt.date.fromisoformat({TODAY.isoformat()!r}))\n"
    )
    return subprocess_time([sys.executable, "-c", code], env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="followup-bench-status-") as tmp:
        root = Path(tmp)
        config, data = root / "config", root / "var"
        write_config(config, options.boards)
        data.mkdir()
        start = time.perf_counter()
        rows = seed_ledger(Settings(config=config, data=data).ledger_url, options.boards)
        took = time.perf_counter() - start
        print(f"set-up: {options.boards} boards, {rows} ledger rows in {took:.1f} s")
        load = os.getloadavg()[0]
        print(
            f"machine: {os.cpu_count()} cores, load average {load:.1f} (wall times wait for a core)"
        )

        times = in_process(config, data, options.repeat)
        print(
            f"in-process (Runtime + read_status + table): first {times[0]:.3f} s, "
            f"median {statistics.median(times):.3f} s over {len(times)}"
        )
        env = _env(config, data, root / "prefect-home")
        cli = [str(FOLLOWUP), "status", "--today", TODAY.isoformat()]
        runs = [subprocess_time(cli, env) for _ in range(options.repeat)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        json_wall, json_cpu = subprocess_time([*cli, "--json"], env)
        print(
            f"subprocess `followup status`: median wall {wall:.3f} s "
            f"(min {min(w for w, _ in runs):.3f}), CPU {cpu:.3f} s; "
            f"--json wall {json_wall:.3f} s, CPU {json_cpu:.3f} s"
        )
        target = min(wall, cpu) < 1.0
        print(f"target < 1 s: {'met' if target else 'NOT met'} (wall or, under load, CPU time)")
        if not options.no_baseline:
            base_wall, base_cpu = baseline(config, data, root / "prefect-home-baseline")
            print(
                "baseline, the status flow with a fresh ephemeral Prefect server: "
                f"wall {base_wall:.1f} s, CPU {base_cpu:.1f} s "
                f"({base_wall / wall:.0f}x the command's wall time)"
            )
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
