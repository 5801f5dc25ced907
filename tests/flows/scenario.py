"""A simulated spring for the flow tests: the boards' answers as real RFC 5322 messages, the mail
world they travel through (Maildir or the EWS test server), and a snapshot of the outcome (ledger
and sent mail) that must be identical with and without faults."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from flows.config import load_config
from flows.demo.answers import demo_answer, fill_template
from flows.demo.board_answer import BoardAnswer
from flows.documents.template import build_template
from flows.ledger import Ledger
from flows.ledger.schema import QuarantineDigest
from flows.mail.maildir import MaildirMailbox
from flows.mail.mime import extract_attachments, parse, parse_envelope
from flows.model import Config
from flows.references import reference_code
from tests.conftest import CONFIG_DIR

CYCLE = "hbtqia-2026"
INVITE_DAY = dt.date(2027, 2, 3)  # 8 weeks before the deadline 31 March 2027
REMIND_DAY = dt.date(2027, 3, 17)  # 14 days before
LATE_DAY = dt.date(2027, 4, 7)  # a week after the deadline: overdue, escalated
MAILBOX = "uppfoljning@ekeby.example"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Who answers how, in the first wave.
ON_TIME = "kommunstyrelsen"
LIBREOFFICE = "barn-och-ungdomsnamnden"
PDF = "utbildningsnamnden"
UNKNOWN_SENDER = "socialnamnden"
FORWARDED = "omsorgsnamnden"
NO_ATTACHMENT = "kultur-och-fritidsnamnden"
LAST_YEAR = "samhallsbyggnadsnamnden"
AUTO_REPLY = "miljonamnden"
LATE = "servicenamnden"
STRANGER = "anna.privat@example.org"
COLLEAGUE = "kollega.karlsson@ekeby.example"


def config() -> Config:
    return load_config(CONFIG_DIR)


class MailWorld(Protocol):
    """Where the boards' mail arrives and where we find what the system sent."""

    def deliver(self, raw: bytes) -> None: ...

    def sent(self) -> list[bytes]: ...


@dataclasses.dataclass
class MaildirWorld:
    root: Path

    def deliver(self, raw: bytes) -> None:
        MaildirMailbox(self.root).deliver(raw)

    def sent(self) -> list[bytes]:
        return MaildirMailbox(self.root).sent_messages()


# --------------------------------------------------------------------------- the boards' mail


def _stamp(day: dt.date, minute: int) -> str:
    return format_datetime(dt.datetime(day.year, day.month, day.day, 9, minute % 60, tzinfo=dt.UTC))


def mail(
    *,
    sender: str,
    subject: str,
    body: str,
    day: dt.date,
    serial: int,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    headers: Sequence[tuple[str, str]] = (),
    forwarded: bytes | None = None,
    to: str = MAILBOX,
) -> bytes:
    """A message as a mail client writes it; fixed Date and Message-ID so reruns match."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = _stamp(day, serial)
    msg["Message-ID"] = f"<answer-{serial}-{day.isoformat()}@client.example>"
    for name, value in headers:
        msg[name] = value
    msg.set_content(body)
    for filename, data, content_type in attachments:
        main, _, sub = content_type.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    if forwarded is not None:
        inner = parse(forwarded)
        msg.add_attachment(inner)
    return msg.as_bytes()


@dataclasses.dataclass(frozen=True)
class Answers:
    """The documents the boards send, built once per session (LibreOffice takes seconds)."""

    filled: dict[str, bytes]  # board id -> its filled template (.docx)
    libreoffice: bytes  # LIBREOFFICE's filled template after a LibreOffice round trip
    last_year: bytes  # LAST_YEAR's filled template of the previous cycle
    second_version: bytes  # ON_TIME's corrected template


def complete(answer: BoardAnswer) -> BoardAnswer:
    """The answer with a status for every activity (a simulated board may leave one empty)."""
    activities = tuple(
        a if a.status_text else dataclasses.replace(a, status_text="Pågående", status="Pågående")
        for a in answer.activities
    )
    added = tuple(
        a if a.status_text else dataclasses.replace(a, status_text="Pågående", status="Pågående")
        for a in answer.added
    )
    return dataclasses.replace(answer, activities=activities, added=added)


def build_answers(cfg: Config, roundtrip: Callable[[bytes], bytes]) -> Answers:
    cycle = cfg.cycle(CYCLE)
    filled = {}
    for board in cfg.boards_in(cycle):
        answer = complete(demo_answer(cfg, cycle, board, seed=7))
        filled[board.id] = fill_template(build_template(cfg, cycle, board), answer)
    previous = cfg.cycle("hbtqia-2025")
    old_board = cfg.board(LAST_YEAR)
    last_year = fill_template(
        build_template(cfg, previous, old_board),
        dataclasses.replace(demo_answer(cfg, previous, old_board, seed=3), cycle=previous.id),
    )
    ks = cfg.board(ON_TIME)
    second = fill_template(
        build_template(cfg, cycle, ks), complete(demo_answer(cfg, cycle, ks, seed=99))
    )
    return Answers(filled, roundtrip(filled[LIBREOFFICE]), last_year, second)


def _subject(cfg: Config, board_id: str) -> str:
    cycle = cfg.cycle(CYCLE)
    ref = reference_code(cycle, cfg.board(board_id))
    return f"SV: Uppföljning av Hbtqia+-strategin 2026 – inbjudan [{ref}]"


def first_wave(cfg: Config, answers: Answers) -> list[bytes]:
    """The answers that arrive between the invitation and the first reminder."""
    day = dt.date(2027, 3, 1)
    b = cfg.board

    def doc(name: str, data: bytes) -> tuple[str, bytes, str]:
        return (name, data, DOCX)

    colleague_mail = mail(
        sender=COLLEAGUE,
        to=b(FORWARDED).primary.email,
        subject="Uppföljningen, ifylld",
        body="Hej! Här är den ifyllda mallen, kan du skicka in den?",
        day=day,
        serial=90,
        attachments=[doc("Uppföljning omsorg.docx", answers.filled[FORWARDED])],
    )
    return [
        mail(
            sender=b(ON_TIME).primary.email,
            subject=_subject(cfg, ON_TIME),
            body="Hej, här kommer Kommunstyrelsens uppföljning.",
            day=day,
            serial=1,
            attachments=[doc("Uppföljning KS.docx", answers.filled[ON_TIME])],
        ),
        mail(
            sender=b(LIBREOFFICE).secretary.email,
            subject=_subject(cfg, LIBREOFFICE),
            body="Hej, bifogar vår redovisning (sparad i LibreOffice).",
            day=day,
            serial=2,
            attachments=[doc("BUN uppföljning.docx", answers.libreoffice)],
        ),
        mail(
            sender=b(PDF).primary.email,
            subject=_subject(cfg, PDF),
            body="Hej, här är vår uppföljning som PDF.",
            day=day,
            serial=3,
            attachments=[
                (
                    "Uppföljning UN.pdf",
                    b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n",
                    "application/pdf",
                )
            ],
        ),
        mail(
            sender=STRANGER,
            subject="Uppföljning socialnämnden",
            body="Hej, jag skickar in åt socialnämnden.",
            day=day,
            serial=4,
            attachments=[doc("SN.docx", answers.filled[UNKNOWN_SENDER])],
        ),
        mail(
            sender=b(FORWARDED).primary.email,
            subject="VB: Uppföljningen, ifylld",
            body="Vidarebefordrar från min kollega.",
            day=day,
            serial=5,
            forwarded=colleague_mail,
        ),
        mail(
            sender=b(NO_ATTACHMENT).primary.email,
            subject=_subject(cfg, NO_ATTACHMENT),
            body="Hej! Vi behöver några dagar till. Går det bra?",
            day=day,
            serial=6,
        ),
        mail(
            sender=b(NO_ATTACHMENT).primary.email,
            subject="Re: " + _subject(cfg, NO_ATTACHMENT),
            body="Och en fråga till: ska beslutet vara med?",
            day=day,
            serial=7,
        ),
        mail(
            sender=b(LAST_YEAR).primary.email,
            subject=_subject(cfg, LAST_YEAR),
            body="Här är vår uppföljning.",
            day=day,
            serial=8,
            attachments=[doc("SBN.docx", answers.last_year)],
        ),
        mail(
            sender=b(AUTO_REPLY).primary.email,
            subject="Automatiskt svar: " + _subject(cfg, AUTO_REPLY),
            body="Jag är på semester till och med 10 mars.",
            day=day,
            serial=9,
            headers=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")],
        ),
    ]


def second_wave(cfg: Config, answers: Answers) -> list[bytes]:
    """A corrected version from ON_TIME and a late answer from LATE, after the deadline."""
    day = dt.date(2027, 4, 2)
    return [
        mail(
            sender=cfg.board(ON_TIME).secretary.email,
            subject=_subject(cfg, ON_TIME),
            body="En rättad version.",
            day=day,
            serial=20,
            attachments=[("KS v2.docx", answers.second_version, DOCX)],
        ),
        mail(
            sender=cfg.board(LATE).primary.email,
            subject=_subject(cfg, LATE),
            body="Förlåt att det dröjde!",
            day=day,
            serial=21,
            attachments=[("Servicenämnden.docx", answers.filled[LATE], DOCX)],
        ),
    ]


# --------------------------------------------------------------------------- snapshots


def canonical_ids(url: str) -> dict[str, str]:
    """Message-ID -> a name that is the same in every run: replies are named by their kind and
    the Message-ID of the message they answer (the archive hash of a message can differ between
    runs, e.g. when Exchange adds its own headers on delivery); a quarantine digest, whose
    Message-ID is made of those hashes, by the Message-IDs of the messages it lists."""
    with Ledger.open(url) as ledger:
        headers = {r.sha256: r.message_id for r in ledger.inbound()}
        listed: dict[str, list[str]] = {}
        with ledger._tx() as session:
            for row in session.scalars(select(QuarantineDigest)):
                listed.setdefault(row.digest_key, []).append(str(headers.get(row.inbound_sha)))
        names = {}
        for record in ledger.outbound_for(CYCLE):
            if record.plan_key in listed:
                names[record.message_id] = f"{record.kind}:{sorted(listed[record.plan_key])}"
            elif record.inbound_sha is not None:
                names[record.message_id] = f"{record.kind}:{headers.get(record.inbound_sha)}"
            else:
                names[record.message_id] = record.message_id
    return names


def _norm_message(raw: bytes, names: dict[str, str]) -> tuple[Any, ...]:
    envelope = parse_envelope(raw)
    msg = parse(raw)
    cc = tuple(sorted(a.strip().lower() for a in str(msg.get("Cc", "")).split(",") if a.strip()))
    html = msg.get_body(preferencelist=("html",))
    html_text = str(html.get_content()) if html is not None else ""
    text = envelope.text
    for sha in re.findall(r"\b[0-9a-f]{64}\b", text):
        text = text.replace(sha, "<sha>")  # the archive id in a quarantine notice
        html_text = html_text.replace(sha, "<sha>")
    files = tuple(
        (a.filename, hashlib.sha256(a.data).hexdigest()[:16]) for a in extract_attachments(raw)
    )
    message_id = envelope.message_id or ""
    return (
        names.get(message_id, message_id),
        tuple(sorted(envelope.to)),
        cc,
        envelope.subject,
        hashlib.sha256(text.encode()).hexdigest()[:16],
        hashlib.sha256(html_text.encode()).hexdigest()[:16],
        files,
    )


def sent_snapshot(sent: Sequence[bytes], ledger_url: str) -> list[tuple[Any, ...]]:
    """Every sent message (ids, recipients, subject, bodies, attachments), sorted; the Date header
    and MIME boundaries are left out."""
    names = canonical_ids(ledger_url)
    return sorted(_norm_message(raw, names) for raw in sent)


def ledger_snapshot(url: str) -> dict[str, Any]:
    """The ledger's content without times, surrogate ids, attempt counts or archive hashes."""
    names = canonical_ids(url)
    with Ledger.open(url) as ledger:
        outbound = sorted(
            (names[r.message_id], r.kind, r.board, r.to, r.cc, r.subject, r.sent, r.due_date)
            for r in ledger.outbound_for(CYCLE)
        )
        by_sha = {r.sha256: r for r in ledger.inbound()}
        inbound = sorted(
            (r.message_id, r.sender, r.outcome, r.board, r.cycle, r.detail) for r in by_sha.values()
        )
        submissions = sorted(
            (
                s.board,
                s.version,
                by_sha[s.inbound_sha].message_id,
                s.part,
                s.filename,
                s.valid,
                s.errors,
                s.warnings,
            )
            for s in ledger.submissions(CYCLE)
        )
        quarantine = sorted(
            (by_sha[q.inbound_sha].message_id, q.reason) for q in ledger.quarantined()
        )
        unsent = len(ledger.unsent())
        pending = len(ledger.inbound_pending())
    return {
        "outbound": outbound,
        "inbound": inbound,
        "submissions": submissions,
        "quarantine": quarantine,
        "unsent": unsent,
        "pending": pending,
    }


def duplicates_and_losses(
    sent: Sequence[bytes], ledger_url: str, expected: Sequence[tuple[Any, ...]]
) -> tuple[int, int]:
    """Messages sent more than once, and expected messages never sent."""
    names = canonical_ids(ledger_url)
    ids = [names.get(m or "", m) for m in (parse_envelope(raw).message_id for raw in sent)]
    duplicates = len(ids) - len(set(ids))
    losses = len({e[0] for e in expected} - set(ids))
    return duplicates, losses


def report_figures(name: str, figures: dict[str, Any]) -> None:
    """Keep a fault test's figures where a person can read them (FOLLOWUP_FAULT_REPORT_DIR)."""
    target = os.environ.get("FOLLOWUP_FAULT_REPORT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        Path(target, f"{name}.json").write_text(json.dumps(figures, indent=2, default=str))
