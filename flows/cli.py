"""The `followup` command. Each subcommand parses its arguments and calls one typed function;
the work lives in the modules named in each handler."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from flows.config import ConfigError, load_config
from flows.settings import Settings
from flows.swedish import count

Handler = Callable[[argparse.Namespace, Settings], int]


def _cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from flows.documents.template import build_template

    config = load_config(settings.config)
    cycle = config.cycle(args.cycle or settings.cycle)
    board = config.board(args.board)
    out = Path(args.out)
    out.write_bytes(build_template(config, cycle, board))
    print(f"Mallen för {board.name} ({cycle.id}) sparades i {out}")
    return 0


def _cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from flows.documents.reader import read_file
    from flows.documents.summary import format_parsed

    config = load_config(settings.config)
    exit_code = 0
    for name in args.files:
        result = read_file(Path(name), config)
        if result.unreadable:
            exit_code = 2
        print(result.to_json() if args.json else format_parsed(result), flush=True)
    return exit_code


def _cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    from flows.remind import RemindIncomplete, remind_flow

    try:
        summary = remind_flow(cycle=args.cycle, today=args.today, dry_run=args.dry_run)
    except RemindIncomplete as exc:
        print(f"Inte klart: {exc}", file=sys.stderr)
        return 1
    if summary["dry_run"]:
        due = count(summary["due"], "meddelande")
        print(f"Provkörning {summary['day']}: {due} skulle skickas.")
    else:
        print(f"{summary['day']}: {count(summary['sent'], 'meddelande')} skickade.")
        if summary.get("held_for_approval"):
            print(
                f"{count(summary['held_for_approval'], 'inbjudan')} väntar på godkännande: "
                f"{summary['approval']}"
            )
    return 0


def _cmd_collect(args: argparse.Namespace, settings: Settings) -> int:
    from flows.collect import CollectIncomplete, collect_flow

    try:
        summary = collect_flow(cycle=args.cycle)
    except CollectIncomplete as exc:
        print(f"Inte klart: {exc}", file=sys.stderr)
        return 1
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
    return 0


def _cmd_compile(args: argparse.Namespace, settings: Settings) -> int:
    from flows.compile import compile_flow

    result = compile_flow(cycle=args.cycle, out=args.out)
    print(
        f"Sammanställningen för {result.cycle}: {result.reported} av {result.boards} nämnder och "
        f"styrelser har redovisat ({count(result.activities, 'aktivitet')})."
    )
    if result.missing:
        print(f"Ej inkommit: {', '.join(result.missing)}")
    print(f"Rapport (Word): {result.docx}")
    print(f"Export (Excel): {result.xlsx}")
    return 0


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from flows.status import format_json, format_table, status_flow

    report = status_flow(cycle=args.cycle, today=args.today)
    print(format_json(report) if args.json else format_table(report), flush=True)
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from flows.demo.spring import run_demo

    return run_demo()


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from flows.serve import serve

    serve()
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

    p = add("parse", _cmd_parse, "Läs ifyllda mallar.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="en JSON-rad per fil")

    p = add("remind", _cmd_remind, "Skicka dagens inbjudningar och påminnelser.")
    p.add_argument("--cycle")
    p.add_argument("--today", type=_date, help="YYYY-MM-DD (standard: i dag)")
    p.add_argument("--dry-run", action="store_true", help="visa vad som skulle skickas")

    p = add("collect", _cmd_collect, "Hämta och behandla inkomna svar.")
    p.add_argument("--cycle")

    p = add("compile", _cmd_compile, "Sammanställ uppföljningen (Word och Excel).")
    p.add_argument("--cycle")
    p.add_argument("--out", help="Word-filen som skapas")

    p = add("status", _cmd_status, "Visa läget per nämnd.")
    p.add_argument("--cycle")
    p.add_argument("--today", type=_date, help="YYYY-MM-DD: läget denna dag (standard: i dag)")
    p.add_argument("--json", action="store_true")

    add("demo", _cmd_demo, "Kör en simulerad vår från början till slut.")
    add("serve", _cmd_serve, "Kör alla deployments med sina scheman.")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        code: int = args.handler(args, settings)
    except ConfigError as exc:
        print(f"Fel i konfigurationen: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"Fel: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
