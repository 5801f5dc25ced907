"""The demo's earlier years: every earlier cycle of the strategy gets simulated answers, so the
council document can show last year beside this year and, in the period's final year, the look
back over every year.

Each simulated answer goes the way a real one does in the ledger: a raw message (a short note
that it is simulated) archived by SHA-256, recorded as inbound, a submission with the parse
result the reader would give, and the message marked processed. Earlier years show less
progress: each year back moves some activities one step back on the status scale.
"""

from __future__ import annotations

import datetime as dt
import random
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flows.demo.answers import demo_answer, expected_result
from flows.model import ActivityRow, Board, Config, Cycle, ParsedTemplate
from flows.report.outputs import earlier_cycles
from flows.runtime import Runtime

# One step back on the scale, per year back (with probability STEP_BACK).
_BACK = {"Genomförd": "Pågående", "Pågående": "Ej påbörjad"}
STEP_BACK = 0.45
SILENT_SHARE = 0.12  # boards that did not report in an earlier year


def earlier_progress(parsed: ParsedTemplate, rng: random.Random, years_back: int) -> ParsedTemplate:
    """`parsed` with some activities moved back on the status scale, per year back."""
    rows: list[ActivityRow] = []
    for row in parsed.activities:
        status: str | None = row.status
        for _ in range(years_back):
            if status in _BACK and rng.random() < STEP_BACK:
                status = _BACK[status]
        text = status if status != row.status and status is not None else row.status_text
        rows.append(row.model_copy(update={"status": status, "status_text": text}))
    return parsed.model_copy(update={"activities": rows})


def _raw(config: Config, cycle: Cycle, board: Board, when: dt.datetime) -> bytes:
    message = EmailMessage()
    message["From"] = board.primary.email
    message["To"] = config.municipality.mailbox
    message["Subject"] = f"Uppföljning {cycle.code} {board.code}"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain="demo.invalid")
    message["X-Followup-Demo"] = "earlier-year"
    message.set_content(
        f"Simulerat svar från {board.name} för {cycle.year} (demo: ett tidigare års uppföljning)."
    )
    return message.as_bytes()


def simulate_earlier_years(runtime: Runtime, cycle: Cycle, *, seed: int) -> dict[str, int]:
    """Record simulated answers for every earlier cycle of `cycle`'s strategy; returns the
    number of answers per cycle id."""
    config, ledger = runtime.config, runtime.ledger
    recorded: dict[str, int] = {}
    for earlier in earlier_cycles(config, cycle):
        years_back = cycle.year - earlier.year
        recorded[earlier.id] = 0
        for board in config.boards_in(earlier):
            rng = random.Random(f"followup-demo/earlier/{seed}/{earlier.id}/{board.id}")
            if rng.random() < SILENT_SHARE:
                continue
            answer = demo_answer(config, earlier, board, seed=seed)
            parsed = expected_result(config, earlier, board, answer)
            filename = f"Uppföljning {earlier.code} {board.code}.docx"
            parsed = earlier_progress(parsed, rng, years_back).model_copy(
                update={"file": filename, "board": board.id, "cycle": earlier.id}
            )
            day = earlier.deadline - dt.timedelta(days=rng.randint(0, 20))
            when = dt.datetime.combine(day, dt.time(8 + rng.randint(0, 8), rng.randint(0, 59)))
            when = when.replace(tzinfo=dt.UTC)
            raw = _raw(config, earlier, board, when)
            sha = runtime.archive.store(raw)
            ledger.record_inbound(
                sha,
                sender=board.primary.email,
                subject=f"Uppföljning {earlier.code} {board.code}",
                received_at=when,
            )
            ledger.add_submission(
                cycle=earlier.id,
                board=board.id,
                inbound_sha=sha,
                filename=filename,
                parsed=parsed,
                sender=board.primary.email,
                received_at=when,
            )
            ledger.set_inbound_outcome(
                sha, "submitted", board=board.id, cycle=earlier.id, detail="demo: tidigare år"
            )
            recorded[earlier.id] += 1
    return recorded
