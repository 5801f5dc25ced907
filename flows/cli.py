"""The `followup` command. Each subcommand parses its arguments and calls one typed function;
the work lives in the modules named in each handler.

The settings are read here, once, into a `Runtime` (`flows.runtime`). Commands that only read
(`status`, `check`, `template`, `parse`, `remind --dry-run`) call the plain functions and never
import Prefect; commands that act run as Prefect flows on that runtime.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from flows.config import ConfigError, Finding
from flows.runtime import Runtime
from flows.settings import Settings
from flows.settings_errors import settings_error
from flows.swedish import count

Handler = Callable[[argparse.Namespace, Settings], int]

# Prefect's own defaults for every process this command starts: no telemetry from a
# municipality's machine, and time for an ephemeral server to start on a busy laptop.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


class PrefectUnavailable(RuntimeError):
    """The Prefect API could not be reached or started; the message is one Swedish line."""


def apply_prefect_defaults() -> None:
    """Set Prefect's defaults unless the user chose otherwise; before Prefect is imported."""
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)


@contextmanager
def as_flows(runtime: Runtime) -> Iterator[None]:
    """Run the flows called in this block on `runtime`, after making sure Prefect answers."""
    from flows.runtime import use_runtime

    reach_prefect()
    with use_runtime(runtime):
        yield


def reach_prefect() -> None:
    """Start (or reach) the Prefect API; PrefectUnavailable with one Swedish line if it fails."""
    url = os.environ.get("PREFECT_API_URL")
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.hello()
    except Exception:
        timeout = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "?")
        where = (
            f"Prefect-servern på {url} svarar inte"
            if url
            else f"Prefect kunde inte starta sin tillfälliga server inom {timeout} s"
        )
        raise PrefectUnavailable(
            f"{where}. Kontrollera PREFECT_API_URL eller försök igen; "
            "kommandon som bara läser (status, check, template, parse, remind --dry-run) "
            "fungerar utan Prefect."
        ) from None


def _runtime(settings: Settings) -> Runtime:
    return Runtime.from_settings(settings)


def _cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from flows.documents.template import build_template

    runtime = _runtime(settings)
    config = runtime.config
    cycle = runtime.cycle(args.cycle)
    board = config.board(args.board)
    out = Path(args.out)
    out.write_bytes(build_template(config, cycle, board))
    print(f"Mallen för {board.name} ({cycle.id}) sparades i {out}")
    return 0


def _cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    return _report_check(args, settings, [])


def _check_despite_settings(args: argparse.Namespace, refused: ValueError) -> int | None:
    """`check` when `Settings()` refused a variable: that is one more error, and config/ is
    checked anyway (with the settings apart from the transport's). None if even those fail."""
    from flows.check import settings_findings

    try:
        settings = Settings(transport="maildir")
    except ValueError:
        return None
    return _report_check(args, settings, settings_findings(refused))


def _report_check(args: argparse.Namespace, settings: Settings, refused: list[Finding]) -> int:
    from flows.check import check
    from flows.runtime import SystemClock

    findings = [*refused, *check(settings.config, SystemClock().today(), cycle=args.cycle)]
    errors = [f for f in findings if f.level == "error"]
    warnings = [f for f in findings if f.level == "warning"]
    for finding in errors:
        print(finding, file=sys.stderr)
    for finding in warnings:
        print(f"varning: {finding}")
    if errors:
        found = f"{count(len(errors), 'fel')} och {count(len(warnings), 'varning')}"
        print(f"{found} i {settings.config}.", file=sys.stderr)
        return 2
    print(f"Konfigurationen i {settings.config} är giltig ({count(len(warnings), 'varning')}).")
    return 0


def _cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from flows.documents.reader import read_file
    from flows.documents.summary import format_parsed

    config = _runtime(settings).config
    exit_code = 0
    for name in args.files:
        result = read_file(Path(name), config)
        if result.unreadable:
            exit_code = 2
        print(result.to_json() if args.json else format_parsed(result), flush=True)
    return exit_code


def _cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    from flows.remind import RemindIncomplete, remind

    with _runtime(settings) as runtime:
        if args.dry_run:
            summary = remind(runtime, cycle=args.cycle, today=args.today, dry_run=True)
            for line in summary["messages"]:
                print(line)
        else:
            try:
                with as_flows(runtime):
                    from flows.prefect_flows import remind_flow

                    summary = remind_flow(cycle=args.cycle, today=args.today)
            except RemindIncomplete as exc:
                print(f"Inte klart: {exc}", file=sys.stderr)
                return 1
    if summary.get("busy"):  # another run works the mailbox: nothing lost, exit 0
        print(summary["busy"])
        return 0
    if summary["dry_run"]:
        due = count(summary["due"], "meddelande")
        print(f"Provkörning {summary['day']}: {due} skulle skickas.")
    else:
        print(f"{summary['day']}: {count(summary['sent'], 'meddelande')} skickade.")
        if summary.get("deferred"):
            print(
                f"{count(summary['deferred'], 'meddelande')} väntar: e-postservern ber oss vänta "
                "eller har inte bekräftat utskicket än. De skickas vid nästa körning."
            )
        if summary.get("held_for_approval"):
            print(
                f"{count(summary['held_for_approval'], 'inbjudan')} väntar på godkännande: "
                f"{summary['approval']}"
            )
    return 0


def _cmd_collect(args: argparse.Namespace, settings: Settings) -> int:
    from flows.collect import CollectIncomplete

    try:
        with _runtime(settings) as runtime, as_flows(runtime):
            from flows.prefect_flows import collect_flow

            summary = collect_flow(cycle=args.cycle)
    except CollectIncomplete as exc:
        print(f"Inte klart: {exc}", file=sys.stderr)
        return 1
    if summary.get("busy"):  # another run works the mailbox: nothing lost, exit 0
        print(summary["busy"])
        return 0
    labels = {
        "submitted": "mottagna",
        "rejected": "underkända",
        "quarantined": "i karantän",
        "no_attachment": "utan bilaga",
        "ignored": "autosvar o.d.",
    }
    outcomes = ", ".join(f"{labels.get(k, k)} {v}" for k, v in sorted(summary["outcomes"].items()))
    print(
        f"Hämtade {count(summary['fetched'], 'meddelande')}, behandlade {summary['processed']}"
        f"{f' ({outcomes})' if outcomes else ''}, "
        f"skickade {count(summary['replies_sent'], 'svar')}."
    )
    if summary.get("deferred"):
        print(
            f"{count(len(summary['deferred']), 'svar')} väntar: e-postservern ber oss vänta. "
            "De skickas vid nästa körning."
        )
    return 0


def _cmd_compile(args: argparse.Namespace, settings: Settings) -> int:
    with _runtime(settings) as runtime, as_flows(runtime):
        from flows.prefect_flows import compile_flow

        result = compile_flow(cycle=args.cycle, out=args.out, pdf=not args.no_pdf)
    print(
        f"Sammanställningen för {result.cycle}: {result.reported} av {result.boards} nämnder och "
        f"styrelser har redovisat ({count(result.activities, 'aktivitet')})."
    )
    if result.missing:
        print(f"Ej inkommit: {', '.join(result.missing)}")
    print(f"Rapport (Word): {result.docx}")
    print(f"Rapport (PDF): {result.pdf}" if result.pdf else f"Ingen PDF: {result.pdf_error}")
    print(f"Export (Excel): {result.xlsx}")
    print(f"Arbetslista: {result.working_list}")
    return 0


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from flows.status import format_json, format_json_all, format_table, read_status, read_statuses

    with _runtime(settings) as runtime:
        if args.all:
            reports = read_statuses(runtime, cycle=args.cycle, today=args.today)
            if args.json:
                print(format_json_all(reports), flush=True)
            else:
                print("\n\n".join(format_table(r) for r in reports), flush=True)
            return 0
        report = read_status(runtime, cycle=args.cycle, today=args.today)
    print(format_json(report) if args.json else format_table(report), flush=True)
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from flows.demo.spring import run_demo

    return run_demo(settings)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from flows.serve import serve

    runtime = _runtime(settings)
    reach_prefect()
    serve(runtime)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ogiltigt datum {text!r}, skriv ÅÅÅÅ-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followup",
        description=(
            "Uppföljning av kommunala strategier: påminnelser, insamling och sammanställning."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = add("template", _cmd_template, "Skapa en nämnds personliga mall (.docx).")
    p.add_argument("--board", required=True, help="nämndens id, t.ex. kultur-och-fritidsnamnden")
    p.add_argument("--cycle", help="uppföljningens id, t.ex. hbtqia-2026")
    p.add_argument("--out", required=True, help="filen som skapas (.docx)")

    p = add("check", _cmd_check, "Kontrollera konfigurationen och uppföljningarna.")
    p.add_argument("--cycle", help="bara denna uppföljning, t.ex. hbtqia-2026")

    p = add("parse", _cmd_parse, "Läs ifyllda mallar.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="en JSON-rad per fil")

    p = add("remind", _cmd_remind, "Skicka dagens inbjudningar och påminnelser.")
    p.add_argument("--cycle")
    p.add_argument("--today", type=_date, help="YYYY-MM-DD (standard: i dag)")
    p.add_argument("--dry-run", action="store_true", help="visa vad som skulle skickas")

    p = add("collect", _cmd_collect, "Hämta och behandla inkomna svar.")
    p.add_argument("--cycle")

    p = add(
        "compile", _cmd_compile, "Sammanställ uppföljningen (Word, PDF, Excel och arbetslista)."
    )
    p.add_argument("--cycle")
    p.add_argument("--out", help="Word-filen som skapas")
    p.add_argument("--no-pdf", action="store_true", help="Skapa ingen PDF (går snabbare)")

    p = add("status", _cmd_status, "Visa läget per nämnd.")
    p.add_argument("--cycle")
    p.add_argument("--today", type=_date, help="YYYY-MM-DD: läget denna dag (standard: i dag)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--all",
        action="store_true",
        help="alla pågående uppföljningar (med --json: en lista)",
    )

    add("demo", _cmd_demo, "Kör en simulerad vår från början till slut.")
    add("serve", _cmd_serve, "Kör alla deployments med sina scheman.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_prefect_defaults()
    try:
        # the demo runs on its own local mailbox, whatever mail server this machine is set up for
        settings = Settings(transport="maildir") if args.handler is _cmd_demo else Settings()
    except ValueError as exc:
        checked = _check_despite_settings(args, exc) if args.handler is _cmd_check else None
        if checked is None:
            print(f"Fel i inställningarna (FOLLOWUP_…): {settings_error(exc)}", file=sys.stderr)
            return 2
        return checked
    try:
        code: int = args.handler(args, settings)
    except ConfigError as exc:
        print(f"Fel i konfigurationen: {exc}", file=sys.stderr)
        return 2
    except PrefectUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyError as exc:
        print(f"Fel: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
