"""Overlapping runs never duplicate: two reminds, then two collects, started at the same moment
as separate processes against the same mailbox (Maildir, the EWS test server, the Graph test
server, each in its own process) and one ledger. Every message the mailbox delivered is
counted: each expected message exactly once (0 duplicates, 0 losses).

On the Exchange transports the boards' answers arrive as Exchange stores mail from members of
the organization (`tests.support.exchange_stamp`), and one more answer, from a board contact's
address but not authenticated by Exchange, must not count (the sender policy end to end)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.documents.template import build_template
from flows.ledger import Ledger
from flows.mail.maildir import MaildirMailbox
from flows.mail.mime import parse_envelope
from flows.references import reference_code
from tests.conftest import CONFIG_DIR, REPO
from tests.flows.scenario import CYCLE, DOCX, INVITE_DAY, complete, config, mail
from tests.flows.spring import FLOW_SETTINGS
from tests.support.ews_server.process import ews_server_process
from tests.support.exchange_stamp import as_delivered_by_exchange
from tests.support.graph_server import graph_server_process

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.xdist_group("flows"),
    pytest.mark.timeout(600),
    pytest.mark.slow,
]

ANSWERING = ("kommunstyrelsen", "utbildningsnamnden", "miljonamnden")
SPOOFED = "socialnamnden"  # on Exchange: its contact's address, not authenticated


@dataclass
class World:
    name: str
    env: dict[str, str]
    deliver: Callable[[bytes], object]
    sent: Callable[[], list[bytes]]


@contextmanager
def world(name: str, data: Path) -> Iterator[World]:
    if name == "maildir":
        box = MaildirMailbox(data / "mail")
        yield World(name, {"FOLLOWUP_TRANSPORT": "maildir"}, box.deliver, box.sent_messages)
        return
    server = ews_server_process if name == "ews" else graph_server_process
    with server() as control:
        env = {**control.env(), "FOLLOWUP_TRANSPORT": name}
        if name == "ews":
            env["FOLLOWUP_SEND_CONCURRENCY"] = "1"  # see tests/flows/test_spring_ews.py

        def deliver(raw: bytes) -> None:
            control.deliver(raw)

        yield World(name, env, deliver, lambda: [bytes(s["mime"]) for s in control.sent()])


def _environment(data: Path, extra: dict[str, str]) -> dict[str, str]:
    from prefect.settings import get_current_settings

    api_url = get_current_settings().api.url
    assert api_url, "the Prefect test harness must be running"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    env.update({f"FOLLOWUP_{k.upper()}": str(v) for k, v in FLOW_SETTINGS.items()})
    env.update(extra)
    env.update(
        FOLLOWUP_DATA=str(data),
        FOLLOWUP_CONFIG=str(CONFIG_DIR),
        # Long enough for the other run to finish on a busy machine: the second run waits and
        # then finds nothing left to do.
        FOLLOWUP_LEASE_WAIT_SECONDS="240",
        PREFECT_API_URL=api_url,
        PYTHONPATH=str(REPO),
    )
    return env


def _together(steps: list[list[str]], env: dict[str, str], logs: Path) -> list[str]:
    """Start every step as its own process at the same moment; all must complete."""
    processes = []
    for i, argv in enumerate(steps):
        log = logs / f"{argv[0]}-{i}.log"
        with log.open("wb") as handle:
            command = [sys.executable, "-m", "tests.flows.run_step", *argv]
            processes.append(
                (log, subprocess.Popen(command, env=env, cwd=REPO, stdout=handle, stderr=handle))
            )
    outputs = []
    for log, process in processes:
        code = process.wait(timeout=500)
        text = log.read_text(encoding="utf-8", errors="replace")
        assert code == 0, f"{log.name}: the run failed:\n{text[-3000:]}"
        outputs.append(text)
    return outputs


def _answers(exchange: bool) -> list[bytes]:
    cfg = config()
    cycle = cfg.cycle(CYCLE)
    from flows.demo.answers import demo_answer, fill_template

    raws = []
    for serial, board_id in enumerate(ANSWERING, start=1):
        board = cfg.board(board_id)
        document = fill_template(
            build_template(cfg, cycle, board), complete(demo_answer(cfg, cycle, board, seed=5))
        )
        raw = mail(
            sender=board.primary.email,
            subject=f"SV: Uppföljning [{reference_code(cycle, board)}]",
            body="Hej, här är vår uppföljning.",
            day=INVITE_DAY,
            serial=serial,
            attachments=[(f"{board.code}.docx", document, DOCX)],
        )
        raws.append(as_delivered_by_exchange(raw) if exchange else raw)
    if exchange:
        board = cfg.board(SPOOFED)
        document = fill_template(
            build_template(cfg, cycle, board), complete(demo_answer(cfg, cycle, board, seed=6))
        )
        raw = mail(
            sender=board.primary.email,
            subject=f"SV: Uppföljning [{reference_code(cycle, board)}]",
            body="Hej, här är vår uppföljning.",
            day=INVITE_DAY,
            serial=len(ANSWERING) + 1,
            attachments=[("SN.docx", document, DOCX)],
        )
        raws.append(as_delivered_by_exchange(raw, auth_as="Anonymous"))
    return raws


def _kinds(sent: list[bytes], ledger_url: str) -> tuple[Counter[str], int]:
    """Sent messages per ledger kind, and how many Message-IDs were delivered more than once."""
    with Ledger.open(ledger_url) as ledger:
        kinds = {r.message_id: r.kind for r in ledger.outbound_for(CYCLE)}
    ids = [parse_envelope(raw).message_id or "" for raw in sent]
    duplicates = sum(n - 1 for n in Counter(ids).values())
    return Counter(kinds.get(i, "unknown") for i in ids), duplicates


@pytest.mark.parametrize("transport", ["maildir", "ews", "graph"])
def test_two_reminds_and_two_collects_at_once(transport: str, tmp_path: Path) -> None:
    """All four runs start together on one mailbox with the answers already in the inbox: they
    take turns on the mailbox's lease, whichever comes first."""
    cfg = config()
    boards = [b.id for b in cfg.boards_in(cfg.cycle(CYCLE))]
    data = tmp_path / "var"
    data.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    ledger_url = f"sqlite:///{data / 'ledger.sqlite'}"
    exchange = transport != "maildir"
    started = time.monotonic()
    with world(transport, data) as mailbox:
        answers = _answers(exchange)
        for raw in answers:
            mailbox.deliver(raw)
        remind = ["remind", INVITE_DAY.isoformat()]
        outputs = _together(
            [remind, ["collect"], remind, ["collect"]], _environment(data, mailbox.env), logs
        )
        sent = mailbox.sent()
    kinds, duplicates = _kinds(sent, ledger_url)
    assert duplicates == 0, f"{duplicates} messages delivered twice"

    with Ledger.open(ledger_url) as ledger:
        invited = Counter(r.board for r in ledger.outbound_for(CYCLE) if r.kind == "invitation")
        inbound = ledger.inbound()
        assert len(inbound) == len(answers), "\n".join(o[-1500:] for o in outputs)
        assert not ledger.inbound_pending()
        versions = Counter((s.board, s.version) for s in ledger.submissions(CYCLE))
        held = [r for r in inbound if r.outcome == "quarantined"]
    # A board that had already answered when the remind got the mailbox is not invited.
    assert all(invited[b] == 1 for b in boards if b not in ANSWERING)
    assert all(invited[b] <= 1 for b in ANSWERING)
    expected = Counter(
        {
            "invitation": sum(invited.values()),
            "receipt": len(ANSWERING),
            "version_notice": len(ANSWERING),
        }
    )
    if exchange:
        expected.update({"unauthenticated_reply": 1, "quarantine_notice": 1})
        assert [r.board for r in held] == [SPOOFED] and "kunde inte verifieras" in held[0].detail
    assert kinds == expected  # nothing lost, nothing extra
    assert versions == Counter({(b, 1): 1 for b in ANSWERING})
    waited = sum("En annan körning arbetar med brevlådan" in o for o in outputs)
    print(
        f"{transport}: 2 reminds + 2 collects at once, {sum(kinds.values())} messages "
        f"delivered, 0 duplicates, 0 losses, {waited} runs gave up waiting, "
        f"{time.monotonic() - started:.1f} s"
    )
