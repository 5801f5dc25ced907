"""The board's personalized Word template (DESIGN.md §4 "The board's template").

`build_template(config, cycle, board)` returns the .docx bytes: custom properties that identify it,
the reference code in the footer, short Swedish instructions, one `Strategiområde N` heading and
activity table per strategy area (Status as a dropdown content control), key figures, free-text
sections and the board's decision. Same inputs, same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from lxml import etree

from flows.bodies import DEFINITE_FORMS, words_for
from flows.documents import ooxml
from flows.documents.carry_forward import CarriedActivity, carried_activities, last_year_note
from flows.documents.ooxml import el, val
from flows.documents.template_styles import (
    BOX_BORDER,
    BOX_FILL,
    FONT_TABLE_XML,
    HEADER_FILL,
    LABEL_FILL,
    NUMBERING_XML,
    SETTINGS_XML,
    STYLES_XML,
    THEME_XML,
)
from flows.model import (
    STATUSES,
    Area,
    Board,
    Config,
    Cycle,
    KeyFigure,
    ParsedTemplate,
    Strategy,
)
from flows.references import reference_code
from flows.swedish import listing, long_date

# --------------------------------------------------------------------------- what readers rely on

PROP_CYCLE = "followup_cycle"
PROP_BOARD = "followup_board"
PROP_TEMPLATE_VERSION = "followup_template_version"
PROP_REF = "followup_ref"

AREA_HEADING = "Strategiområde {number}"  # the default; a strategy's `area_label` replaces it
ACTIVITY_HEADERS = ("Nr", "Aktivitet", "Ansvarig", "Tidsplan", "Status", "Kommentar/resultat")
INDICATOR_HEADERS = ("Nyckeltal", "Värde", "Kommentar")
INDICATOR_HEADING = "Nyckeltal"
ANALYSIS_HEADING = "Sammanfattande analys"
SUPPORT_HEADING = "Behov av stöd"
DECISION_LABELS = ("Beslutsdatum", "Paragraf")

STATUS_TAG = "followup:status"
DECISION_DATE_TAG = "followup:decision-date"
STATUS_PLACEHOLDER = "Välj status"
DATE_PLACEHOLDER = "Välj datum"

ANALYSIS_HINT = (
    "Hur har arbetet gått under året? Vad har gett resultat, och vad behöver {who} arbeta "
    "vidare med?"
)
SUPPORT_HINT = (
    "Behöver {who} stöd från {office} i det fortsatta arbetet, till exempel utbildning, "
    "material eller samordning?"
)

EMPTY_ACTIVITY_ROWS = 2
EMPTY_ROWS_WITHOUT_PLAN = 3

# --------------------------------------------------------------------------- page geometry (twips)

PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838  # A4
MARGIN_LEFT = MARGIN_RIGHT = 1418  # 2.5 cm
MARGIN_TOP, MARGIN_BOTTOM = 1304, 1134
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 9070
ACTIVITY_WIDTHS = (560, 2250, 1600, 1100, 1310, 2250)
INDICATOR_WIDTHS = (4270, 1400, 3400)
DECISION_WIDTHS = (2000, 3000)
ANSWER_BOX_HEIGHT = 1700

assert sum(ACTIVITY_WIDTHS) == TEXT_WIDTH and sum(INDICATOR_WIDTHS) == TEXT_WIDTH


_DECISION_WORDS = {"date": "datum", "paragraph": "paragraf"}


def area_heading(strategy: Strategy, area: Area) -> str:
    """`Strategiområde 2` or, with a title, `Målområde 2. Likvärdig service` (readers take the
    label and the number)."""
    heading = strategy.area_heading(area.number)
    return f"{heading}. {area.title}" if area.title else heading


def indicator_label(figure: KeyFigure) -> str:
    """The key figure's name as printed, with its unit: `Andel kvinnor bland chefer (procent)`."""
    return f"{figure.name} ({figure.unit})" if figure.unit else figure.name


def template_properties(cycle: Cycle, board: Board) -> dict[str, str | int]:
    """The custom document properties that identify a board's template."""
    return {
        PROP_CYCLE: cycle.id,
        PROP_BOARD: board.id,
        PROP_TEMPLATE_VERSION: cycle.template_version,
        PROP_REF: reference_code(cycle, board),
    }


def no_activities_hint(who: str) -> str:
    return (
        f"Handlingsplanen har inga aktiviteter inom området. Har {who} gjort något som hör "
        "hit? Skriv det i tabellen."
    )


def guidance_texts(config: Config) -> frozenset[str]:
    """The template's own words outside its tables, for every kind of board: the hints under
    the free-text headings and each area's goal, description and hint. Never an answer."""
    office = config.municipality.office.lower()
    earlier = (
        text
        for who in ("nämnden", "styrelsen")
        for text in (ANALYSIS_HINT.format(who=who), SUPPORT_HINT.format(who=who, office=office))
    )
    configured = (
        section.hint
        for strategy in config.strategies.values()
        for section in strategy.sections
        if section.hint
    )
    areas = (
        text
        for strategy in config.strategies.values()
        for area in strategy.areas
        for text in (f"Mål: {area.goal}", area.description)
        if text
    )
    empty_areas = (no_activities_hint(who) for who in DEFINITE_FORMS)
    return frozenset((*earlier, *configured, *areas, *empty_areas))


def build_template(
    config: Config, cycle: Cycle, board: Board, last_year: ParsedTemplate | None = None
) -> bytes:
    """The board's template as .docx bytes. `last_year` is the board's answer to the previous
    cycle (its latest valid submission), if it gave one: its unfinished activities come back
    pre-filled and every activity it reported shows last year's status and comment."""
    strategy = config.strategy_of(cycle)
    ref = reference_code(cycle, board)
    timestamp = _issued_at(cycle)
    body = _Body(config, cycle, board, strategy, ref, last_year)
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", _content_types()),
        ("_rels/.rels", _package_rels()),
        ("docProps/core.xml", _core(config, cycle, board, strategy, ref, timestamp)),
        (
            "docProps/app.xml",
            ooxml.extended_properties(application="followup", company=config.municipality.name),
        ),
        ("docProps/custom.xml", ooxml.custom_properties(template_properties(cycle, board))),
        ("word/document.xml", ooxml.to_xml(body.document())),
        ("word/_rels/document.xml.rels", _document_rels()),
        ("word/styles.xml", STYLES_XML.encode()),
        ("word/numbering.xml", NUMBERING_XML.encode()),
        ("word/settings.xml", SETTINGS_XML.encode()),
        ("word/fontTable.xml", FONT_TABLE_XML.encode()),
        ("word/theme/theme1.xml", THEME_XML.encode()),
        ("word/header1.xml", ooxml.to_xml(body.header())),
        ("word/footer1.xml", ooxml.to_xml(body.footer())),
    ]
    return ooxml.write_package(parts, timestamp=timestamp)


def _issued_at(cycle: Cycle) -> dt.datetime:
    """A fixed timestamp: the morning the invitation goes out."""
    day = cycle.deadline - dt.timedelta(weeks=cycle.plan.invitation_weeks_before)
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC)


# --------------------------------------------------------------------------- package plumbing


def _content_types() -> bytes:
    return ooxml.content_types(
        {
            "rels": "application/vnd.openxmlformats-package.relationships+xml",
            "xml": "application/xml",
        },
        {
            "/word/document.xml": ooxml.CT_DOCUMENT,
            "/word/styles.xml": ooxml.CT_STYLES,
            "/word/numbering.xml": ooxml.CT_NUMBERING,
            "/word/settings.xml": ooxml.CT_SETTINGS,
            "/word/fontTable.xml": ooxml.CT_FONT_TABLE,
            "/word/theme/theme1.xml": ooxml.CT_THEME,
            "/word/header1.xml": ooxml.CT_HEADER,
            "/word/footer1.xml": ooxml.CT_FOOTER,
            "/docProps/core.xml": ooxml.CT_CORE,
            "/docProps/app.xml": ooxml.CT_EXTENDED,
            "/docProps/custom.xml": ooxml.CT_CUSTOM,
        },
    )


def _package_rels() -> bytes:
    return ooxml.relationships(
        [
            ("rId1", ooxml.REL_OFFICE_DOCUMENT, "word/document.xml"),
            ("rId2", ooxml.REL_CORE, "docProps/core.xml"),
            ("rId3", ooxml.REL_EXTENDED, "docProps/app.xml"),
            ("rId4", ooxml.REL_CUSTOM, "docProps/custom.xml"),
        ]
    )


def _document_rels() -> bytes:
    return ooxml.relationships(
        [
            ("rId1", ooxml.REL_STYLES, "styles.xml"),
            ("rId2", ooxml.REL_NUMBERING, "numbering.xml"),
            ("rId3", ooxml.REL_SETTINGS, "settings.xml"),
            ("rId4", ooxml.REL_HEADER, "header1.xml"),
            ("rId5", ooxml.REL_FOOTER, "footer1.xml"),
            ("rId6", ooxml.REL_FONT_TABLE, "fontTable.xml"),
            ("rId7", ooxml.REL_THEME, "theme/theme1.xml"),
        ]
    )


def _core(
    config: Config, cycle: Cycle, board: Board, strategy: Strategy, ref: str, stamp: dt.datetime
) -> bytes:
    return ooxml.core_properties(
        title=f"Uppföljning av {strategy.short_title} {cycle.year} – {board.name}",
        subject=strategy.title,
        creator=f"{config.municipality.name}, {config.municipality.office}",
        keywords=f"{ref}; {cycle.id}; {board.id}",
        timestamp=stamp,
    )


# --------------------------------------------------------------------------- paragraphs and runs


def run(text: str, *, bold: bool = False, style: str | None = None) -> etree._Element:
    props = el(
        "w:rPr", None, val("w:rStyle", style) if style else None, el("w:b") if bold else None
    )
    return el("w:r", None, props if len(props) else None, ooxml.text_element(text))


def line_break() -> etree._Element:
    return el("w:r", None, el("w:br"))


def paragraph(
    *content: str | etree._Element, style: str | None = None, keep_next: bool = False
) -> etree._Element:
    props = el(
        "w:pPr",
        None,
        val("w:pStyle", style) if style else None,
        el("w:keepNext") if keep_next else None,
    )
    p = el("w:p", None, props if len(props) else None)
    for item in content:
        p.append(run(item) if isinstance(item, str) else item)
    return p


def field(instruction: str, cached: str) -> etree._Element:
    """A simple field (PAGE, NUMPAGES) with its cached result."""
    return el("w:fldSimple", {"w:instr": f" {instruction} "}, run(cached))


class _Ids:
    """Content-control ids: unique per document and the same on every build."""

    def __init__(self) -> None:
        self._next = 100

    def __call__(self) -> int:
        self._next += 1
        return self._next


def status_control(ids: _Ids, statuses: Sequence[str] = STATUSES) -> etree._Element:
    """The Status dropdown, empty: placeholder text shown, no item chosen."""
    items = [el("w:listItem", {"w:displayText": s, "w:value": s}) for s in statuses]
    props = el(
        "w:sdtPr",
        None,
        val("w:alias", "Status"),
        val("w:tag", STATUS_TAG),
        val("w:id", ids()),
        el("w:showingPlcHdr"),
        el("w:dropDownList", None, *items),
    )
    content = el("w:sdtContent", None, run(STATUS_PLACEHOLDER, style="PlaceholderText"))
    return el("w:sdt", None, props, content)


def date_control(ids: _Ids) -> etree._Element:
    """A date picker (yyyy-MM-dd, Swedish calendar), empty."""
    props = el(
        "w:sdtPr",
        None,
        val("w:alias", "Beslutsdatum"),
        val("w:tag", DECISION_DATE_TAG),
        val("w:id", ids()),
        el("w:showingPlcHdr"),
        el(
            "w:date",
            None,
            val("w:dateFormat", "yyyy-MM-dd"),
            val("w:lid", "sv-SE"),
            val("w:storeMappedDataAs", "dateTime"),
            val("w:calendar", "gregorian"),
        ),
    )
    content = el("w:sdtContent", None, run(DATE_PLACEHOLDER, style="PlaceholderText"))
    return el("w:sdt", None, props, content)


# --------------------------------------------------------------------------- tables


def _borders(tag: str, color: str, size: int = 4) -> etree._Element:
    sides = ("top", "left", "bottom", "right")
    return el(
        tag,
        None,
        *[
            el(f"w:{s}", {"w:val": "single", "w:sz": size, "w:space": 0, "w:color": color})
            for s in sides
        ],
    )


def table(
    widths: Sequence[int],
    rows: Sequence[etree._Element],
    *,
    caption: str,
    header: bool = True,
) -> etree._Element:
    look = {
        "w:firstRow": 1 if header else 0,
        "w:lastRow": 0,
        "w:firstColumn": 0,
        "w:lastColumn": 0,
        "w:noHBand": 1,
        "w:noVBand": 1,
        "w:val": "0420" if header else "0400",
    }
    props = el(
        "w:tblPr",
        None,
        val("w:tblStyle", "FollowupTable"),
        el("w:tblW", {"w:w": sum(widths), "w:type": "dxa"}),
        el("w:tblLayout", {"w:type": "fixed"}),
        el("w:tblLook", look),
        val("w:tblCaption", caption),
    )
    grid = el("w:tblGrid", None, *[el("w:gridCol", {"w:w": w}) for w in widths])
    return el("w:tbl", None, props, grid, *rows)


def row(
    cells: Sequence[etree._Element], *, header: bool = False, min_height: int | None = None
) -> etree._Element:
    # Only the header row is kept whole: Word clips a no-split row taller than a page, and a
    # board's comment can be that long.
    props = el(
        "w:trPr",
        None,
        el("w:cantSplit") if header else None,
        el("w:trHeight", {"w:val": min_height, "w:hRule": "atLeast"}) if min_height else None,
        el("w:tblHeader") if header else None,
    )
    return el("w:tr", None, props if len(props) else None, *cells)


def cell(
    width: int,
    *content: etree._Element,
    fill: str | None = None,
    style: str = "TableText",
    span: int = 1,
) -> etree._Element:
    props = el(
        "w:tcPr",
        None,
        el("w:tcW", {"w:w": width, "w:type": "dxa"}),
        val("w:gridSpan", span) if span > 1 else None,
        el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill}) if fill else None,
        val("w:vAlign", "top"),
    )
    paragraphs = list(content) or [paragraph(style=style)]
    return el("w:tc", None, props, *paragraphs)


def header_row(headers: Sequence[str], widths: Sequence[int]) -> etree._Element:
    cells = [
        cell(w, paragraph(h, style="TableHeading"), fill=HEADER_FILL)
        for h, w in zip(headers, widths, strict=True)
    ]
    return row(cells, header=True)


def question_row(hint: str, widths: Sequence[int]) -> etree._Element:
    """The section's guidance as the first row of its table, across every column and kept
    whole: LibreOffice (7.4) keeps a heading with the table right after it, but not always
    through a paragraph between them (the heading was left at the foot of a page)."""
    return row(
        [cell(sum(widths), paragraph(hint, style="Hint"), fill=LABEL_FILL, span=len(widths))],
        header=True,
    )


def activity_row(
    activity: CarriedActivity | None,
    ids: _Ids,
    last_year: int | None = None,
    statuses: Sequence[str] = STATUSES,
) -> etree._Element:
    texts = (
        (activity.nr, activity.activity, activity.responsible, activity.timeframe)
        if activity
        else ("", "", "", "")
    )
    widths = ACTIVITY_WIDTHS
    cells = [
        cell(w, paragraph(t, style="TableText") if t else paragraph(style="TableText"))
        for t, w in zip(texts, widths[:4], strict=True)
    ]
    if activity is not None and activity.last_year is not None and last_year is not None:
        note = last_year_note(activity.last_year, last_year)
        cells[1].append(paragraph(note, style="LastYear"))
    cells.append(cell(widths[4], paragraph(status_control(ids, statuses), style="TableText")))
    cells.append(cell(widths[5]))
    return row(cells)


# --------------------------------------------------------------------------- the document


class _Body:
    def __init__(
        self,
        config: Config,
        cycle: Cycle,
        board: Board,
        strategy: Strategy,
        ref: str,
        last_year: ParsedTemplate | None = None,
    ) -> None:
        self.config = config
        self.cycle = cycle
        self.board = board
        self.strategy = strategy
        self.ref = ref
        self.last_year = last_year
        previous = config.cycles.get(cycle.previous) if cycle.previous else None
        self.last_year_number = previous.year if previous else cycle.year - 1
        self.ids = _Ids()
        self.who = words_for(board).definite

    def document(self) -> etree._Element:
        body = el("w:body", None, *self._blocks(), self._section())
        return el("w:document", None, body)

    def _blocks(self) -> Iterator[etree._Element]:
        yield from self._title()
        yield self._instructions()
        planned = carried_activities(
            self.config.planned_activities(self.cycle, self.board.id),
            self.last_year.activities if self.last_year else None,
        )
        statuses = self.strategy.status_values
        for area in self.strategy.areas:
            activities = [a for a in planned if a.area == area.number]
            yield paragraph(area_heading(self.strategy, area), style="Heading1", keep_next=True)
            # One paragraph between the heading and its table: LibreOffice (7.4) keeps a heading
            # with a table only across a short chain; with goal, description and hint as three
            # paragraphs the heading and goal could be left at the foot of a page.
            notes = [area.description] if area.description else []
            if not activities:
                notes.append(no_activities_hint(self.who))
            yield paragraph(
                run("Mål: ", bold=True),
                area.goal,
                *[part for note in notes for part in (line_break(), run(note, style="HintText"))],
                style="Goal",
                keep_next=True,
            )
            empty = EMPTY_ACTIVITY_ROWS if activities else EMPTY_ROWS_WITHOUT_PLAN
            rows = [header_row(ACTIVITY_HEADERS, ACTIVITY_WIDTHS)]
            rows += [activity_row(a, self.ids, self.last_year_number, statuses) for a in activities]
            rows += [activity_row(None, self.ids, statuses=statuses) for _ in range(empty)]
            label = self.strategy.area_heading(area.number)
            yield table(
                ACTIVITY_WIDTHS, rows, caption=f"Aktiviteter inom {label[:1].lower()}{label[1:]}"
            )
        if self.strategy.indicators:
            yield from self._indicators()
        for section in self.strategy.sections:
            yield from self._free_text(section.title, section.hint)
        if self.strategy.decision_fields:
            yield from self._decision()
        municipality = self.config.municipality
        yield paragraph(
            f"Tack för er redovisning! {municipality.office}, {municipality.name}",
            style="Closing",
        )

    def _title(self) -> Iterator[etree._Element]:
        deadline = long_date(self.cycle.deadline)
        yield paragraph(f"Uppföljning av {self.strategy.title}", style="Title")
        yield paragraph(words_for(self.board).name, style="Subtitle")
        facts = [
            ("Sista svarsdag: ", deadline),
            ("Redovisningen avser: ", f"verksamhetsåret {self.cycle.year}"),
            ("Referens: ", self.ref),
        ]
        if self.cycle.diary_number:
            facts.append(("Diarienummer: ", self.cycle.diary_number))
        for i, (label, value) in enumerate(facts, start=1):
            yield paragraph(
                run(label, bold=True), value, style="FactsLast" if i == len(facts) else "Facts"
            )

    def _instructions(self) -> etree._Element:
        municipality = self.config.municipality
        coordinator = municipality.coordinator
        deadline = long_date(self.cycle.deadline)
        statuses = listing(list(self.strategy.status_values), "eller")
        decision = listing([_DECISION_WORDS[f] for f in self.strategy.decision_fields])
        parts = ["nyckeltalen"] if self.strategy.indicators else []
        parts += [s.title[:1].lower() + s.title[1:] for s in self.strategy.sections]
        if self.strategy.decision_fields:
            parts.append(f"{decision} för {words_for(self.board).genitive} beslut")
        bullets = [
            f"Fyll i Status för varje aktivitet – välj {statuses} i listan – och skriv gärna "
            "en kort kommentar om vad som gjordes och vad det gav.",
            f"Har {self.who} gjort fler aktiviteter? Skriv dem i de tomma raderna eller lägg "
            "till nya rader i tabellen.",
            f"Fyll i {listing(parts)}.",
            "Ändra inte rubrikerna eller tabellernas kolumner, och spara filen som "
            "Word-dokument (.docx).",
            f"Svara på e-postmeddelandet med den ifyllda filen bifogad senast den {deadline}. "
            f"Har ni inte kvar meddelandet? Skicka filen till {municipality.mailbox} och "
            f"skriv referensen {self.ref} i ämnesraden.",
            f"Frågor? Kontakta {coordinator.name}"
            + (f", {coordinator.title.lower()}" if coordinator.title else "")
            + f", {coordinator.email}.",
        ]
        paragraphs = [paragraph("Så fyller ni i mallen", style="BoxHeading")]
        paragraphs += [paragraph(b, style="BoxBullet") for b in bullets]
        box = cell(TEXT_WIDTH, *paragraphs, fill=BOX_FILL)
        tc_pr = box.find(ooxml.qn("w:tcPr"))
        assert tc_pr is not None
        tc_pr.insert(1, _borders("w:tcBorders", BOX_BORDER))
        return table([TEXT_WIDTH], [row([box])], caption="Instruktioner", header=False)

    def _indicators(self) -> Iterator[etree._Element]:
        yield paragraph(INDICATOR_HEADING, style="Heading1", keep_next=True)
        hint = (
            f"Ange värdet för {self.cycle.year} som en siffra. Saknas uppgiften, lämna "
            "värdet tomt och förklara i kommentaren."
        )
        rows = [
            question_row(hint, INDICATOR_WIDTHS),
            header_row(INDICATOR_HEADERS, INDICATOR_WIDTHS),
        ]
        for figure in self.strategy.indicators:
            rows.append(
                row(
                    [
                        cell(
                            INDICATOR_WIDTHS[0],
                            paragraph(indicator_label(figure), style="TableText"),
                        ),
                        cell(INDICATOR_WIDTHS[1]),
                        cell(INDICATOR_WIDTHS[2]),
                    ]
                )
            )
        # the guidance row comes first, so the first-row look (bold) is off; headings are styled
        yield table(INDICATOR_WIDTHS, rows, caption="Nyckeltal", header=False)

    def _free_text(self, heading: str, hint: str) -> Iterator[etree._Element]:
        yield paragraph(heading, style="Heading1", keep_next=True)
        box = cell(TEXT_WIDTH, paragraph(style="AnswerText"))
        yield table(
            [TEXT_WIDTH],
            [question_row(hint, [TEXT_WIDTH]), row([box], min_height=ANSWER_BOX_HEIGHT)],
            caption=heading,
            header=False,
        )

    def _decision(self) -> Iterator[etree._Element]:
        words = words_for(self.board)
        fields = self.strategy.decision_fields
        yield paragraph(f"{words.genitive_capitalized} beslut", style="Heading1", keep_next=True)
        asked = listing(
            (["datum för sammanträdet"] if "date" in fields else [])
            + (["paragrafen i protokollet"] if "paragraph" in fields else [])
        )
        hint = f"Uppföljningen ska vara beslutad av {self.who}. Ange {asked}."
        label_w, value_w = DECISION_WIDTHS
        date_row, paragraph_row = (
            row(
                [
                    cell(
                        label_w,
                        paragraph(DECISION_LABELS[0], style="TableHeading"),
                        fill=LABEL_FILL,
                    ),
                    cell(value_w, paragraph(date_control(self.ids), style="TableText")),
                ]
            ),
            row(
                [
                    cell(
                        label_w,
                        paragraph(DECISION_LABELS[1], style="TableHeading"),
                        fill=LABEL_FILL,
                    ),
                    cell(value_w),
                ]
            ),
        )
        rows = [question_row(hint, DECISION_WIDTHS)]
        rows += [date_row] if "date" in fields else []
        rows += [paragraph_row] if "paragraph" in fields else []
        yield table(
            DECISION_WIDTHS, rows, caption=f"{words.genitive_capitalized} beslut", header=False
        )

    def _section(self) -> etree._Element:
        return el(
            "w:sectPr",
            None,
            el("w:headerReference", {"w:type": "default", "r:id": "rId4"}),
            el("w:footerReference", {"w:type": "default", "r:id": "rId5"}),
            el("w:pgSz", {"w:w": PAGE_WIDTH, "w:h": PAGE_HEIGHT}),
            el(
                "w:pgMar",
                {
                    "w:top": MARGIN_TOP,
                    "w:right": MARGIN_RIGHT,
                    "w:bottom": MARGIN_BOTTOM,
                    "w:left": MARGIN_LEFT,
                    "w:header": 567,
                    "w:footer": 567,
                    "w:gutter": 0,
                },
            ),
            el("w:cols", {"w:space": 708}),
            el("w:docGrid", {"w:linePitch": 360}),
        )

    def header(self) -> etree._Element:
        municipality = self.config.municipality
        return el(
            "w:hdr",
            None,
            paragraph(
                f"{municipality.name} · {municipality.office}",
                el("w:r", None, el("w:tab")),
                f"Uppföljning {self.strategy.short_title} {self.cycle.year}",
                style="Header",
            ),
        )

    def footer(self) -> etree._Element:
        return el(
            "w:ftr",
            None,
            paragraph(
                "Referens: ",
                run(self.ref, bold=True),
                f" · {self.board.name} · {self.config.municipality.name} · Sida ",
                field("PAGE", "1"),
                " av ",
                field("NUMPAGES", "1"),
                style="Footer",
            ),
        )
