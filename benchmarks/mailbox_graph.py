"""Mailbox benchmark, Microsoft Graph: the Graph adapter against the test Graph endpoint.

What a spring costs in Graph calls and time: sending reminders with the board's template
attached (about 60 KB), one send with an 8 MB attachment (upload session), fetching the boards'
answers and marking them processed; once without and once with a simulated network round trip
(`--latency`, seconds added by the server to every request), and the sends again with a share of
requests failing (HTTP 500/503/429, dropped connections) to show what the retries cost.

Run: `.venv/bin/python benchmarks/mailbox_graph.py [--messages 40] [--latency 0.03]`
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.mail.graph import GraphMailbox  # noqa: E402
from flows.mail.graph_settings import GraphSettings  # noqa: E402
from flows.mail.port import Attachment, MailError, OutboundMessage  # noqa: E402
from tests.support.graph_server import GraphServer  # noqa: E402

T = TypeVar("T")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class GraphFigures:
    latency: float
    fault_rate: float
    send_ms: float  # per message
    send_calls: float  # Graph requests per message (token excluded)
    large_send_ms: float  # one message with an 8 MB attachment
    fetch_ms: float  # per message, fetch + mark processed
    fetch_calls: float
    retries: int  # faults the server injected (and the adapter or the task retry absorbed)


def _reminder(n: int, template: bytes) -> OutboundMessage:
    return OutboundMessage(
        message_id=f"<remind.hbtqia-2026.board{n}.1@followup.ekeby.example>",
        to=(f"sekreterare{n}@ekeby.example",),
        subject=f"Påminnelse: uppföljning av hbtqia-strategin (HBT26-B{n:02d})",
        text="Hej!\n\nSista dag för återrapporteringen är 15 mars 2027.",
        html="<p>Hej!</p><p>Sista dag för återrapporteringen är <b>15 mars 2027</b>.</p>",
        attachments=(Attachment(f"Uppföljning B{n:02d}.docx", DOCX, template),),
    )


def _answer(n: int, template: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = f"sekreterare{n}@ekeby.example"
    message["To"] = "uppfoljning@ekeby.example"
    message["Subject"] = f"SV: Påminnelse (HBT26-B{n:02d})"
    message["Message-ID"] = f"<answer-{n}@ekeby.example>"
    message.set_content("Här kommer vår uppföljning.")
    message.add_attachment(
        template, maintype="application", subtype="octet-stream", filename=f"Svar B{n:02d}.docx"
    )
    return message.as_bytes()


def _calls(server: GraphServer) -> int:
    requests = server.stats()["requests"]
    return int(sum(v for k, v in requests.items() if k not in ("token", "openid_configuration")))


def graph_figures(
    messages: int = 40, latency: float = 0.0, fault_rate: float = 0.0
) -> GraphFigures:
    """Send, fetch and mark `messages` messages through Graph against a fresh test endpoint."""
    template = os.urandom(60_000)
    with GraphServer() as server:
        os.environ.update(server.env())
        settings = GraphSettings(backoff_seconds=0.01, send_window_seconds=0.05, max_attempts=8)
        with GraphMailbox(settings) as box:
            box.was_sent("<warm-up@followup>")  # token and TLS outside the measurement
            server.set_faults(latency=latency, rate=fault_rate, retry_after=0.01, seed=5)
            server.app.stats.reset()

            started = time.perf_counter()
            for n in range(messages):
                _until_done(partial(box.send, _reminder(n, template)))
            send_s = time.perf_counter() - started
            send_calls = _calls(server)

            big = OutboundMessage(
                message_id="<large@followup.ekeby.example>",
                to=("sekreterare0@ekeby.example",),
                subject="Stor bilaga",
                text="Bilaga.",
                attachments=(Attachment("stor.docx", DOCX, os.urandom(8 * 1024 * 1024)),),
            )
            started = time.perf_counter()
            _until_done(partial(box.send, big))
            large_s = time.perf_counter() - started
            send_faults = sum(server.stats()["faults"].values())

            for n in range(messages):
                server.deliver(_answer(n, template))
            server.app.stats.reset()
            started = time.perf_counter()
            state: str | None = None
            fetched: set[str] = set()
            while True:
                result = _until_done(partial(box.fetch_new, state))
                for message in result.messages:
                    _until_done(partial(box.mark_processed, message.id, "accepted"))
                    fetched.add(message.id)
                state = result.state
                if not result.more:
                    break
            fetch_s = time.perf_counter() - started
            assert len(fetched) == messages, (len(fetched), messages)
            fetch_calls = _calls(server)
            retries = send_faults + sum(server.stats()["faults"].values())
    return GraphFigures(
        latency=latency,
        fault_rate=fault_rate,
        send_ms=send_s / messages * 1000,
        send_calls=send_calls / messages,
        large_send_ms=large_s * 1000,
        fetch_ms=fetch_s / messages * 1000,
        fetch_calls=fetch_calls / messages,
        retries=retries,
    )


def _until_done(operation: Callable[[], T]) -> T:
    """What a Prefect task's retries do with transient errors."""
    for _ in range(20):
        try:
            return operation()
        except MailError as exc:
            if not exc.transient:
                raise
    return operation()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    runs = [
        graph_figures(args.messages, 0.0, 0.0),
        graph_figures(args.messages, args.latency, 0.0),
        graph_figures(args.messages, 0.0, args.fault_rate),
    ]
    print(f"Microsoft Graph adapter, {args.messages} messages, ~60 KB attachment each")
    header = (
        f"{'latency':>8} {'faults':>7} {'send ms':>8} {'calls':>6} {'8 MB ms':>8} "
        f"{'fetch ms':>9} {'calls':>6} {'retried':>8}"
    )
    print(header)
    for r in runs:
        print(
            f"{r.latency * 1000:>6.0f}ms {r.fault_rate:>7.0%} {r.send_ms:>8.1f} "
            f"{r.send_calls:>6.1f} {r.large_send_ms:>8.0f} {r.fetch_ms:>9.1f} "
            f"{r.fetch_calls:>6.1f} {r.retries:>8}"
        )


if __name__ == "__main__":
    main()
