"""Every email and document text rendered for one and for two of everything that is counted
(days left, days overdue, activities, problems, boards), and read for the slips a Swedish reader
notices: "om 1 dagar", "(1 aktiviteter)", a sentence that opens with a digit, "känns inte igen",
a date after "senast" without "den", "Beslut: Beslutat …", and du where boards are called ni."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from flows.config import load_config
from flows.messages.compose import (
    compose_no_attachment,
    compose_receipt,
    compose_rejection,
    compose_request,
    compose_unauthenticated_reply,
    compose_version_notice,
)
from flows.messages.kinds import REQUEST_KINDS
from flows.model import ActivityRow, Config, Indicator, ParsedTemplate, Problem
from tests.conftest import CONFIG_DIR

NOUNS = r"dag|vecka|aktivitet|nämnd|påminnelse|bilaga|version|varning|styrelse|område"
PLURALS = r"dagar|veckor|aktiviteter|nämnder|påminnelser|bilagor|versioner|varningar|styrelser"
SLIPS = [
    (re.compile(rf"(?<![\d,.\s])\s?\b1 (?:{PLURALS})\b"), "plural after 1"),
    (re.compile(rf"\b(?:0|[2-9]|\d{{2,}}) (?:{NOUNS})\b(?!\w)"), "singular after a count"),
    (re.compile(r"känns inte igen"), "känns inte igen"),
    (re.compile(r"\bsenast \d"), "senast without den"),
    (re.compile(r"Beslut: Beslutat"), "Beslut: Beslutat"),
    (re.compile(r"\bhbtqia-20\d\d\b"), "an internal cycle id"),
]
DU = re.compile(r"\b(?:du|dig|din|ditt|dina)\b", re.IGNORECASE)


def slips(text: str) -> list[str]:
    return [f"{why}: …{text[max(0, m.start() - 30) : m.end() + 30]}…" for rx, why in SLIPS
            for m in rx.finditer(text)]  # fmt: skip


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(CONFIG_DIR)


def _parsed(board: str, n: int) -> ParsedTemplate:
    return ParsedTemplate(
        file="svar.docx",
        board=board,
        cycle="hbtqia-2026",
        activities=[
            ActivityRow(area=1, nr=f"1.{i + 1}", activity=f"Aktivitet {i}", status="Genomförd")
            for i in range(n)
        ],
        indicators=[Indicator(name=f"Nyckeltal {i}", value=float(i)) for i in range(n)],
        problems=[
            Problem(level="warning", code="status.unknown", message=f"Varning {i}.")
            for i in range(n)
        ],
    )


def emails(config: Config, n: int) -> Iterator[tuple[str, str]]:
    cycle = config.cycle("hbtqia-2026")
    board = config.board("socialnamnden")
    before, after = cycle.deadline - dt.timedelta(days=n), cycle.deadline + dt.timedelta(days=n)
    days = {
        "reminder_before": [before],
        "deadline": [before, cycle.deadline],
        "overdue": [after],
        "escalation": [after],
    }
    for kind in REQUEST_KINDS:
        for today in days.get(kind, [before, after]):
            message = compose_request(
                config,
                cycle,
                board,
                kind,
                today=today,
                message_id="<m@y>",
                escalate=kind == "escalation",
                problems=[Problem(level="error", code="x", message=f"Fel {i}.") for i in range(n)],
            )
            yield f"{kind} {today}", f"{message.subject}\n{message.text}\n{message.html}"
    receipt = compose_receipt(
        config,
        cycle,
        board,
        _parsed(board.id, n),
        to="a@b.se",
        message_id="<k@y>",
        in_reply_to=None,
        version=n,
        filename="svar.docx",
        received=dt.date(2027, 3, 30),
    )
    yield "receipt", f"{receipt.subject}\n{receipt.text}\n{receipt.html}"
    rejection = compose_rejection(
        config,
        cycle,
        board,
        [Problem(level="error", code="file.pdf", message=f"Fel {i}.") for i in range(n)],
        to="a@b.se",
        message_id="<r@y>",
        in_reply_to=None,
        filename="svar.pdf",
    )
    yield "rejection", f"{rejection.subject}\n{rejection.text}\n{rejection.html}"
    reply = compose_no_attachment(
        config, cycle, board, to="a@b.se", message_id="<n@y>", in_reply_to=None
    )
    yield "no attachment", f"{reply.subject}\n{reply.text}\n{reply.html}"
    notice = compose_version_notice(
        config,
        cycle,
        board,
        message_id="<v@y>",
        sender="a@b.se",
        received=dt.date(2027, 3, 30),
        version=n,
        filename="svar.docx",
    )
    yield "version notice", f"{notice.subject}\n{notice.text}\n{notice.html}"
    unverified = compose_unauthenticated_reply(
        config, cycle, board, to="a@b.se", message_id="<u@y>", in_reply_to=None
    )
    yield "unauthenticated", f"{unverified.subject}\n{unverified.text}\n{unverified.html}"


@pytest.mark.parametrize("n", [1, 2])
def test_emails_to_boards_have_no_slips(config: Config, n: int) -> None:
    for name, text in emails(config, n):
        assert not slips(text), (name, slips(text))
        assert not DU.search(text), (name, DU.search(text))


def test_the_template_says_ni_throughout(config: Config) -> None:
    from docx2python import docx2python

    from flows.documents.template import build_template

    cycle = config.cycle("hbtqia-2026")
    data = build_template(config, cycle, config.board("socialnamnden"))
    import io

    with docx2python(io.BytesIO(data)) as content:
        text = content.text
    assert not DU.search(text), DU.search(text)
    assert not slips(text), slips(text)


def _prose(data: bytes) -> list[str]:
    """The council document's paragraphs outside tables and the contents."""
    import io
    import zipfile

    from lxml import etree

    from flows.report.wordxml import w

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    out = []
    for p in body.iter(w("p")):
        if any(a.tag == w("tc") for a in p.iterancestors()):
            continue
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        if style is not None and str(style.get(w("val"), "")).lower().startswith("toc"):
            continue
        out.append("".join(str(t) for t in p.itertext(w("t"))))
    return [t for t in out if t.strip()]


@pytest.mark.parametrize("reporting", [1, 2])
def test_the_council_document_has_no_slips(config: Config, reporting: int) -> None:
    from flows.report.document import build_report
    from flows.report.frame import build_frames
    from tests.unit.report.answers import answers_for

    cycle, before = config.cycle("hbtqia-2026"), config.cycle("hbtqia-2025")
    ids = [b.id for b in config.boards_in(cycle)]
    frames = build_frames(config, cycle, answers_for(config, cycle, ids[:reporting]))
    previous = build_frames(config, before, answers_for(config, before, ids[:reporting]))
    data = build_report(config, frames, previous, report_date=dt.date(2027, 4, 19))
    prose = _prose(data)
    text = "\n".join(prose)
    assert not slips(text), slips(text)
    for paragraph in prose:
        sentences = re.split(r"(?<=[.!?])\s+", paragraph)
        opening = [
            s
            for s in sentences
            if re.match(r"\d", s) and not re.fullmatch(r"\d{1,2} \w+ \d{4}", s)  # a date line
        ]
        assert not opening, paragraph
