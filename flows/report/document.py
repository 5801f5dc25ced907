"""The council document (Word): the follow-up a council can decide on, built from `Frames` on the
reference document.

What it holds, in order: the proposed decision; a summary with the office's analysis, the
assessment per area and the statuses (this year beside last year); per area its goal, the
office's assessment with the figures it rests on, and each board's activities; key figures per
board with the strategy's aggregate; the boards' support needs; each board's own analysis;
changes since last year; in the final year of the strategy period a look back over every
year; and who did not report. Nothing internal: no e-mail addresses, file names, ids or
instructions meant for boards (those are in the coordinator's working list,
`flows.report.working_list`).

The reference's styles, sections, header and footer are kept; its body is replaced. Large tables
are written as XML directly (`flows.report.wordxml`); board text is always inserted as text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pandas as pd
from docx.document import Document as DocxDocument
from docx.shared import Cm
from lxml import etree

from flows import swedish
from flows.model import Config, Strategy
from flows.report import wordxml as wx
from flows.report.assessment import AreaAssessment
from flows.report.council import (
    assessments,
    decision_paragraphs,
    default_analysis,
    period_of,
    status_by_year,
    support_needs,
)
from flows.report.figures import (
    NO_STATUS,
    STATE_LABELS,
    TOTAL,
    compare_years,
    counts,
    status_per_area,
    unreported_planned,
)
from flows.report.frame import Frames
from flows.report.keyfigures import AGGREGATE_LABELS, FigureSummary, summarize
from flows.report.reference import REFERENCE_PATH, drop_thumbnail
from flows.report.report_file import ReportFile
from flows.report.strategy_view import area_heading, area_label, statuses
from flows.report.styles import StyleIds, ensure_styles
from flows.report.widths import Measure, fit, font_measure
from flows.report.wordxml import Column, GroupRow, Row, TableStyles, TotalRow

ACTIVITY_COLUMNS = (
    Column("Nr", 1.1),
    Column("Aktivitet", 4.9),
    Column("Ansvarig", 3.7),
    Column("Status", 2.2),
    Column("Kommentar/resultat", 4.5),
)
TEXT_WIDTH_CM = 16.4


def status_cell(status: object, vocabulary: Sequence[str]) -> str:
    """The status as shown: one of the strategy's statuses, else "Ej angiven"."""
    return status if isinstance(status, str) and status in vocabulary else NO_STATUS


def comment_cell(
    status: object, status_text: object, comment: object, vocabulary: Sequence[str]
) -> str:
    """The board's comment; when its status could not be read, what it wrote there comes first."""
    text = comment.strip() if isinstance(comment, str) else ""
    written = status_text.strip() if isinstance(status_text, str) else ""
    if status_cell(status, vocabulary) == NO_STATUS and written:
        note = f"Status enligt redovisningen: {written}."
        return f"{note}\n{text}" if text else note
    return text


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


class Body:
    """Collects the body's elements and the headings for the table of contents."""

    def __init__(self, styles: StyleIds, measure: Measure) -> None:
        self.styles = styles
        self.measure = measure
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
        self.add(wx.paragraph(text, style, keep_next=True, page_break_before=new_page))

    def text(self, text: str, style: str | None = None, *, keep_next: bool = False) -> None:
        parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
        for i, part in enumerate(parts):
            self.add(wx.paragraph(part, style, keep_next=keep_next or i < len(parts) - 1))

    def label(self, label: str, text: str, *, keep_next: bool = False) -> None:
        """A bold label over the board's text; an empty text is one line `Label: Ingen …`."""
        if text.strip():
            self.add(wx.paragraph(label, self.styles.label, keep_next=True))
            self.text(text, keep_next=keep_next)
        else:
            self.add(wx.labelled(label, "Ingen uppgift lämnades.", self.styles.normal))

    def table(
        self,
        columns: tuple[Column, ...],
        rows: list[Row] | Iterator[Row],
        *,
        heading: str | None = None,
    ) -> None:
        rows = list(rows)
        fitted = fit(columns, rows, self.measure, sum(c.width_cm for c in columns))
        self.add(wx.table(fitted, rows, self.table_styles, heading=heading))
        # Word needs a paragraph between two tables (and after the last one)
        self._spacer = wx.paragraph("", self.styles.normal)
        self.add(self._spacer)


@dataclass(frozen=True)
class ReportContext:
    config: Config
    frames: Frames
    previous: Frames | None
    report_date: dt.date
    notes: ReportFile = field(default_factory=ReportFile)
    history: tuple[Frames, ...] = ()  # every earlier cycle of the strategy, oldest first
    font: str = "Arial"

    @property
    def strategy(self) -> Strategy:
        return self.config.strategy_of(self.frames.cycle)

    @property
    def label(self) -> str:
        return area_label(self.strategy)

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return statuses(self.strategy).values

    def years(self) -> list[tuple[int, Frames]]:
        """This cycle and the earlier ones of the strategy that have answers, by year."""
        earlier = {f.cycle.year: f for f in self.history if bool(f.boards["reported"].any())}
        if self.previous is not None and bool(self.previous.boards["reported"].any()):
            earlier.setdefault(self.previous.cycle.year, self.previous)
        earlier.pop(self.frames.cycle.year, None)
        return [*sorted(earlier.items()), (self.frames.cycle.year, self.frames)]

    def previous_year(self) -> tuple[int, Frames] | None:
        years = self.years()
        return years[-2] if len(years) > 1 else None


def profile_font(doc: DocxDocument) -> tuple[str, float]:
    """The body font and the table text size of the reference (the municipality's profile)."""
    normal = doc.styles["Normal"]
    family = normal.font.name or "Arial"
    try:
        size = doc.styles["Tabelltext"].font.size
    except KeyError:
        size = None
    return str(family), (size.pt if size is not None else 9.0)


def build_report(
    config: Config,
    frames: Frames,
    previous: Frames | None = None,
    *,
    reference: Path | None = None,
    report_date: dt.date | None = None,
    planned: pd.DataFrame | None = None,
    notes: ReportFile | None = None,
    history: Sequence[Frames] = (),
) -> bytes:
    """The council document as .docx bytes.

    `planned` is `frame.planned_frame(...)` (None: from the configuration), `notes` the cycle's
    report file, `history` the frames of the strategy's earlier cycles (for the look back).
    """
    from flows.report.frame import planned_frame

    reference = reference or REFERENCE_PATH
    doc = docx.Document(str(reference))
    styles = ensure_styles(doc, REFERENCE_PATH)
    font, size = profile_font(doc)
    ctx = ReportContext(
        config=config,
        frames=frames,
        previous=previous,
        report_date=report_date or dt.date.today(),
        notes=notes or ReportFile(),
        history=tuple(history),
        font=font,
    )
    body = Body(styles, font_measure(font, size))
    found = assessments(frames, ctx.strategy, ctx.notes)
    _title_page(body, ctx)
    toc_index = len(body.elements)
    _decision(body, ctx)
    _introduction(body, ctx)
    _summary(body, ctx, doc, found)
    _areas(body, ctx, found)
    _key_figures(body, ctx)
    _support(body, ctx)
    _boards(body, ctx)
    plans = planned if planned is not None else planned_frame(config, frames.cycle)
    _changes(body, ctx, plans)
    _look_back(body, ctx, doc)
    _appendix(body, ctx)
    body.elements[toc_index:toc_index] = _table_of_contents(body, doc)

    replace_body(doc, body.elements)
    drop_thumbnail(doc)
    _update_fields_on_open(doc)
    _swedish_settings(doc)
    core = doc.core_properties
    core.title = f"{ctx.strategy.title} – uppföljning {frames.cycle.year}"
    core.subject = f"Uppföljning {frames.cycle.year}"
    core.author = config.municipality.office
    core.keywords = frames.cycle.diary_number
    core.comments = ""
    core.language = "sv-SE"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _swedish_settings(doc: DocxDocument) -> None:
    """Swedish as the theme's language too (LibreOffice reads it as the document language)."""
    for lang in doc.settings.element.findall(wx.w("themeFontLang")):
        lang.set(wx.w("val"), "sv-SE")


def replace_body(doc: DocxDocument, elements: list[etree._Element]) -> None:
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


def _table_of_contents(body: Body, doc: DocxDocument) -> list[etree._Element]:
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


def _title_page(body: Body, ctx: ReportContext) -> None:
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


def _decision(body: Body, ctx: ReportContext) -> None:
    body.heading(1, "Förslag till beslut")
    for text in decision_paragraphs(
        ctx.config.municipality, list(ctx.notes.decision), ctx.strategy, ctx.frames.cycle
    ):
        body.text(text)


def _introduction(body: Body, ctx: ReportContext) -> None:
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
        f"{swedish.den_date(cycle.deadline)}. Sammanställningen ska behandlas av "
        f"{ctx.config.municipality.council.lower()} {swedish.den_date(cycle.council_meeting)}."
    )


def _summary(
    body: Body, ctx: ReportContext, doc: DocxDocument, found: list[AreaAssessment]
) -> None:
    from flows.report.chart import chart_alt_text, status_chart  # matplotlib is slow to import

    frames, strategy = ctx.frames, ctx.strategy
    numbers = counts(frames)
    body.heading(1, "Sammanfattning", new_page=True)
    if numbers.reported == 0:
        text = (
            f"Ingen av kommunens {swedish.count(numbers.boards, *_BOARDS)} har lämnat sin "
            f"uppföljning för {frames.cycle.year}."
        )
    else:
        text = (
            f"Av {swedish.count_words(numbers.boards, *_BOARDS)} har "
            f"{swedish.number_word(numbers.reported)} lämnat sin uppföljning för "
            f"{frames.cycle.year}, med sammanlagt "
            f"{swedish.count(numbers.activities, 'aktivitet')}."
        )
    if numbers.not_reported and numbers.reported:
        text += (
            f" Det är {swedish.number_word(numbers.not_reported)} som inte har redovisat "
            "(se bilaga 1)."
        )
    body.text(text)

    body.heading(2, "Kommunledningskontorets analys")
    previous = ctx.previous_year()
    body.text(
        ctx.notes.analysis.strip()
        or default_analysis(frames, previous[1] if previous else None, strategy, found)
    )

    body.heading(2, f"Bedömning per {ctx.label.lower()}")
    done = statuses(strategy).done or "Genomförd"
    body.table(
        (
            Column(ctx.label, 3.9),
            Column("Bedömning", 3.3),
            Column("Underlag", 4.4),
            Column(f"{done}", 2.4, numeric=True),
            Column("Aktiviteter", 2.4, numeric=True),
        ),
        [
            [
                f"{ctx.label} {a.area}",
                a.level.label if a.level else "Ingen bedömning",
                _source_text(a),
                str(a.tally.done),
                str(a.tally.counted + a.tally.dropped),
            ]
            for a in found
        ],
    )
    body.text(
        "Bedömningen görs av kommunledningskontoret. Där kontoret inte har gjort någon egen "
        "bedömning visas förslaget som följer av aktiviteternas status: andelen genomförda "
        "aktiviteter, där pågående räknas till hälften och aktiviteter som utgått inte räknas."
    )

    body.heading(2, f"Aktiviteternas status per {ctx.label.lower()}")
    per_area = status_per_area(frames, strategy)
    rows: list[Row] = [
        [f"{ctx.label} {area}", *(str(int(v)) for v in per_area.loc[area])]
        for area in per_area.index
    ]
    rows.append(TotalRow([TOTAL, *(str(int(v)) for v in per_area.sum())]))
    body.table(
        (
            Column(ctx.label, 3.4),
            *(Column(str(s), 2.1, numeric=True) for s in per_area.columns),
        ),
        rows,
    )
    body.add(
        _picture(
            doc,
            status_chart(per_area, label=ctx.label, font=ctx.font),
            chart_alt_text(per_area, label=ctx.label),
            f"Aktiviteternas status per {ctx.label.lower()}",
            body,
        )
    )
    body.add(
        wx.paragraph(
            f"Figur 1. Aktiviteternas status per {ctx.label.lower()}.", body.styles.caption
        )
    )
    if previous is not None:
        year, before = frames.cycle.year, previous[0]
        body.heading(2, f"Status {year} jämfört med {before}")
        table = status_by_year([previous, (year, frames)], strategy)
        body.text(
            f"Alla redovisade aktiviteter, efter status, i årets uppföljning och i uppföljningen "
            f"för {before}."
        )
        body.table(
            (
                Column("Status", 5.0),
                Column(str(before), 3.0, numeric=True),
                Column(str(year), 3.0, numeric=True),
                Column("Förändring", 3.0, numeric=True),
            ),
            [
                (TotalRow if status == TOTAL else list)(
                    [
                        str(status),
                        str(int(r[before])),
                        str(int(r[year])),
                        _delta(r[year] - r[before]),
                    ]
                )
                for status, r in table.iterrows()
            ],
        )


_BOARDS = ("nämnd eller styrelse", "nämnder och styrelser")


def _delta(value: object) -> str:
    n = int(str(value))
    return f"+{n}" if n > 0 else ("±0" if n == 0 else f"−{-n}")


def _source_text(a: AreaAssessment) -> str:
    if a.source == "office":
        return "Kontorets bedömning"
    if a.source == "suggested":
        return "Förslag utifrån status"
    return "Underlag saknas"


def _picture(
    doc: DocxDocument, png: bytes, description: str, title: str, body: Body
) -> etree._Element:
    inline = doc.part.new_pic_inline(io.BytesIO(png), Cm(16.0), None)
    inline.docPr.set("descr", description)
    inline.docPr.set("title", title)
    p = wx.paragraph(style=body.styles.normal, keep_next=True)
    drawing = etree.SubElement(etree.SubElement(p, wx.R), wx.w("drawing"))
    drawing.append(inline)
    return p


def _board_tables(
    body: Body, frame: pd.DataFrame, columns: tuple[Column, ...], cells: list[str]
) -> None:
    """One table per board, its name in a header row that repeats when the table continues."""
    for board_name, group in frame.groupby("board_name", sort=False):
        values = [group[c].tolist() for c in cells]
        rows: list[Row] = [
            ["" if v is None or v != v else str(v) for v in row]
            for row in zip(*values, strict=True)
        ]
        body.table(columns, rows, heading=str(board_name))


def _grouped_rows(frame: pd.DataFrame, cells: list[str]) -> Iterator[Row]:
    """Rows of `frame` (sorted by board order), with a group row before each board's rows."""
    current = None
    columns = [frame[c].tolist() for c in cells]
    for board_name, *values in zip(frame["board_name"].tolist(), *columns, strict=True):
        if board_name != current:
            current = board_name
            yield GroupRow(str(board_name))
        yield ["" if v is None or v != v else str(v) for v in values]


def _assessment_text(a: AreaAssessment, label: str) -> list[str]:
    t = a.tally
    basis = (
        f"Inom området redovisades {swedish.count(t.counted + t.dropped, 'aktivitet')}: "
        f"{swedish.count(t.done, 'genomförd', 'genomförda')}, {t.under_way} pågående, "
        f"{t.dropped} som har utgått"
        + (f" och {t.unknown} utan angiven status" if t.unknown else "")
        + "."
    )
    if a.level is None:
        return [f"Ingen bedömning: inga aktiviteter redovisades inom {label.lower()}t."]
    if a.source == "office":
        lead = f"Kommunledningskontorets bedömning: målet är {a.level.label.lower()}."
    else:
        lead = (
            f"Förslag till bedömning utifrån aktiviteternas status: målet är "
            f"{a.level.label.lower()}. Kommunledningskontoret har inte gjort någon egen bedömning."
        )
    return [lead, *([a.text] if a.text.strip() else []), basis]


def _areas(body: Body, ctx: ReportContext, found: list[AreaAssessment]) -> None:
    from flows.report.figures import areas

    vocabulary = ctx.vocabulary
    activities = ctx.frames.activities.sort_values(["area", "board_order", "row"], kind="stable")
    activities = activities.assign(
        shown_status=[status_cell(s, vocabulary) for s in activities["status"]],
        shown_comment=[
            comment_cell(s, t, c, vocabulary)
            for s, t, c in zip(
                activities["status"], activities["status_text"], activities["comment"], strict=True
            )
        ],
    )
    by_area = dict(tuple(activities.groupby("area", sort=False)))
    by_number = {a.area: a for a in found}
    previous = ctx.previous_year()
    first = True
    for number in areas(ctx.frames, ctx.strategy):
        area = ctx.strategy.area(number)
        body.heading(1, area_heading(ctx.strategy, number), new_page=first)
        first = False
        if area is not None:
            body.add(wx.labelled("Mål", area.goal, body.styles.goal))
        else:
            body.text(f"{ctx.label}t finns inte i strategin men användes i nämndernas svar.")
        assessment = by_number.get(number)
        if assessment is not None:
            body.heading(2, "Bedömning")
            for text in _assessment_text(assessment, ctx.label):
                body.text(text)
            years = (
                [previous, (ctx.frames.cycle.year, ctx.frames)]
                if previous
                else [(ctx.frames.cycle.year, ctx.frames)]
            )
            table = status_by_year(years, ctx.strategy, number)
            body.table(
                (Column("Status", 5.0), *(Column(str(y), 2.6, numeric=True) for y, _ in years)),
                [
                    (TotalRow if status == TOTAL else list)(
                        [str(status), *(str(int(r[y])) for y, _ in years)]
                    )
                    for status, r in table.iterrows()
                ],
            )
        group = by_area.get(number)
        body.heading(2, "Aktiviteter")
        if group is None or group.empty:
            body.text(f"Inga aktiviteter redovisades inom {ctx.label.lower()}t.")
            continue
        cells = ["nr", "activity", "responsible", "shown_status", "shown_comment"]
        _board_tables(body, group, ACTIVITY_COLUMNS, cells)


def _number(value: float | None, unit: str = "") -> str:
    if value is None or value != value:
        return "–"
    text = swedish.number(float(value), decimals=1)
    return f"{text} {unit}".strip() if unit and unit not in ("st", "antal") else text


def _key_figures(body: Body, ctx: ReportContext) -> None:
    previous = ctx.previous_year()
    summaries = summarize(ctx.frames, previous[1] if previous else None, ctx.strategy)
    body.heading(1, "Nyckeltal", new_page=True)
    if not summaries:
        body.text("Inga nyckeltal efterfrågades eller redovisades.")
        return
    year = ctx.frames.cycle.year
    before = previous[0] if previous else None
    reporting = list(ctx.frames.boards.loc[ctx.frames.boards["reported"], "board_name"])
    body.text(
        "Nyckeltalen sammanställda på det sätt strategin anger för vart och ett"
        + (f", med föregående års värde ({before}) bredvid." if before else ".")
    )
    columns = [
        Column("Nyckeltal", 5.2),
        Column("Sammanställt som", 3.0),
        *([Column(str(before), 2.2, numeric=True)] if before else []),
        Column(str(year), 2.2, numeric=True),
        Column("Redovisat av", 3.8),
    ]
    rows: list[Row] = []
    for summary in summaries:
        figure = summary.figure
        name = f"{figure.name} ({figure.unit})" if figure.unit else figure.name
        rows.append(
            [
                name,
                AGGREGATE_LABELS[figure.aggregate],
                *([_number(summary.previous_total)] if before else []),
                _number(summary.total),
                _reported_count(summary, reporting),
            ]
        )
    body.table(tuple(columns), rows)
    for summary in summaries:
        if summary.figure.per_board and not summary.values.empty:
            _key_figure_per_board(body, summary, year, before)


def _reported_count(summary: FigureSummary, reporting: list[str]) -> str:
    names = [str(n) for n in summary.values["board_name"]]
    return (
        reported_by_text(names, reporting)
        if len(names) <= 3
        else (f"{len(names)} av {len(reporting)}")
    )


def _key_figure_per_board(
    body: Body, summary: FigureSummary, year: int, before: int | None
) -> None:
    figure = summary.figure
    body.heading(2, figure.name)
    unit = f" ({figure.unit})" if figure.unit else ""
    rows: list[Row] = [
        [
            str(r["board_name"]),
            *([_number(r["previous_value"])] if before else []),
            _number(r["value"]),
        ]
        for r in summary.values.to_dict("records")
    ]
    if figure.aggregate != "none":
        rows.append(
            TotalRow(
                [
                    AGGREGATE_LABELS[figure.aggregate],
                    *([_number(summary.previous_total)] if before else []),
                    _number(summary.total),
                ]
            )
        )
    body.table(
        (
            Column(f"Nämnd/styrelse{unit}", 9.0),
            *([Column(str(before), 3.0, numeric=True)] if before else []),
            Column(str(year), 3.0, numeric=True),
        ),
        rows,
    )


def _support(body: Body, ctx: ReportContext) -> None:
    needs = support_needs(ctx.frames)
    reported = counts(ctx.frames).reported
    body.heading(1, "Behov av stöd", new_page=True)
    if not needs:
        body.text(
            "Ingen av de nämnder och styrelser som redovisat anger något behov av stöd i det "
            "fortsatta arbetet."
        )
        return
    body.text(
        f"Av dem som redovisat anger {swedish.number_word(len(needs))} av {reported} behov av "
        "stöd från kommunledningskontoret i det fortsatta arbetet:"
    )
    body.table(
        (Column("Nämnd/styrelse", 5.2), Column("Behov av stöd", 11.2)),
        [[name, text] for name, text in needs],
    )


def _decision_text(date: object, paragraph: object) -> str:
    parts = []
    if isinstance(date, dt.date) and pd.notna(date):
        parts.append(swedish.den_date(date))
    if isinstance(paragraph, str) and paragraph.strip():
        number = paragraph.strip()
        parts.append(number if number.startswith("§") else f"§ {number}")
    return ", ".join(parts) if parts else "uppgift saknas"


def _boards(body: Body, ctx: ReportContext) -> None:
    boards = ctx.frames.boards
    reported = boards[boards["reported"]]
    body.heading(1, "Nämndernas och styrelsernas analyser", new_page=True)
    if reported.empty:
        body.text("Ingen nämnd eller styrelse har redovisat.")
        return
    for row in reported.to_dict("records"):
        body.heading(2, str(row["board_name"]))
        body.add(
            wx.labelled(
                "Beslut i nämnden eller styrelsen",
                _decision_text(row["decision_date"], row["decision_paragraph"]),
                body.styles.normal,
            )
        )
        body.label("Sammanfattande analys", str(row["analysis"]))


def _changes(body: Body, ctx: ReportContext, planned: pd.DataFrame) -> None:
    previous = ctx.previous_year()
    body.heading(1, "Förändringar och avvikelser", new_page=True)
    if previous is not None and not ctx.frames.activities.empty:
        before_year, before = previous
        body.heading(2, f"Aktiviteterna jämfört med {before_year}")
        changes = compare_years(ctx.frames, before).sort_values(
            ["board_order", "area", "nr"], kind="stable", na_position="last"
        )
        tally = changes["change"].value_counts()
        summary = ", ".join(f"{str(label).lower()}: {int(n)}" for label, n in tally.items())
        body.text(
            f"Aktiviteterna i årets svar jämförda med uppföljningen för {before_year}, matchade "
            f"på nämnd och nummer (annars aktivitetens text). {summary.capitalize()}."
        )
        changes = changes.assign(
            previous_shown=changes["previous_status"].fillna("–"),
            status_shown=changes["status"].fillna("–"),
        )
        _board_tables(
            body,
            changes,
            (
                Column("Nr", 1.2),
                Column("Aktivitet", 6.2),
                Column(f"Status {before_year}", 2.7),
                Column(f"Status {ctx.frames.cycle.year}", 2.7),
                Column("Förändring", 3.6),
            ),
            ["nr", "activity", "previous_shown", "status_shown", "change"],
        )
    elif ctx.frames.cycle.previous:
        body.text(
            "Ingen jämförelse med föregående års uppföljning: det finns inga redovisningar från "
            "båda åren att jämföra."
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
    _board_tables(
        body,
        missing,
        (
            Column("Nr", 1.2),
            Column("Aktivitet", 8.0),
            Column("Ansvarig", 4.0),
            Column("Tidsplan", 3.2),
        ),
        ["nr", "activity", "responsible", "timeframe"],
    )


def _look_back(body: Body, ctx: ReportContext, doc: DocxDocument) -> None:
    """In the final year of the strategy period: every year of the strategy, per area."""
    from flows.report.chart import years_alt_text, years_chart

    period = period_of(ctx.strategy)
    years = ctx.years()
    if period is None or not period.is_final(ctx.frames.cycle.year) or len(years) < 2:
        return
    body.heading(1, f"Tillbakablick över strategiperioden {ctx.strategy.period}", new_page=True)
    first, last = years[0][0], years[-1][0]
    body.text(
        f"Strategiperioden slutar med {last}. Här visas aktiviteternas status i varje års "
        f"uppföljning från {first} till {last}, per {ctx.label.lower()}."
    )
    figure = 2
    for area in ctx.strategy.areas:
        title = area_heading(ctx.strategy, area.number)
        body.heading(2, title)
        table = status_by_year(years, ctx.strategy, area.number)
        body.table(
            (Column("Status", 4.4), *(Column(str(y), 2.4, numeric=True) for y, _ in years)),
            [
                (TotalRow if status == TOTAL else list)(
                    [str(status), *(str(int(r[y])) for y, _ in years)]
                )
                for status, r in table.iterrows()
            ],
        )
        body.add(
            _picture(
                doc,
                years_chart(table, font=ctx.font),
                years_alt_text(table, title.lower()),
                f"{title}: status år för år",
                body,
            )
        )
        body.add(
            wx.paragraph(
                f"Figur {figure}. {title}: aktiviteternas status {first}–{last}.",
                body.styles.caption,
            )
        )
        figure += 1


def _appendix(body: Body, ctx: ReportContext) -> None:
    boards = ctx.frames.boards
    missing = boards[~boards["reported"]]
    body.heading(1, "Bilaga 1. Ej inkommit", new_page=True)
    if missing.empty:
        body.text("Alla nämnder och styrelser har redovisat.")
        return
    body.text(
        f"Det var {swedish.count_words(len(missing), *_BOARDS)} som inte hade lämnat någon "
        "godkänd redovisning när uppföljningen sammanställdes."
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
