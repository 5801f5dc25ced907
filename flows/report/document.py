"""The consolidated follow-up report (Word), built from `Frames` on the reference document.

The reference's styles, sections, header and footer are kept; its body is replaced. Large tables
are written as XML directly (`flows.report.wordxml`); board text is always inserted as text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pandas as pd
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Cm
from lxml import etree

from flows import swedish
from flows.model import Config, Strategy
from flows.report import wordxml as wx
from flows.report.figures import (
    NO_STATUS,
    STATE_LABELS,
    STATUS_LABELS,
    TOTAL,
    compare_years,
    counts,
    indicator_totals,
    status_per_area,
    unreported_planned,
)
from flows.report.frame import Frames
from flows.report.reference import REFERENCE_PATH
from flows.report.styles import StyleIds, ensure_styles
from flows.report.wordxml import Column, GroupRow, Row, TableStyles, TotalRow

ACTIVITY_COLUMNS = (
    Column("Nr", 1.1),
    Column("Aktivitet", 4.7),
    Column("Ansvarig", 3.9),
    Column("Status", 2.2),
    Column("Kommentar/resultat", 4.5),
)


def status_cell(status: object, status_text: object) -> str:
    """The status as shown: the mapped value, else what the board wrote, else "Ej angiven"."""
    if isinstance(status, str) and status:
        return status
    if isinstance(status_text, str) and status_text.strip():
        return status_text.strip()
    return NO_STATUS


def combined_text(label: str, total: object, unit: str) -> str:
    """`Medelvärde 48,3 procent`, `Summa 1 250`; `–` when the strategy asks for no total."""
    if not label or not isinstance(total, int | float) or total != total:  # NaN
        return "–"
    value = swedish.number(round(float(total), 1))
    return f"{label} {value}" + (f" {unit}" if unit else "")


def reported_by_text(names: list[str], reporting: list[str]) -> str:
    """Who reported a key figure, short: everyone, everyone but a few, or the list."""
    if not names:
        return "Ingen"
    if len(names) == len(reporting) and len(names) > 1:
        return f"Alla som redovisat ({len(names)})"
    others = [n for n in reporting if n not in names]
    if len(names) > 3 and len(others) < len(names):
        return "Alla som redovisat utom " + "; ".join(others)
    return "; ".join(names)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


class _Body:
    """Collects the body's elements and the headings for the table of contents."""

    def __init__(self, styles: StyleIds) -> None:
        self.styles = styles
        self.elements: list[etree._Element] = []
        self.headings: list[Heading] = []
        self._spacer: etree._Element | None = None
        self.table_styles = TableStyles(
            styles.table, styles.table_header, styles.table_text, styles.group_row
        )

    def add(self, element: etree._Element) -> None:
        self.elements.append(element)

    def heading(self, level: int, text: str, *, new_page: bool = False) -> None:
        style = {1: self.styles.heading1, 2: self.styles.heading2}.get(level, self.styles.heading3)
        if new_page and self.elements and self.elements[-1] is self._spacer:
            # a spacer that falls on a new page would leave that page blank
            self.elements.pop()
        self.headings.append(Heading(level, text))
        self.add(wx.paragraph(text, style, page_break_before=new_page))

    def text(self, text: str, style: str | None = None) -> None:
        for part in (text or "").split("\n\n"):
            if part.strip():
                self.add(wx.paragraph(part.strip(), style))

    def label(self, label: str, text: str) -> None:
        self.add(wx.paragraph(label, self.styles.label, keep_next=True))
        if text.strip():
            self.text(text)
        else:
            self.add(wx.paragraph("Ingen uppgift lämnades.", self.styles.normal))

    def table(self, columns: tuple[Column, ...], rows: list[Row] | Iterator[Row]) -> None:
        self.add(wx.table(columns, rows, self.table_styles))
        # Word needs a paragraph between two tables (and after the last one)
        self._spacer = wx.paragraph("", self.styles.normal)
        self.add(self._spacer)


@dataclass(frozen=True)
class ReportContext:
    config: Config
    frames: Frames
    previous: Frames | None
    report_date: dt.date

    @property
    def strategy(self) -> Strategy:
        return self.config.strategy_of(self.frames.cycle)


def build_report(
    config: Config,
    frames: Frames,
    previous: Frames | None = None,
    *,
    reference: Path | None = None,
    report_date: dt.date | None = None,
    planned: pd.DataFrame | None = None,
) -> bytes:
    """The report as .docx bytes. `planned` is `frame.planned_frame(...)` (None: no plans)."""
    from flows.report.frame import planned_frame

    reference = reference or REFERENCE_PATH
    ctx = ReportContext(
        config=config,
        frames=frames,
        previous=previous,
        report_date=report_date or dt.date.today(),
    )
    doc = docx.Document(str(reference))
    styles = ensure_styles(doc, REFERENCE_PATH)
    body = _Body(styles)
    _title_page(body, ctx)
    toc_index = len(body.elements)
    _introduction(body, ctx)
    _summary(body, ctx, doc)
    _areas(body, ctx)
    _boards(body, ctx)
    plans = planned if planned is not None else planned_frame(config, frames.cycle)
    _changes(body, ctx, plans)
    _appendices(body, ctx)
    body.elements[toc_index:toc_index] = _table_of_contents(body, doc)

    _replace_body(doc, body.elements)
    drop_thumbnail(doc)
    _update_fields_on_open(doc)
    core = doc.core_properties
    core.title = f"{ctx.strategy.title} – uppföljning {frames.cycle.year}"
    core.subject = f"Uppföljning {frames.cycle.year}"
    core.author = config.municipality.office
    core.keywords = frames.cycle.diary_number
    core.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def drop_thumbnail(doc: DocxDocument) -> None:
    """Remove the package's thumbnail: it would show the reference, not this document."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)


def _replace_body(doc: DocxDocument, elements: list[etree._Element]) -> None:
    body = doc.element.body
    section = body.find(wx.w("sectPr"))
    for child in list(body):
        if child is not section:
            body.remove(child)
    if section is None:
        body.extend(elements)
    else:
        for element in elements:
            section.addprevious(element)


# Elements of w:settings that must follow w:updateFields (ECMA-376 order).
_AFTER_UPDATE_FIELDS = frozenset(
    {
        "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
        "decimalSymbol", "listSeparator",
    }
)  # fmt: skip


def _update_fields_on_open(doc: DocxDocument) -> None:
    """Ask Word to refresh fields (the table of contents, page numbers) when it opens the file."""
    settings = doc.settings.element
    for old in settings.findall(wx.w("updateFields")):
        settings.remove(old)
    update = etree.Element(wx.w("updateFields"))
    update.set(wx.w("val"), "true")
    followers = {wx.w(name) for name in _AFTER_UPDATE_FIELDS}
    for i, child in enumerate(settings):
        if child.tag in followers or not child.tag.startswith(f"{{{wx.W_NS}}}"):
            settings.insert(i, update)
            return
    settings.append(update)


def _table_of_contents(body: _Body, doc: DocxDocument) -> list[etree._Element]:
    """A TOC field whose cached result lists the headings (Word recomputes it with page numbers)."""
    toc_styles = {}
    for level in (1, 2):
        try:
            toc_styles[level] = doc.styles[f"toc {level}"].style_id
        except KeyError:
            toc_styles[level] = body.styles.normal
    elements = [wx.paragraph("Innehåll", body.styles.toc_heading)]
    entries = [h for h in body.headings if h.level <= 2] or [Heading(1, "Innehåll")]
    runs = wx.field_runs('TOC \\o "1-2" \\h \\z \\u', "")
    begin, instruction, separate, _cached, end = runs
    for i, heading in enumerate(entries):
        p = wx.paragraph(style=toc_styles[heading.level])
        if i == 0:
            p.extend([begin, instruction, separate])
        p.append(wx.run(heading.text))
        if i == len(entries) - 1:
            p.append(end)
        elements.append(p)
    elements.append(wx.page_break())
    return elements


def _title_page(body: _Body, ctx: ReportContext) -> None:
    cycle, town = ctx.frames.cycle, ctx.config.municipality
    s = body.styles
    body.add(wx.paragraph(ctx.strategy.title, s.title))
    body.add(wx.paragraph(f"Uppföljning {cycle.year}", s.subtitle))
    body.add(wx.paragraph("", s.title_detail))
    body.add(wx.paragraph(town.executive_board, s.title_detail, bold=True))
    body.add(wx.paragraph(town.office, s.title_detail))
    body.add(wx.paragraph(town.name, s.title_detail))
    body.add(wx.paragraph(swedish.long_date(ctx.report_date), s.title_detail))
    if cycle.diary_number:
        body.add(wx.paragraph(f"Diarienummer: {cycle.diary_number}", s.title_detail))
    body.add(wx.page_break())


def _introduction(body: _Body, ctx: ReportContext) -> None:
    strategy, cycle = ctx.strategy, ctx.frames.cycle
    body.heading(1, "Inledning")
    body.heading(2, "Strategins syfte")
    body.text(strategy.purpose)
    if strategy.basis:
        body.heading(2, "Underlag för uppföljningen")
        body.text(strategy.basis)
    body.text(
        f"Denna uppföljning avser år {cycle.year} och {strategy.short_title.lower()} "
        f"({strategy.period}). Nämnderna och styrelserna ombads lämna sin redovisning senast "
        f"{swedish.long_date(cycle.deadline)}. Sammanställningen ska behandlas av "
        f"{ctx.config.municipality.council.lower()} {swedish.long_date(cycle.council_meeting)}."
    )


def _summary(body: _Body, ctx: ReportContext, doc: DocxDocument) -> None:
    from flows.report.chart import chart_alt_text, status_chart  # matplotlib is slow to import

    frames, strategy = ctx.frames, ctx.strategy
    numbers = counts(frames)
    body.heading(1, "Sammanfattning", new_page=True)
    text = (
        f"{numbers.reported} av {numbers.boards} nämnder och styrelser har lämnat sin "
        f"uppföljning för {frames.cycle.year}, med sammanlagt "
        f"{swedish.count(numbers.activities, 'aktivitet')}."
    )
    if numbers.not_reported:
        text += f" {numbers.not_reported} har inte redovisat (se bilaga 1)."
    body.text(text)

    label = strategy.area_label
    body.heading(2, f"Aktiviteternas status per {label.lower()}")
    per_area = status_per_area(frames, strategy)
    rows: list[Row] = [
        [strategy.area_heading(int(area)), *(str(int(v)) for v in per_area.loc[area])]
        for area in per_area.index
    ]
    rows.append(TotalRow([TOTAL, *(str(int(v)) for v in per_area.sum())]))
    columns = (
        Column(label, 3.0),
        *(Column(s, 2.2, numeric=True) for s in (*STATUS_LABELS, TOTAL)),
    )
    body.table(columns, rows)
    body.add(_picture(doc, status_chart(per_area, label), chart_alt_text(per_area, label), body))
    body.add(
        wx.paragraph(f"Figur 1. Aktiviteternas status per {label.lower()}.", body.styles.caption)
    )

    body.heading(2, "Nyckeltal")
    totals = indicator_totals(frames, strategy)
    reporting = list(frames.boards.loc[frames.boards["reported"], "board_name"])
    if totals.empty:
        body.text("Inga nyckeltal efterfrågades eller redovisades.")
        return
    body.text(
        "De värden nämnderna och styrelserna redovisat, sammanställda som strategin anger "
        "(summa, medelvärde, lägsta eller högsta värde), och vilka som redovisat nyckeltalet."
    )
    body.table(
        (
            Column("Nyckeltal", 5.0),
            Column("Sammanställt", 3.0, numeric=True),
            Column("Antal", 1.6, numeric=True),
            Column("Redovisat av", 6.8),
        ),
        [
            [
                str(name),
                combined_text(label, total, unit) if reported else "–",
                str(int(reported)),
                reported_by_text(list(names), reporting),
            ]
            for name, label, total, unit, reported, names in zip(
                totals["name"],
                totals["label"],
                totals["total"],
                totals["unit"],
                totals["reported_by"],
                totals["board_names"],
                strict=True,
            )
        ],
    )


def _picture(doc: DocxDocument, png: bytes, description: str, body: _Body) -> etree._Element:
    inline = doc.part.new_pic_inline(io.BytesIO(png), Cm(16.0), None)
    inline.docPr.set("descr", description)
    inline.docPr.set("title", "Aktiviteternas status per strategiområde")
    p = wx.paragraph(style=body.styles.normal, keep_next=True)
    drawing = etree.SubElement(etree.SubElement(p, wx.R), wx.w("drawing"))
    drawing.append(inline)
    return p


def _grouped_rows(frame: pd.DataFrame, cells: list[str]) -> Iterator[Row]:
    """Rows of `frame` (sorted by board order), with a group row before each board's rows."""
    current = None
    columns = [frame[c].tolist() for c in cells]
    for board_name, *values in zip(frame["board_name"].tolist(), *columns, strict=True):
        if board_name != current:
            current = board_name
            yield GroupRow(str(board_name))
        yield ["" if v is None or v != v else str(v) for v in values]


def _areas(body: _Body, ctx: ReportContext) -> None:
    from flows.report.figures import areas

    activities = ctx.frames.activities.sort_values(["area", "board_order", "row"], kind="stable")
    activities = activities.assign(
        shown_status=[
            status_cell(s, t)
            for s, t in zip(activities["status"], activities["status_text"], strict=True)
        ]
    )
    by_area = dict(tuple(activities.groupby("area", sort=False)))
    first = True
    for number in areas(ctx.frames, ctx.strategy):
        area = ctx.strategy.area(number)
        heading = ctx.strategy.area_heading(number)
        if area is not None and area.title:
            heading = f"{heading}. {area.title}"
        body.heading(1, heading, new_page=first)
        first = False
        if area is not None:
            body.add(wx.labelled("Mål", area.goal, body.styles.goal))
            if area.description:
                body.text(area.description)
        else:
            body.text("Området finns inte i strategin men användes i nämndernas svar.")
        group = by_area.get(number)
        if group is None or group.empty:
            body.text("Inga aktiviteter redovisades inom området.")
            continue
        cells = ["nr", "activity", "responsible", "shown_status", "comment"]
        body.table(ACTIVITY_COLUMNS, _grouped_rows(group, cells))


def _decision_text(date: object, paragraph: object) -> str:
    parts = []
    if isinstance(date, dt.date) and pd.notna(date):
        parts.append(f"Beslutat {swedish.long_date(date)}")
    if isinstance(paragraph, str) and paragraph.strip():
        number = paragraph.strip()
        parts.append(number if number.startswith("§") else f"§ {number}")
    return ", ".join(parts) if parts else "Uppgift om beslut saknas."


def _boards(body: _Body, ctx: ReportContext) -> None:
    boards = ctx.frames.boards
    reported = boards[boards["reported"]]
    body.heading(1, "Nämndernas och styrelsernas redovisningar", new_page=True)
    if reported.empty:
        body.text("Ingen nämnd eller styrelse har redovisat.")
        return
    for row in reported.to_dict("records"):
        body.heading(2, str(row["board_name"]))
        body.add(
            wx.labelled(
                "Beslut",
                _decision_text(row["decision_date"], row["decision_paragraph"]),
                body.styles.normal,
            )
        )
        body.label("Sammanfattande analys", str(row["analysis"]))
        body.label("Behov av stöd", str(row["support"]))


def _changes(body: _Body, ctx: ReportContext, planned: pd.DataFrame) -> None:
    previous = ctx.previous
    has_previous = (
        previous is not None
        and bool(previous.boards["reported"].any())
        and not ctx.frames.activities.empty
    )
    body.heading(1, "Förändringar och avvikelser", new_page=True)
    if previous is not None and has_previous:
        year, before = ctx.frames.cycle.year, previous.cycle.year
        body.heading(2, f"Status jämfört med {before}")
        changes = compare_years(ctx.frames, previous).sort_values(
            ["board_order", "area", "nr"], kind="stable", na_position="last"
        )
        tally = changes["change"].value_counts()
        summary = ", ".join(f"{str(label).lower()}: {int(n)}" for label, n in tally.items())
        body.text(
            f"Aktiviteterna i årets svar jämförda med uppföljningen för {before}, matchade på "
            f"nämnd och nummer (annars aktivitetens text). {summary.capitalize()}."
        )
        changes = changes.assign(
            previous_shown=changes["previous_status"].fillna("–"),
            status_shown=changes["status"].fillna("–"),
        )
        body.table(
            (
                Column("Nr", 1.2),
                Column("Aktivitet", 6.4),
                Column(f"Status {before}", 2.6),
                Column(f"Status {year}", 2.6),
                Column("Förändring", 3.6),
            ),
            _grouped_rows(changes, ["nr", "activity", "previous_shown", "status_shown", "change"]),
        )
    elif ctx.frames.cycle.previous:
        body.text(
            f"Ingen jämförelse med föregående uppföljning ({ctx.frames.cycle.previous}): det "
            "finns inga redovisningar från båda åren att jämföra."
        )
    body.heading(2, "Planerade aktiviteter som inte redovisats")
    missing = unreported_planned(ctx.frames, planned).sort_values(
        ["board_order", "nr"], kind="stable"
    )
    if missing.empty:
        body.text(
            "Alla aktiviteter i handlingsplanerna hos de nämnder och styrelser som redovisat "
            "finns med i deras svar."
        )
        return
    body.text(
        "Aktiviteter i nämndernas och styrelsernas handlingsplaner som saknas i deras svar "
        "(nämnder som inte redovisat alls finns i bilaga 1)."
    )
    body.table(
        (
            Column("Nr", 1.2),
            Column("Aktivitet", 8.2),
            Column("Ansvarig", 3.8),
            Column("Tidsplan", 3.2),
        ),
        _grouped_rows(missing, ["nr", "activity", "responsible", "timeframe"]),
    )


def _appendices(body: _Body, ctx: ReportContext) -> None:
    boards = ctx.frames.boards
    missing = boards[~boards["reported"]]
    body.heading(1, "Bilaga 1. Ej inkommit", new_page=True)
    if missing.empty:
        body.text("Alla nämnder och styrelser har redovisat.")
    else:
        body.text(
            f"{swedish.count(len(missing), 'nämnd eller styrelse', 'nämnder och styrelser')} "
            "hade inte lämnat någon godkänd redovisning när uppföljningen sammanställdes."
        )
        body.table(
            (Column("Nämnd/styrelse", 6.0), Column("Förvaltning", 6.4), Column("Läge", 4.0)),
            [
                [str(name), str(admin), STATE_LABELS.get(str(state), str(state))]
                for name, admin, state in zip(
                    missing["board_name"], missing["administration"], missing["state"], strict=True
                )
            ],
        )

    body.heading(1, "Bilaga 2. Svar med olösta problem")
    problems = ctx.frames.problems.sort_values(["board_order"], kind="stable")
    if problems.empty:
        body.text("Inga av de redovisningar som ingår har olösta problem.")
    else:
        body.text(
            "Redovisningarna ingår i sammanställningen, men följande uppgifter kunde inte läsas "
            "helt. Samordnaren bör stämma av dem med nämnden eller styrelsen."
        )
        body.table(
            (Column("Var", 4.0), Column("Problem", 12.4)),
            _grouped_rows(problems, ["where", "message"]),
        )

    body.heading(1, "Bilaga 3. Källor")
    reported = boards[boards["reported"]]
    if reported.empty:
        body.text("Inga redovisningar har kommit in.")
        return
    body.text("Den version av varje svar som ingår i sammanställningen.")
    body.table(
        (
            Column("Nämnd/styrelse", 3.8),
            Column("Version", 1.7, numeric=True),
            Column("Inkom", 3.9),
            Column("Avsändare", 4.3),
            Column("Fil", 2.7),
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
