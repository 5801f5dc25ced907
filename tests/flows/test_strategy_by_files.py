"""A new strategy by files alone (issue 12): a temporary config directory with a strategy the
code has never seen (three "Målområden", percentage key figures averaged, a third text section,
no paragraph in the decision) runs invitation → answer → compile without any code change."""

from __future__ import annotations

import io
import re
import shutil
import statistics
import zipfile
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from flows.collect import collect
from flows.compile import compile_cycle
from flows.config import load_config
from flows.cycles import opens_on
from flows.demo.answers import demo_answer, fill_template
from flows.mail.maildir import MaildirMailbox
from flows.model import ParsedTemplate
from flows.remind import remind
from flows.runtime import FixedClock, Runtime
from flows.settings import Settings
from tests.conftest import CONFIG_DIR
from tests.flows.scenario import DOCX, mail

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("flows")]

BOARDS = ["socialnamnden", "utbildningsnamnden", "ekeby-energi"]

STRATEGY = """\
# yaml-language-server: $schema=../schema/strategy.schema.json
id: trygghet
title: Strategi för trygghet och våldsförebyggande arbete 2026–2029
short_title: Trygghetsstrategin
period: 2026–2029
purpose: Alla som bor i kommunen ska kunna leva ett liv fritt från våld.
area_label: Målområde
areas:
  - number: 1
    title: Förebyggande arbete
    goal: Våld ska förebyggas tidigt, innan det uppstår.
    description: Insatserna riktas till barn och unga.
  - number: 2
    title: Stöd till utsatta
    goal: Den som utsatts för våld ska få stöd snabbt.
  - number: 3
    title: Samverkan
    goal: Kommunens verksamheter ska samverka med polis och civilsamhälle.
indicators:
  - {name: Andel medarbetare utbildade i våldsprevention, unit: procent, aggregate: mean}
  - {name: Andel ärenden med säkerhetsplan, unit: procent, aggregate: mean, per_board: true}
sections:
  - {key: analysis, title: Sammanfattande analys, hint: "Hur har arbetet gått?"}
  - {key: support, title: Behov av stöd, hint: "Vad behöver ni?"}
  - {key: lessons, title: Lärdomar, hint: "Vad kan andra lära av er?"}
decision_fields: [date]
"""

PLANS = """\
socialnamnden:
  - area: 2
    nr: "2.1"
    activity: Skyddat boende med plats för medföljande barn
    responsible: Socialchef
utbildningsnamnden:
  - {area: 1, nr: "1.1", activity: Mentorer i våldsprevention på varje gymnasium}
ekeby-energi:
  - {area: 3, nr: "3.1", activity: Rutin för anställda som utsätts för våld i nära relation}
"""

CYCLE = f"""\
id: trygghet-2026
code: TRY26
strategy: trygghet
year: 2026
deadline: 2027-03-15
council_meeting: 2027-05-24
boards: [{", ".join(BOARDS)}]
"""


@pytest.fixture()
def new_config(tmp_path: Path) -> Path:
    root = tmp_path / "config"
    (root / "strategies").mkdir(parents=True)
    (root / "cycles").mkdir()
    (root / "action-plans").mkdir()
    shutil.copy(CONFIG_DIR / "boards.yaml", root / "boards.yaml")
    municipality = (CONFIG_DIR / "municipality.yaml").read_text(encoding="utf-8")
    municipality = re.sub(r"default_cycle: .*", "default_cycle: trygghet-2026", municipality)
    (root / "municipality.yaml").write_text(municipality, encoding="utf-8")
    (root / "strategies" / "trygghet.yaml").write_text(STRATEGY, encoding="utf-8")
    (root / "action-plans" / "trygghet.yaml").write_text(PLANS, encoding="utf-8")
    (root / "cycles" / "trygghet-2026.yaml").write_text(CYCLE, encoding="utf-8")
    return root


@pytest.fixture()
def runtime(new_config: Path, tmp_path: Path) -> Iterator[Runtime]:
    config = load_config(new_config)  # the files alone: nothing else knows this strategy
    day = opens_on(config.cycle())
    settings = Settings(config=new_config, data=tmp_path / "var")
    with Runtime(settings, config, clock=FixedClock(day)) as rt:
        yield rt


def _document_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    return " ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))


def test_invitation_answer_compile_for_a_strategy_made_of_files(runtime: Runtime) -> None:
    config = runtime.config
    cycle = config.cycle()
    assert remind(runtime)["sent"] == len(BOARDS)

    mailbox = MaildirMailbox(runtime.mail_dir)
    invitations = [
        message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
        for raw in mailbox.sent_messages()
    ]
    values: dict[str, float] = {}
    for serial, board_id in enumerate(BOARDS, start=1):
        board = config.board(board_id)
        invitation = next(m for m in invitations if board.primary.email in str(m["To"]))
        assert "Trygghetsstrategin 2026" in str(invitation["Subject"])
        (attachment,) = list(invitation.iter_attachments())
        template = attachment.get_content()
        text = _document_text(template)
        assert "Målområde 1. Förebyggande arbete" in text
        assert "Insatserna riktas till barn och unga." in text
        assert "Andel ärenden med säkerhetsplan (procent)" in text
        assert "Lärdomar" in text and "Paragraf" not in text
        answer = demo_answer(config, cycle, board, seed=serial)
        figure = next(i for i in answer.indicators if i.name == "Andel ärenden med säkerhetsplan")
        if figure.value is not None:
            values[board_id] = figure.value
        mailbox.deliver(
            mail(
                sender=board.primary.email,
                subject=f"SV: {invitation['Subject']}",
                body="Hej! Här är vår uppföljning.",
                day=runtime.today(),
                serial=serial,
                attachments=[("svar.docx", fill_template(template, answer), DOCX)],
            )
        )

    collected = collect(runtime)
    assert collected.outcomes == {"submitted": len(BOARDS)}
    for board_id in BOARDS:
        (submission,) = runtime.ledger.submissions(cycle.id, board_id)
        parsed = ParsedTemplate.model_validate_json(submission.parsed_json)
        assert parsed.cycle == cycle.id and submission.valid
        assert {a.area for a in parsed.activities} <= {1, 2, 3}
        assert all(p.code != "decision.paragraph_missing" for p in parsed.problems)

    result = compile_cycle(runtime)
    assert result.reported == len(BOARDS)
    report = _document_text(result.docx.read_bytes())
    assert "Målområde 2. Stöd till utsatta" in report
    assert "Strategiområde" not in report
    mean = statistics.fmean(values.values())
    shown = f"Medelvärde {mean:.1f}".replace(".", ",").replace(",0 ", " ")
    assert shown.removesuffix(",0") in report
