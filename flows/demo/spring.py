"""`followup demo`: one whole simulated spring on the embedded defaults.

A fresh data directory (`$FOLLOWUP_DATA/demo/`), the local Maildir, a SQLite ledger and Prefect's
ephemeral server. The clock moves from the invitation day to the compile day, stopping only on
days when something happens (flows.demo.script): each morning the remind flow runs for that day,
during the day simulated boards deliver their answers into the inbox, then the collect flow runs.
At the end the compile and status flows run. Everything goes through real Prefect flow runs.

The flows stamp the ledger with the real time of sending; the story and the status table show the
simulated day each message went out (the demo's clock), which is what a real spring would show.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from flows.config import load_config
from flows.demo.earlier_years import simulate_earlier_years
from flows.demo.replies import DOCX, PDF, board_reply
from flows.demo.script import Delivery, Script, cast, event_days, remind_days
from flows.model import Board, Config, Cycle
from flows.runtime import Runtime
from flows.schedule import LOCAL_TZ
from flows.settings import Settings
from flows.swedish import count, listing, long_date, number

if TYPE_CHECKING:
    from flows.ledger import Ledger, OutboundRecord

MARKER = ".followup-demo"
SEED = 2027
APPROVER = "Kommunledningskontoret (demo)"
QUIET = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    # A first start migrates Prefect's database; on a busy machine that takes a while.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}
KIND_SV = {
    "invitation": ("inbjudan", "invitation"),
    "reminder_before": ("påminnelse", "reminder"),
    "deadline": ("påminnelse på sista svarsdagen", "deadline reminder"),
    "overdue": ("påminnelse efter sista svarsdagen", "overdue reminder"),
    "escalation": ("påminnelse (kopia till förvaltningschef eller vd)", "escalation"),
    "resubmit_request": ("begäran om ny fil", "request to resubmit"),
}
OUTCOME_SV = {
    "submitted": ("svaret godkändes, kvitto skickat", "accepted, receipt sent"),
    "rejected": ("svaret kunde inte användas, besked om vad som saknas", "rejected, told why"),
    "no_attachment": ("inget dokument bifogat, besked skickat", "no attachment"),
    "quarantined": ("okänd avsändare, i karantän", "quarantined"),
    "duplicate": ("samma fil igen", "duplicate"),
    "ignored": ("ignorerat", "ignored"),
}
FORM_SV = {
    "word": ("skickade sin ifyllda mall", "sent the filled-in template"),
    "libreoffice": ("skickade mallen ifylld i LibreOffice", "sent the template from LibreOffice"),
    "pdf": ("skickade en PDF i stället för Word-filen", "sent a PDF instead of the Word file"),
}


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - start


@dataclass
class Story:
    out: TextIO
    lines: int = 0
    prefix: str = ""  # "Jämställdhetsstrategin: " when several cycles run in the spring

    def day(self, day: dt.date, swedish: str, english: str) -> None:
        print(f"  {long_date(day):>18}  {self.prefix}{swedish}", file=self.out)
        print(f"  {'':>18}  ({english})", file=self.out)
        self.lines += 1


# --------------------------------------------------------------------------- set-up


def prepare_data_dir(base: Path) -> Path:
    """`base/demo`, emptied if an earlier demo left it; never a directory the demo did not make."""
    target = base / "demo"
    if target.exists():
        if not (target / MARKER).is_file():
            raise RuntimeError(
                f"{target} finns men skapades inte av demot; flytta den eller sätt FOLLOWUP_DATA"
            )
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / MARKER).write_text("Skapad av `followup demo`; tas bort vid nästa demo.\n")
    return target


def demo_settings(base: Settings, data: Path) -> Settings:
    """The embedded defaults: Maildir and SQLite in `data`, the first wave pre-approved."""
    return base.model_copy(
        update={
            "data": data,
            "transport": "maildir",
            "database_url": None,
            "test_mode_address": None,
            "preapproved_by": APPROVER,
        }
    )


@contextlib.contextmanager
def quiet_prefect() -> Iterator[None]:
    """Prefect's own settings for the demo (warnings only), unless the user set them."""
    added = {k: v for k, v in QUIET.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


# --------------------------------------------------------------------------- the boards' side


@dataclass
class Boards:
    """The simulated boards: their answers (made once, up front) and their mail."""

    config: Config
    cycle: Cycle
    script: Script
    inbox: Path
    documents: dict[str, bytes] = field(default_factory=dict)
    sent: int = 0
    libreoffice: bool = True  # False on a machine without LibreOffice
    skipped: list[str] = field(default_factory=list)  # boards that cannot answer here

    def prepare(self, timings: Timings) -> None:
        from flows.demo.answers import demo_answer, fill_template, libreoffice_roundtrip_many
        from flows.documents.template import build_template

        with timings.step("boards fill in their templates"):
            for delivery in self.script.deliveries:
                if delivery.board in self.documents:
                    continue
                board = self.config.board(delivery.board)
                answer = demo_answer(self.config, self.cycle, board, seed=SEED)
                template = build_template(self.config, self.cycle, board)
                self.documents[delivery.board] = fill_template(template, answer)
        in_libreoffice = [d.board for d in self.script.deliveries if d.form == "libreoffice"]
        if in_libreoffice and not self.libreoffice:
            self.skipped = in_libreoffice
        elif in_libreoffice:
            with timings.step("LibreOffice saves one answer"):
                saved = libreoffice_roundtrip_many([self.documents[b] for b in in_libreoffice])
                self.documents.update(zip(in_libreoffice, saved, strict=True))

    def deliver(self, delivery: Delivery, invitation: OutboundRecord | None) -> None:
        """Write the board's reply into the inbox, as its mail server would, at its time."""
        board = self.config.board(delivery.board)
        sent_at = dt.datetime.combine(delivery.day, delivery.at, tzinfo=LOCAL_TZ)
        document = self.documents[delivery.board]
        if delivery.form == "pdf":
            attachment = (f"Uppföljning {board.name}.pdf", PDF, pdf_of(board, self.cycle))
            text = "Hej! Här kommer vår uppföljning som PDF."
        else:
            attachment = (f"Uppföljning {self.cycle.code} {board.code}.docx", DOCX, document)
            text = "Hej! Bifogat finns vår ifyllda uppföljning.\n\nVänliga hälsningar"
        self.sent += 1
        raw = board_reply(
            board,
            self.config.municipality,
            subject=invitation.subject if invitation else f"Uppföljning {self.cycle.code}",
            text=f"{text}\n{board.primary.name}",
            attachments=[attachment],
            sent_at=sent_at,
            in_reply_to=invitation.message_id if invitation else None,
            message_number=self.sent,
        )
        write_to_inbox(self.inbox, raw, sent_at, f"demo{self.sent}")


def skipped_note(names: list[str]) -> str:
    """One line for the boards the demo leaves out, each named once though two strategies ask."""
    return (
        f"Obs: LibreOffice är inte installerat, så {listing(list(dict.fromkeys(names)))} (som "
        "svarar med en mall sparad i LibreOffice) hoppas över i demot."
    )


def pdf_of(board: Board, cycle: Cycle) -> bytes:
    """A one-page PDF "export" of the answer: readable text, but not the Word template."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))
    figure.text(0.1, 0.9, f"Uppföljning {cycle.id}", fontsize=16)
    figure.text(0.1, 0.86, board.name, fontsize=12)
    figure.text(0.1, 0.82, "Se bifogad redovisning av handlingsplanens aktiviteter.", fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()


def write_to_inbox(inbox: Path, raw: bytes, received: dt.datetime, name: str) -> Path:
    """Deliver like a mail server: write into tmp/, move into new/, stamp the arrival time."""
    for sub in ("tmp", "new", "cur"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    unique = f"{int(received.timestamp())}.{os.getpid()}_{name}.demo"
    tmp = inbox / "tmp" / unique
    tmp.write_bytes(raw)
    target = inbox / "new" / unique
    os.replace(tmp, target)
    stamp = received.timestamp()
    os.utime(target, (stamp, stamp))
    return target


# --------------------------------------------------------------------------- the spring


@dataclass
class Clock:
    """The simulated day each message went out (the ledger has the real time)."""

    sent_on: dict[str, dt.date] = field(default_factory=dict)

    def new_since(self, ledger: Ledger, cycle: str, day: dt.date) -> list[OutboundRecord]:
        fresh = [
            r for r in ledger.outbound_for(cycle) if r.sent and r.message_id not in self.sent_on
        ]
        for record in fresh:
            self.sent_on[record.message_id] = day
        return fresh


def start_prefect() -> None:
    """Start (or reach) the Prefect API before the first flow run, so it is timed apart."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.hello()


def _names(config: Config, ids: list[str]) -> str:
    names = [config.board(i).name for i in ids]
    if len(names) > 4:
        return listing([*names[:3], f"{len(names) - 3} till"])
    return listing(names)


def tell_sent(story: Story, config: Config, day: dt.date, records: list[OutboundRecord]) -> None:
    by_kind: dict[str, list[str]] = {}
    for record in records:
        if record.inbound_sha is None and record.board and record.kind in KIND_SV:
            by_kind.setdefault(record.kind, []).append(record.board)
    for kind, boards in by_kind.items():
        swedish, english = KIND_SV[kind]
        if kind == "invitation":
            story.day(
                day,
                f"Inbjudan med personlig Word-mall till {count(len(boards), 'nämnd')}.",
                f"{english} with a personal Word template to {len(boards)} boards",
            )
        elif kind == "resubmit_request":
            story.day(
                day,
                f"{swedish.capitalize()} till {_names(config, boards)}.",
                f"{english} to {_names(config, boards)}",
            )
        else:
            story.day(
                day,
                f"{swedish.capitalize()} till {count(len(boards), 'nämnd', 'nämnder')} som "
                f"inte svarat: "
                f"{_names(config, boards)}.",
                f"{english} to {count(len(boards), 'board', 'boards')} that "
                f"{'has' if len(boards) == 1 else 'have'} not answered",
            )


@dataclass
class Season:
    """One cycle of the spring: its script and its simulated boards."""

    cycle: Cycle
    script: Script
    boards: Boards
    label: str  # the strategy's short title, prefixed to the story when several run


def run_spring(runtime: Runtime, cycles: list[Cycle], out: TextIO) -> int:
    """Every cycle in `cycles` through the same spring, on the same mailbox: each morning the
    remind flow for each cycle with something due, the boards' answers, one collect run for all."""
    timings = Timings()
    with timings.step("import the flows (Prefect, pandas, ...)"):
        from flows.prefect_flows import collect_flow, compile_flow, remind_flow, status_flow
        from flows.runtime import use_runtime
        from flows.status import format_table

    story = Story(out)
    config = runtime.config
    settings = runtime.settings
    from flows.documents.libreoffice import soffice_path

    seasons = []
    for index, cycle in enumerate(cycles):
        script = cast(config.boards_in(cycle), cycle)
        boards = Boards(
            config,
            cycle,
            script,
            settings.mail_dir / "inbox",
            sent=1000 * index,
            libreoffice=soffice_path() is not None,
        )
        boards.prepare(timings)
        label = config.strategy_of(cycle).short_title
        seasons.append(Season(cycle, script, boards, f"{label}: " if len(cycles) > 1 else ""))
    skipped = [config.board(b).name for s in seasons for b in s.boards.skipped]
    if skipped:
        print(skipped_note(skipped), file=out)
    clock = Clock()
    planned = {s.cycle.id: remind_days(s.cycle, s.script) for s in seasons}
    days = sorted({d for s in seasons for d in event_days(s.cycle, s.script)})
    with timings.step("start Prefect (ephemeral API)"):
        start_prefect()
    ledger = runtime.ledger
    for season in seasons:
        with timings.step("earlier years (simulated)"):
            earlier = simulate_earlier_years(runtime, season.cycle, seed=SEED)
        for cycle_id, answers in earlier.items():
            year = config.cycle(cycle_id).year
            print(
                f"Tidigare år {year}: {count(answers, 'svar')} simulerade "
                f"(earlier year {year}: {answers} simulated answers)",
                file=out,
            )
    spring = min(c.deadline.year for c in cycles)
    print(f"\nVåren {spring} (spring {spring}):\n", file=out)
    with use_runtime(runtime):
        for day in days:
            for season in seasons:
                if day in planned[season.cycle.id] and day <= season.script.end:
                    with timings.step("remind"):
                        remind_flow(cycle=season.cycle.id, today=day)
                    story.prefix = season.label
                    tell_sent(story, config, day, clock.new_since(ledger, season.cycle.id, day))
            delivered = [
                (s, [d for d in s.script.on(day) if d.board not in s.boards.skipped])
                for s in seasons
            ]
            delivered = [(s, d) for s, d in delivered if d]
            if not delivered:
                continue
            with timings.step("boards deliver"):
                for season, deliveries in delivered:
                    invitations = {
                        r.board: r
                        for r in ledger.outbound_for(season.cycle.id)
                        if r.kind == "invitation" and r.sent
                    }
                    for delivery in deliveries:
                        season.boards.deliver(delivery, invitations.get(delivery.board))
            with timings.step("collect"):
                collect_flow(today=day)  # one run for every open cycle: the mailbox is shared
            for season, deliveries in delivered:
                story.prefix = season.label
                tell_collected(story, config, ledger, season.cycle, day, deliveries)
            for season in seasons:
                clock.new_since(ledger, season.cycle.id, day)

        results = []
        for season in seasons:
            with timings.step("compile"):
                result = compile_flow(cycle=season.cycle.id, today=season.script.end)
            story.prefix = season.label
            story.day(
                season.script.end,
                f"Sammanställningen klar: {result.reported} av {result.boards} nämnder har "
                f"redovisat, {count(result.activities, 'aktivitet')}.",
                f"compiled: {result.reported} of {result.boards} boards reported",
            )
            with timings.step("status"):
                report = status_flow(cycle=season.cycle.id, today=season.script.end)
            results.append((season, result, on_demo_clock(report, ledger, season.cycle.id, clock)))

    code = 0
    for season, result, report in results:
        strategy = config.strategy_of(season.cycle)
        print(
            f"\nLäget per nämnd, {strategy.short_title} {season.cycle.year} (status):\n", file=out
        )
        print(format_table(report), file=out)
        print(f"\n{strategy.short_title} {season.cycle.year} i sammanställningen:", file=out)
        for line in report_summary(config, season.cycle, ledger):
            print(f"  {line}", file=out)
        missing = set(result.missing)
        silent = (*season.script.silent, *season.boards.skipped)
        silent_names = {config.board(b).name for b in silent}
        if missing != silent_names or result.reported != result.boards - len(missing):
            code = 1
    print("\nResultat (outputs):", file=out)
    outputs: list[tuple[str, object]] = []
    for _, result, _ in results:
        outputs += [
            (f"Sammanställning {result.cycle} (Word)", result.docx),
            (f"Sammanställning {result.cycle} (PDF)", result.pdf or f"ingen: {result.pdf_error}"),
            (f"Arbetslista {result.cycle} (Word)", result.working_list),
            (f"Aktiviteter {result.cycle} (Excel)", result.xlsx),
        ]
    for label, path in (
        *outputs,
        ("Skickad e-post (Maildir)", settings.mail_dir / "sent"),
        ("Inkommen e-post, arkiverad", settings.archive_dir),
        ("Liggare (SQLite)", Path(settings.ledger_url.removeprefix("sqlite:///"))),
    ):
        print(f"  {label:<44} {path}", file=out)
    print("\nTider (seconds per step):", file=out)
    for name, seconds in timings.steps.items():
        print(f"  {name:<40} {seconds:6.1f}", file=out)
    print(f"  {'total':<40} {sum(timings.steps.values()):6.1f}", file=out)
    return code


def report_summary(config: Config, cycle: Cycle, ledger: Ledger) -> list[str]:
    """Activities per area and status, and the key figures aggregated, as the report has them."""
    from flows.compile import gather
    from flows.report.figures import status_per_area
    from flows.report.keyfigures import AGGREGATE_LABELS, summarize
    from flows.report.strategy_view import area_heading

    frames, previous, _, _ = gather(
        config, cycle, ledger, cycle.compile_on or cycle.council_meeting
    )
    strategy = config.strategy_of(cycle)
    lines = []
    per_area = status_per_area(frames, strategy)
    for area, row in per_area.iterrows():
        parts = ", ".join(f"{k} {int(v)}" for k, v in row.items() if int(v) and k != "Totalt")
        heading = area_heading(strategy, int(str(area)))
        lines.append(f"{heading}: {count(int(row['Totalt']), 'aktivitet')} ({parts})")
    for figure in summarize(frames, previous, strategy):
        spec = figure.figure
        if figure.total is None:
            value = "–"
        else:
            value = number(round(figure.total, 1)) + (f" {spec.unit}" if spec.unit else "")
        lines.append(
            f"{spec.name}: {AGGREGATE_LABELS[spec.aggregate].lower()} {value} "
            f"({count(figure.reported_by, 'svar')})"
        )
    return lines


def tell_collected(
    story: Story,
    config: Config,
    ledger: Ledger,
    cycle: Cycle,
    day: dt.date,
    deliveries: list[Delivery],
) -> None:
    outcomes: dict[str, str] = {}
    for record in ledger.inbound(cycle.id):
        if (
            record.board
            and record.received_at
            and record.received_at.astimezone(LOCAL_TZ).date() == day
        ):
            outcomes[record.board] = record.outcome
    for delivery in deliveries:
        board = config.board(delivery.board)
        form_sv, form_en = FORM_SV[delivery.form]
        outcome = outcomes.get(delivery.board, "pending")
        outcome_sv, outcome_en = OUTCOME_SV.get(outcome, (outcome, outcome))
        lateness = " (efter sista svarsdagen)" if day > cycle.deadline else ""
        story.day(
            day,
            f"{board.name} {form_sv}{lateness}: {outcome_sv}.",
            f"{board.name}: {form_en}; {outcome_en}",
        )


def on_demo_clock(report: Any, ledger: Ledger, cycle: str, clock: Clock) -> Any:
    """The status with each board's last reminder on the demo's clock."""
    from flows.ledger import REMINDER_KINDS

    last: dict[str, dt.date] = {}
    for record in ledger.outbound_for(cycle):
        day = clock.sent_on.get(record.message_id)
        if (
            day is not None
            and record.board
            and record.inbound_sha is None
            and record.kind in REMINDER_KINDS
            and not record.plan_key.startswith("test:")
        ):
            last[record.board] = max(day, last.get(record.board, day))
    boards = tuple(dataclasses.replace(b, last_reminder=last.get(b.id)) for b in report.boards)
    return dataclasses.replace(report, boards=boards)


def spring_of(config: Config, cycle: Cycle) -> list[Cycle]:
    """`cycle` and every other cycle whose answers are due in the same spring (same deadline
    year), default first: the demo runs them together on one mailbox."""
    others = [
        c
        for c in config.cycles.values()
        if c.id != cycle.id and c.deadline.year == cycle.deadline.year
    ]
    return [cycle, *sorted(others, key=lambda c: c.deadline)]


def run_demo(settings: Settings, out: TextIO | None = None) -> int:
    """The whole simulated spring; 0 if it ended as scripted."""
    out = out or sys.stdout
    started = time.perf_counter()
    config = load_config(settings.config)
    cycle = config.cycle(settings.cycle)
    cycles = [cycle] if settings.cycle else spring_of(config, cycle)
    data = prepare_data_dir(settings.data.resolve())
    followed = ", ".join(f"{c.id} (sista svarsdag {long_date(c.deadline)})" for c in cycles)
    print(f"Demo: {config.municipality.name}, uppföljning {followed}, data i {data}", file=out)
    with quiet_prefect(), Runtime(demo_settings(settings, data), config) as runtime:
        code = run_spring(runtime, cycles, out)
    end = max(cast(config.boards_in(c), c).end for c in cycles)
    print(
        f"\nSe läget igen: FOLLOWUP_DATA={data} followup status --all --today {end.isoformat()}",
        file=out,
    )
    print(f"\nKlart på {time.perf_counter() - started:.0f} s (done).", file=out)
    return code
