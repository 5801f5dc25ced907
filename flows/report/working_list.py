"""The coordinator's working list (Word): everything internal that the council document leaves
out. What is left to do before publishing (areas without the office's assessment, the default
analysis or decision in use), boards that have not reported with their contacts, answers with
unresolved problems (the messages sent to the boards), statuses that could not be read, and the
sources: which version of which file from which sender the document is built from.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pandas as pd

from flows import swedish
from flows.model import Config
from flows.report import wordxml as wx
from flows.report.council import assessments
from flows.report.document import Body, profile_font, replace_body
from flows.report.figures import STATE_LABELS
from flows.report.frame import Frames
from flows.report.reference import REFERENCE_PATH
from flows.report.report_file import ReportFile, report_file_path
from flows.report.strategy_view import area_label, statuses
from flows.report.styles import ensure_styles
from flows.report.widths import font_measure
from flows.report.wordxml import Column, Row


def to_do(config: Config, frames: Frames, notes: ReportFile, config_dir: Path) -> list[str]:
    """What the coordinator still has to decide before the document goes to the council."""
    strategy = config.strategy_of(frames.cycle)
    path = report_file_path(config_dir, frames.cycle.id)
    label = area_label(strategy).lower()
    items = []
    open_areas = [a.area for a in assessments(frames, strategy, notes) if a.source != "office"]
    if open_areas:
        items.append(
            f"Bedömning saknas för {label} {swedish.listing([str(n) for n in open_areas])}: "
            f"dokumentet visar förslaget utifrån status. Ange level och text under assessments "
            f"i {path.name}."
        )
    if not notes.analysis.strip():
        items.append(
            f"Kommunledningskontorets analys är en standardtext byggd på siffrorna. Skriv en "
            f"egen under analysis i {path.name}."
        )
    if not notes.decision:
        items.append(
            f"Förslaget till beslut är standardförslaget. Ändra under decision i {path.name}."
        )
    unreadable = int((~frames.activities["status"].isin(statuses(strategy).values)).sum())
    if unreadable:
        items.append(
            f"{swedish.capitalize_first(swedish.count_words(unreadable, 'aktivitet'))} har en "
            "status som inte kunde tolkas och visas som ”Ej angiven” (se nedan)."
        )
    return items


def build_working_list(
    config: Config,
    frames: Frames,
    *,
    notes: ReportFile | None = None,
    config_dir: Path = Path("config"),
    reference: Path | None = None,
    report_date: dt.date | None = None,
) -> bytes:
    notes = notes or ReportFile()
    doc = docx.Document(str(reference or REFERENCE_PATH))
    styles = ensure_styles(doc, REFERENCE_PATH)
    font, size = profile_font(doc)
    body = Body(styles, font_measure(font, size))
    strategy = config.strategy_of(frames.cycle)
    cycle = frames.cycle
    body.add(wx.paragraph(f"Arbetslista för {cycle.id}", styles.title))
    body.add(
        wx.paragraph(
            f"{strategy.short_title}, uppföljning {cycle.year}. Internt underlag för "
            f"samordnaren, {swedish.long_date(report_date or dt.date.today())}; ska inte "
            "skickas till kommunfullmäktige.",
            styles.subtitle,
        )
    )

    body.heading(1, "Att göra före publicering")
    items = to_do(config, frames, notes, config_dir)
    if items:
        for item in items:
            body.text(f"• {item}")
    else:
        body.text("Inget: bedömningar, analys och förslag till beslut är ifyllda.")

    boards = frames.boards
    missing = boards[~boards["reported"]]
    body.heading(1, "Ej inkommit")
    if missing.empty:
        body.text("Alla nämnder och styrelser har redovisat.")
    else:
        rows: list[Row] = []
        for board_id, state in zip(missing["board"], missing["state"], strict=True):
            board = config.board(str(board_id))
            contacts = "\n".join(f"{c.name} <{c.email}>" for c in board.contacts)
            rows.append([board.name, STATE_LABELS.get(str(state), str(state)), contacts])
        body.table(
            (Column("Nämnd/styrelse", 5.0), Column("Läge", 2.6), Column("Kontakter", 8.8)), rows
        )

    body.heading(1, "Svar med olösta problem")
    problems = frames.problems.sort_values(["board_order"], kind="stable")
    if problems.empty:
        body.text("Inga av de redovisningar som ingår har olösta problem.")
    else:
        body.text(
            "Redovisningarna ingår i sammanställningen, men följande uppgifter kunde inte läsas "
            "helt. Stäm av dem med nämnden eller styrelsen."
        )
        body.table(
            (Column("Nämnd/styrelse", 4.0), Column("Var", 3.0), Column("Problem", 9.4)),
            [
                [str(n), str(w), str(m)]
                for n, w, m in zip(
                    problems["board_name"], problems["where"], problems["message"], strict=True
                )
            ],
        )

    body.heading(1, "Status som inte kunde tolkas")
    acts = frames.activities
    odd = acts[~acts["status"].isin(statuses(strategy).values)]
    if odd.empty:
        body.text("Alla aktiviteter har en status som kunde tolkas.")
    else:
        body.table(
            (
                Column("Nämnd/styrelse", 4.4),
                Column("Nr", 1.2),
                Column("Aktivitet", 6.0),
                Column("Angiven status", 4.8),
            ),
            [
                [str(b), "" if not isinstance(n, str) else n, str(a), str(t) or "(tom)"]
                for b, n, a, t in zip(
                    odd["board_name"], odd["nr"], odd["activity"], odd["status_text"], strict=True
                )
            ],
        )

    body.heading(1, "Källor")
    reported = boards[boards["reported"]]
    if reported.empty:
        body.text("Inga redovisningar har kommit in.")
    else:
        body.text("Den version av varje svar som ingår i sammanställningen.")
        body.table(
            (
                Column("Nämnd/styrelse", 3.8),
                Column("Version", 1.6, numeric=True),
                Column("Inkom", 3.6),
                Column("Avsändare", 4.4),
                Column("Fil", 3.0),
            ),
            [
                [
                    str(name),
                    str(int(version)),
                    swedish.moment(received) if pd.notna(received) else "–",
                    str(sender) or "–",
                    str(filename),
                ]
                for name, version, received, sender, filename in zip(
                    reported["board_name"],
                    reported["version"],
                    reported["received"],
                    reported["sender"],
                    reported["filename"],
                    strict=True,
                )
            ],
        )

    replace_body(doc, body.elements)
    core = doc.core_properties
    core.title = f"Arbetslista {cycle.id}"
    core.author = config.municipality.office
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
