"""Hostile input, measured: what one message costs collect, and what `followup parse` costs.

    python benchmarks/hostile.py [--no-collect]

1. Per message (every case of tests/support/hostile_mail.py, and valid answers as the baseline):
   a forked process reads it the way collect does (envelope summary, MIME, TNEF, attachments,
   documents, the decision) inside the intake boundary; its peak RSS and CPU time (its child
   processes included: TNEF, LibreOffice) come from wait4(). The fork starts with this process's
   imports resident, as collect does. Budget: 512 MB RSS, 30 s CPU.
2. Per attached file: `followup parse FILE --json` as a coordinator runs it (exit 2: not a
   readable template, as the contract says). Budget: 300 MB.
3. Unless --no-collect: one real collect over all of them (Maildir, SQLite, a Prefect test
   server), then a second run: messages tried, crashes, stalls, duplicates, losses.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from flows.mail.mime import extract_attachments, safe_filename  # noqa: E402
from tests.support import hostile_mail as h  # noqa: E402

REPO = _HERE.parent
RSS_BUDGET_MB = 512
CPU_BUDGET_S = 30
PARSE_BUDGET_MB = 300
WALL_LIMIT_S = 120


def read_one(path: Path) -> int:
    """The child: read one message as collect does; print its outcome. Exit 0 unless it crashed."""
    from flows.collect import read_documents
    from flows.intake.boundary import header_summary, reason_for
    from flows.intake.decision import assess

    cfg = h.config()
    cycle = cfg.cycle(h.CYCLE)
    raw = path.read_bytes()
    header_summary(raw)
    try:
        facts, words = read_documents(cfg, cycle, raw)
        outcome = assess(cfg, cycle, facts, words, own_addresses={h.MAILBOX}).outcome
    except Exception as exc:  # what the boundary does with it
        reason_for(exc)
        outcome = "quarantined"
    print(outcome)
    return 0


def _child_usage(command: list[str]) -> dict[str, Any]:
    """Run `command` and reap it with wait4(): its own peak RSS and CPU, with its children's.
    Popen starts it without copying this process's memory (vfork/posix_spawn), so the figure is
    the command's own."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    stalled = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > WALL_LIMIT_S:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            stalled = True
            break
        time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"exit": process.returncode, "stalled": stalled,
            "rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}  # fmt: skip


def per_message(cases: list[h.Case], valid: list[tuple[str, bytes]], tmp: Path) -> dict[str, Any]:
    # Imported before forking, as in a running collect: the figures are the message's own cost.
    import flows.collect
    import flows.documents.reader
    import flows.intake.decision  # noqa: F401

    rows = []
    items = [(c.name, c.raw, c.outcome) for c in cases] + [
        (f"valid answer ({board})", raw, "submitted") for board, raw in valid
    ]
    for index, (name, raw, expected) in enumerate(items):
        path = tmp / f"message-{index}.eml"
        path.write_bytes(raw)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the measured child: the reading itself, in a process of its own
            os.close(reader)
            os.dup2(writer, 1)
            try:
                code = read_one(path)
            except BaseException:
                code = 3
            sys.stdout.flush()
            os._exit(code)
        os.close(writer)
        started = time.perf_counter()
        stalled = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.perf_counter() - started > WALL_LIMIT_S:
                os.kill(pid, 9)
                _, status, usage = os.wait4(pid, 0)
                stalled = True
                break
            time.sleep(0.01)
        with os.fdopen(reader) as handle:
            outcome = handle.read().strip().splitlines()[-1:] or [""]
        rows.append(
            {
                "name": name,
                "bytes": len(raw),
                "expected": expected,
                "outcome": outcome[0],
                "crashed": os.waitstatus_to_exitcode(status) != 0 and not stalled,
                "stalled": stalled,
                "rss_mb": usage.ru_maxrss / 1024,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "wall_s": time.perf_counter() - started,
            }
        )
    return {"rows": rows}


def per_file(cases: list[h.Case], tmp: Path) -> list[dict[str, Any]]:
    rows = []
    followup = str(REPO / ".venv" / "bin" / "followup")
    for index, case in enumerate(cases):
        try:
            attachments = extract_attachments(case.raw)
        except Exception:  # noqa: S112 - over the MIME limits: no file to parse
            continue
        for attachment in attachments[:1]:
            path = tmp / f"file-{index}-{safe_filename(attachment.filename)}"
            path.write_bytes(attachment.data)
            usage = _child_usage([followup, "parse", str(path), "--json"])
            rows.append({"name": f"{case.name}: {attachment.filename}", **usage})
    return rows


def whole_collect(cases: list[h.Case], valid: list[tuple[str, bytes]], tmp: Path) -> dict[str, Any]:
    import datetime as dt

    from prefect.testing.utilities import prefect_test_harness

    from flows.archive import digest
    from flows.collect import collect
    from flows.mail.maildir import MaildirMailbox
    from flows.runtime import FixedClock, Runtime
    from flows.settings import Settings
    from tests.conftest import CONFIG_DIR

    settings = Settings(config=CONFIG_DIR, data=tmp / "var")
    box = MaildirMailbox(settings.data / "mail")
    queue = []
    for case, (_board, raw) in zip(cases, valid, strict=True):
        queue += [case.raw, raw]  # a valid answer behind every hostile message
    start = time.time() - len(queue)
    valid_shas = []
    for i, raw in enumerate(queue):
        key = box.deliver(raw)
        path = box.inbox_dir / "new" / key
        os.utime(path, (start + i, start + i))
        if i % 2:
            valid_shas.append(digest(path.read_bytes()))
    with prefect_test_harness(server_startup_timeout=120):
        runtime = Runtime.from_settings(settings, clock=FixedClock(dt.date(2027, 3, 1)))
        with runtime:
            started = time.perf_counter()
            first = collect(runtime, h.CYCLE)
            seconds = time.perf_counter() - started
            sent_before = len(box.sent_messages())
            second = collect(runtime, h.CYCLE)
            ledger = runtime.ledger
            inbound = ledger.inbound()
            pending = [r for r in inbound if r.outcome == "pending"]
            replies: dict[str, int] = {}
            for record in inbound:
                for out in ledger.outbound_for_inbound(record.sha256):
                    replies[out.inbound_sha or ""] = replies.get(out.inbound_sha or "", 0) + 1
            submissions = [
                s.inbound_sha
                for b in runtime.config.boards_in(runtime.config.cycle(h.CYCLE))
                for s in ledger.submissions(h.CYCLE, b.id)
            ]
            outcome = {r.sha256: r.outcome for r in inbound}
            valid_submitted = sum(1 for sha in valid_shas if outcome.get(sha) == "submitted")
    return {
        "messages": len(queue),
        "distinct": len(inbound),
        "seconds": seconds,
        "losses": len(pending) + (len(set(queue)) - len(inbound)),
        "duplicates": sum(n - 1 for n in replies.values() if n > 1)
        + (len(submissions) - len(set(submissions)))
        + (len(box.sent_messages()) - sent_before)
        + second.processed,
        "valid_submitted": valid_submitted,
        "valid": len(valid_shas),
        "failed": len(first.failed),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-collect", action="store_true")
    args = parser.parse_args()
    if args.one:
        return read_one(args.one)
    cfg = h.config()
    cases = h.hostile_cases(cfg)
    valid = h.valid_answers(cfg, len(cases))
    with tempfile.TemporaryDirectory(prefix="followup-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        result = per_message(cases, valid, tmp)
        rows = result["rows"]
        print(f"{'message':52} {'bytes':>9} {'outcome':>12} {'RSS MB':>7} {'CPU s':>6}")
        for row in rows:
            flag = "" if row["outcome"] == row["expected"] else f"  (expected {row['expected']})"
            print(
                f"{row['name'][:52]:52} {row['bytes']:>9} {row['outcome']:>12} "
                f"{row['rss_mb']:>7.0f} {row['cpu_s']:>6.2f}{flag}"
            )
        hostile = [r for r in rows if not r["name"].startswith("valid answer")]
        baseline = [r for r in rows if r["name"].startswith("valid answer")]
        worst_rss = max(hostile, key=lambda r: r["rss_mb"])
        worst_cpu = max(hostile, key=lambda r: r["cpu_s"])
        print()
        print(f"messages tried: {len(rows)}  crashes: {sum(r['crashed'] for r in rows)}  "
              f"stalls: {sum(r['stalled'] for r in rows)}")  # fmt: skip
        print(f"worst RSS, one message: {worst_rss['rss_mb']:.0f} MB ({worst_rss['name']}); "
              f"budget {RSS_BUDGET_MB} MB")  # fmt: skip
        print(f"worst CPU, one message: {worst_cpu['cpu_s']:.2f} s ({worst_cpu['name']}); "
              f"budget {CPU_BUDGET_S} s")  # fmt: skip
        print(f"baseline (valid answer): {max(r['rss_mb'] for r in baseline):.0f} MB, "
              f"{max(r['cpu_s'] for r in baseline):.2f} s")  # fmt: skip

        files = per_file(cases, tmp)
        print()
        print(f"{'followup parse FILE':60} {'RSS MB':>7} {'CPU s':>6}")
        for row in files:
            print(f"{row['name'][:60]:60} {row['rss_mb']:>7.0f} {row['cpu_s']:>6.2f}"
                  f"  exit {row['exit']}{'  STALLED' if row['stalled'] else ''}")  # fmt: skip
        worst_parse = max(files, key=lambda r: r["rss_mb"])
        print(f"worst parse RSS: {worst_parse['rss_mb']:.0f} MB ({worst_parse['name']}); "
              f"budget {PARSE_BUDGET_MB} MB")  # fmt: skip

        if not args.no_collect:
            figures = whole_collect(cases, valid, tmp)
            print()
            print(
                f"one collect over {figures['messages']} messages ({figures['distinct']} "
                f"distinct) in {figures['seconds']:.0f} s: losses {figures['losses']}, "
                f"duplicates {figures['duplicates']}, valid answers behind them submitted "
                f"{figures['valid_submitted']} of {figures['valid']}, unsent replies "
                f"{figures['failed']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
