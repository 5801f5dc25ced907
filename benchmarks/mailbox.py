"""Mailbox transports as Exchange behaves: sending a wave of messages, and the cost of a poll.

    python benchmarks/mailbox.py [--latency 0.1] [--messages 300] [--concurrency N]
                                 [--profile realistic|kind] [--time-factor 1.0]

Per transport (one function each, listed in TRANSPORTS; the test server runs in its own process
with the given latency added to every request, on the realistic profile of
tests/support/EXCHANGE_BEHAVIOUR.md at full length unless told otherwise):
- send: wall time to send N messages with a 60 KB attachment each, against the ideal: the
  longer of requests × latency ÷ concurrency and bytes uploaded ÷ the upload budget (Graph:
  150 MB per 5 minutes); requests per message; bytes uploaded against that budget. The wall
  time ends when the last message is accepted; the check that each went out once waits for the
  Sent Items filing and the /send window on top;
- poll: HTTP requests one poll makes on a mailbox holding 10,000 processed messages and 10 new
  ones, with the sync state of the previous poll (steady state) and without one (cold start).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# Run as a script, this file's directory comes first on sys.path, and its name would hide the
# standard library's `mailbox` (which the Maildir adapter imports): put the repository there.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from flows.mail.port import Attachment, Mailbox, MailError, OutboundMessage  # noqa: E402

ATTACHMENT_BYTES = 60 * 1024
PROCESSED = 10_000
NEW = 10
UPLOAD_BUDGET_BYTES = 150 * 1024 * 1024  # Graph, Outlook service: per 5 minutes and mailbox
UPLOAD_WINDOW_SECONDS = 300.0


@dataclass(frozen=True)
class Options:
    latency: float
    messages: int
    concurrency: int | None  # None: the transport's default
    realistic: float | None = 1.0  # the realistic profile's time factor; None: the kind server


@dataclass(frozen=True)
class SendFigures:
    messages: int
    requests: int
    concurrency: int
    latency: float
    wall_seconds: float
    max_in_flight: int
    uploaded_bytes: int = 0
    upload_budget: bool = False  # whether the server enforces the 150 MB / 5 min budget

    @property
    def ideal_seconds(self) -> float:
        by_requests = self.requests * self.latency / self.concurrency
        by_budget = (
            max(0.0, self.uploaded_bytes - UPLOAD_BUDGET_BYTES)
            / UPLOAD_BUDGET_BYTES
            * UPLOAD_WINDOW_SECONDS
            if self.upload_budget
            else 0.0
        )
        return max(by_requests, by_budget)

    @property
    def requests_per_message(self) -> float:
        return self.requests / self.messages

    @property
    def budget_share(self) -> float:
        """Bytes uploaded per 5 minutes at this pace, as a share of the 150 MB budget."""
        window = max(self.wall_seconds, 1e-9)
        per_window = self.uploaded_bytes * min(1.0, UPLOAD_WINDOW_SECONDS / window)
        return per_window / UPLOAD_BUDGET_BYTES


@dataclass(frozen=True)
class PollFigures:
    processed: int
    new: int
    found: int
    requests_with_state: int
    requests_cold: int
    operations_with_state: dict[str, int]


@dataclass(frozen=True)
class Figures:
    transport: str
    send: SendFigures  # the adapter's batch send (send_many)
    poll: PollFigures
    send_each: SendFigures | None = None  # one send() per message, as the remind flow does


def outbound(n: int) -> OutboundMessage:
    payload = (f"mall {n} ".encode() * (ATTACHMENT_BYTES // 8 + 1))[:ATTACHMENT_BYTES]
    return OutboundMessage(
        message_id=f"<bench.{n}.{time.time_ns()}@followup.ekeby.example>",
        to=(f"namnd{n % 14}@ekeby.example",),
        subject=f"Uppföljning {n}: återrapportering senast 15 mars 2027",
        text="Hej!\n\nBifogat finns er mall för uppföljningen.",
        html="<p>Hej!</p><p>Bifogat finns er mall för uppföljningen.</p>",
        attachments=(
            Attachment(
                f"Uppföljning {n}.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04" + payload[4:],
            ),
        ),
    )


def inbound(n: int, address: str) -> bytes:
    return (
        f"From: namnd{n}@ekeby.example\r\nTo: {address}\r\nSubject: Svar {n}\r\n"
        f"Message-ID: <new-{n}@ekeby.example>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "\r\nHär är vårt svar.\r\n"
    ).encode()


def drain(mailbox: Mailbox, state: str | None) -> tuple[int, str | None]:
    found = 0
    while True:
        result = mailbox.fetch_new(state)
        found += len(result.messages)
        state = result.state
        if not result.more:
            return found, state


class PollControl(Protocol):
    """What the EWS and Graph test servers' control clients both offer."""

    address: str

    def reset(self) -> None: ...
    def seed_processed(self, count: int) -> int: ...
    def deliver(self, raw: bytes) -> str: ...
    def set_faults(self, **plan: Any) -> Any: ...
    def reset_stats(self) -> None: ...
    def stats(self) -> dict[str, Any]: ...


def measure_poll(
    control: PollControl, mailbox: Callable[[], Mailbox], latency: float
) -> PollFigures:
    """10,000 processed messages, the state of the previous poll, then 10 new ones: the
    requests one poll makes with that state (a new flow run connects, then polls) and without."""
    control.reset()
    control.set_faults(latency=0.0)
    control.seed_processed(PROCESSED)
    _, state = drain(mailbox(), None)
    for n in range(NEW):
        control.deliver(inbound(n, control.address))
    control.set_faults(latency=latency)
    control.reset_stats()
    found, _ = drain(mailbox(), state)
    stats = control.stats()
    control.reset_stats()
    cold_found, _ = drain(mailbox(), None)
    cold = control.stats()["total"]
    if found != NEW or cold_found != NEW:
        raise RuntimeError(f"poll found {found} (cold {cold_found}) of {NEW} new messages")
    return PollFigures(
        processed=PROCESSED,
        new=NEW,
        found=found,
        requests_with_state=stats["total"],
        requests_cold=cold,
        operations_with_state=dict(stats["requests"]),
    )


def _one_by_one(
    mailbox: Mailbox, concurrency: int
) -> Callable[[list[OutboundMessage]], dict[str, MailError]]:
    """Mailbox.send per message from `concurrency` threads (what flows/outbox.py does)."""

    def send(messages: list[OutboundMessage]) -> dict[str, MailError]:
        failures: dict[str, MailError] = {}

        def one(message: OutboundMessage) -> None:
            try:
                mailbox.send(message)
            except MailError as exc:
                failures[message.message_id] = exc

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, messages))
        return failures

    return send


# --- EWS ---------------------------------------------------------------------------------


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def run_ews(options: Options) -> Figures:
    from flows.mail.ews import EwsMailbox
    from flows.mail.ews_settings import EwsSettings
    from flows.settings import Settings
    from tests.support.ews_server.process import ews_server_process

    with (
        ews_server_process(realistic=options.realistic) as control,
        _environment(control.env()),
    ):
        concurrency = options.concurrency or Settings().send_concurrency
        behaviour = control.set_behaviour()

        def mailbox() -> EwsMailbox:
            return EwsMailbox(EwsSettings(max_connections=concurrency))

        # Send: connect first (as a flow run does once), then time the sending alone.
        sender = mailbox()
        sender.was_sent("<warm-up@followup.ekeby.example>")
        figures: list[SendFigures] = []
        for send in (sender.send_many, _one_by_one(sender, concurrency)):
            control.reset()
            messages = [outbound(n) for n in range(options.messages)]
            control.set_faults(latency=options.latency)
            control.reset_stats()
            started = time.monotonic()
            failures = send(messages)
            wall = time.monotonic() - started
            stats = control.stats()
            control.set_faults(latency=0.0)
            if failures:
                first = next(iter(failures.values()))
                raise RuntimeError(f"{len(failures)} sends failed: {first}")
            time.sleep(float(behaviour["sent_items_delay"]))
            _check_once(control.sent(), messages)
            figures.append(
                SendFigures(
                    messages=options.messages,
                    requests=stats["total"],
                    concurrency=concurrency,
                    latency=options.latency,
                    wall_seconds=wall,
                    max_in_flight=stats["max_in_flight"],
                    uploaded_bytes=int(stats.get("uploaded_bytes", 0)),
                )
            )
        send_batch, send_each = figures

        poll = measure_poll(control, mailbox, options.latency)
        return Figures("ews", send_batch, poll, send_each)


# --- Microsoft Graph -------------------------------------------------------------------


def run_graph(options: Options) -> Figures:
    from flows.mail.graph import GraphMailbox
    from flows.mail.graph_settings import GraphSettings
    from tests.support.graph_server import graph_server_process

    with (
        graph_server_process(realistic=options.realistic) as control,
        _environment(control.env()),
    ):
        concurrency = options.concurrency or GraphSettings.model_fields["concurrency"].default
        behaviour = control.set_behaviour()

        def mailbox() -> GraphMailbox:
            return GraphMailbox(GraphSettings(concurrency=concurrency))

        # Send: sign in first (token, as a flow run does once), then time the sending alone.
        sender = mailbox()
        sender.was_sent("<warm-up@followup.ekeby.example>")
        messages = [outbound(n) for n in range(options.messages)]
        control.set_faults(latency=options.latency)
        control.reset_stats()
        started = time.monotonic()
        failures = sender.send_many(messages)
        wall = time.monotonic() - started
        stats = control.stats()
        control.set_faults(latency=0.0)
        if failures:
            raise RuntimeError(f"{len(failures)} sends failed: {next(iter(failures.values()))}")
        time.sleep(float(behaviour["send_window"]) + 0.1)
        _check_once(control.sent(), messages)
        send = SendFigures(
            messages=options.messages,
            requests=stats["total"],
            concurrency=concurrency,
            latency=options.latency,
            wall_seconds=wall,
            max_in_flight=stats["max_in_flight"],
            uploaded_bytes=int(stats.get("uploaded_bytes", 0)),
            upload_budget=behaviour["upload_budget_bytes"] is not None,
        )

        poll = measure_poll(control, mailbox, options.latency)
        return Figures("graph", send, poll)


def _check_once(sent: list[dict[str, Any]], messages: list[OutboundMessage]) -> None:
    got = sorted(str(s["message_id"]) for s in sent)
    if got != sorted(m.message_id for m in messages):
        raise RuntimeError(f"the server sent {len(got)} messages for {len(messages)}")


TRANSPORTS: dict[str, Callable[[Options], Figures]] = {"ews": run_ews, "graph": run_graph}


def report(results: list[Figures]) -> str:
    def row(label: str, cell: Callable[[Figures], str]) -> tuple[str, ...]:
        return (label, *[cell(r) for r in results])

    def seconds(f: SendFigures) -> str:
        return f"{f.ideal_seconds:.1f} s"

    def ideal(pick: Callable[[Figures], SendFigures]) -> Callable[[Figures], str]:
        return lambda r: seconds(pick(r))

    def each(cell: Callable[[SendFigures], str]) -> Callable[[Figures], str]:
        return lambda r: cell(r.send_each) if r.send_each else "–"

    rows = [
        row("", lambda r: r.transport.upper()),
        row("messages sent (60 KB attachment each)", lambda r: str(r.send.messages)),
        row("latency added per request", lambda r: f"{r.send.latency * 1000:.0f} ms"),
        row("concurrency (requests in flight)", lambda r: str(r.send.concurrency)),
        row("batch send (send_many):", lambda r: ""),
        row("  max in flight seen by the server", lambda r: str(r.send.max_in_flight)),
        row("  HTTP requests", lambda r: str(r.send.requests)),
        row("  wall time", lambda r: f"{r.send.wall_seconds:.1f} s"),
        row(
            "  ideal (requests × latency ÷ concurrency)", lambda r: f"{r.send.ideal_seconds:.1f} s"
        ),
        row("  wall ÷ ideal", lambda r: f"{r.send.wall_seconds / r.send.ideal_seconds:.2f}"),
        row("  requests per message", lambda r: f"{r.send.requests_per_message:.2f}"),
        row("  MB uploaded", lambda r: f"{r.send.uploaded_bytes / 1024 / 1024:.1f}"),
        row(
            "  share of 150 MB / 5 min at this pace",
            lambda r: f"{r.send.budget_share * 100:.0f} %",
        ),
        row("one send() per message, threads:", lambda r: ""),
        row("  max in flight seen by the server", each(lambda f: str(f.max_in_flight))),
        row("  HTTP requests", each(lambda f: str(f.requests))),
        row("  wall time", each(lambda f: f"{f.wall_seconds:.1f} s")),
        row(
            "  ideal (requests × latency ÷ concurrency)", each(lambda f: f"{f.ideal_seconds:.1f} s")
        ),
        row("  wall ÷ ideal", each(lambda f: f"{f.wall_seconds / f.ideal_seconds:.2f}")),
        row("  requests per message", each(lambda f: f"{f.requests_per_message:.2f}")),
        row("poll: processed / new messages", lambda r: f"{r.poll.processed} / {r.poll.new}"),
        row("poll: new messages found", lambda r: str(r.poll.found)),
        row("poll with saved state: HTTP requests", lambda r: str(r.poll.requests_with_state)),
        row("poll without state: HTTP requests", lambda r: str(r.poll.requests_cold)),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    for r in results:
        ops = ", ".join(
            f"{name} {count}" for name, count in sorted(r.poll.operations_with_state.items())
        )
        lines.append(f"{r.transport} poll with saved state, by operation: {ops}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added per request")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=None, help="default: the adapter's")
    parser.add_argument("--transport", choices=sorted(TRANSPORTS), action="append")
    parser.add_argument("--profile", choices=("realistic", "kind"), default="realistic")
    parser.add_argument(
        "--time-factor", type=float, default=1.0, help="scales the profile's documented delays"
    )
    args = parser.parse_args(argv)
    options = Options(
        latency=args.latency,
        messages=args.messages,
        concurrency=args.concurrency,
        realistic=args.time_factor if args.profile == "realistic" else None,
    )
    results = [TRANSPORTS[name](options) for name in args.transport or sorted(TRANSPORTS)]
    print(f"profile: {args.profile}, time factor {args.time_factor:g}")
    print(report(results))


if __name__ == "__main__":
    main()
