"""Answers for report tests, built directly as ParsedTemplate objects (no Word files involved)."""

from __future__ import annotations

import datetime as dt

from flows.model import (
    STATUSES,
    ActivityRow,
    Config,
    Cycle,
    Decision,
    Indicator,
    ParsedTemplate,
    Problem,
    Texts,
)
from flows.report.sources import Answer

# Board text that must arrive in the report and the export as text, never as markup or formula.
AWKWARD_COMMENT = '=HYPERLINK("http://evil.example","klicka") <w:p>&amp; "citat" \x0b'


def parsed_answer(config: Config, cycle: Cycle, board_id: str, *, shift: int = 0) -> ParsedTemplate:
    """The board's planned activities with statuses rotating by `shift`, plus one added row."""
    planned = config.planned_activities(cycle, board_id)
    rows = [
        ActivityRow(
            area=p.area,
            nr=p.nr,
            activity=p.activity,
            responsible=p.responsible,
            timeframe=p.timeframe,
            status=STATUSES[(i + shift) % len(STATUSES)],
            status_text=STATUSES[(i + shift) % len(STATUSES)],
            comment=f"Kommentar {i + 1} från {board_id}.\nAndra raden.",
        )
        for i, p in enumerate(planned)
    ]
    rows.append(
        ActivityRow(
            area=1,
            nr=None,
            activity=f"Egen aktivitet för {board_id}",
            responsible="Förvaltningschef",
            timeframe="2026",
            status=None,
            status_text="nästan klar",
            comment=AWKWARD_COMMENT,
        )
    )
    return ParsedTemplate(
        file=f"{board_id}.docx",
        board=board_id,
        cycle=cycle.id,
        template_version=cycle.template_version,
        activities=rows,
        indicators=[
            Indicator(name=name, value=float(10 * (k + 1)), value_text=str(10 * (k + 1)))
            for k, name in enumerate(config.strategy_of(cycle).indicator_names[:2])
        ]
        + [Indicator(name="Antal aktiviteter under Pride", value=None, value_text="flera")],
        texts=Texts(
            analysis=f"Analys för {board_id}: arbetet har gått framåt.\n\nNytt stycke.",
            support="Vi behöver stöd med utbildning." if shift % 2 else "",
        ),
        decision=Decision(date=dt.date(cycle.year + 1, 3, 12), paragraph="§ 34"),
        problems=[
            Problem(
                level="warning",
                code="status.unknown",
                message="Statusen ”nästan klar” kunde inte tolkas.",
                where="Strategiområde 1, rad 2",
            )
        ],
    )


def answers_for(
    config: Config, cycle: Cycle, board_ids: list[str], *, shift: int = 0
) -> list[Answer]:
    return [
        Answer(
            board=board_id,
            parsed=parsed_answer(config, cycle, board_id, shift=shift),
            version=2,
            received_at=dt.datetime(cycle.year + 1, 3, 20, 13, 5 + i, tzinfo=dt.UTC),
            sender=config.board(board_id).primary.email,
            filename=f"{board_id}-svar.docx",
        )
        for i, board_id in enumerate(board_ids)
    ]
