"""Generators for the edge-case Word documents the reader must handle.

Each fixture is a small .docx written as raw WordprocessingML, so a test can put exactly the
construct it is about (a tracked deletion, a content control around a row, a vertical merge …) into
an otherwise ordinary filled-in template, and knows what a person sees in it (`expected`).
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from flows.documents import template
from flows.model import ActivityRow, Config, ParsedTemplate, Status
from flows.references import reference_code

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'mc:Ignorable="w14 wps"'
)

# The template's own hints under the free-text headings, as a nämnd's template has them.
ANALYSIS_HINT = template.ANALYSIS_HINT.format(who="nämnden")
SUPPORT_HINT = template.SUPPORT_HINT.format(who="nämnden", office="kommunledningskontoret")

BOARD = "kultur-och-fritidsnamnden"
CYCLE = "hbtqia-2026"
HEADERS = ("Nr", "Aktivitet", "Ansvarig", "Tidsplan", "Status", "Kommentar/resultat")


# --------------------------------------------------------------------------- WordprocessingML


def t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def r(text: str = "", rpr: str = "") -> str:
    """A run; `text` may contain \\n (soft break) and \\t (tab)."""
    inner = []
    for i, line in enumerate(text.split("\n")):
        if i:
            inner.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                inner.append("<w:tab/>")
            if piece:
                inner.append(t(piece))
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f"<w:r>{props}{''.join(inner)}</w:r>"


def p(content: str = "", style: str = "", ppr: str = "") -> str:
    """A paragraph; plain text is turned into a run, XML (starting with '<') is kept."""
    runs = content if content.startswith("<") else (r(content) if content else "")
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    props += ppr
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{runs}</w:p>"


def tc(content: str = "", span: int = 1, vmerge: str | None = None, tcpr: str = "") -> str:
    """A cell; `content` is text (one paragraph) or block XML."""
    blocks = (
        content if content.startswith("<w:") and not content.startswith("<w:r>") else p(content)
    )
    props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if vmerge is not None:
        props += f'<w:vMerge w:val="{vmerge}"/>' if vmerge else "<w:vMerge/>"
    props += tcpr
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{blocks}</w:tc>"


def tr(cells: Sequence[str], header: bool = False, trpr: str = "") -> str:
    props = ("<w:tblHeader/>" if header else "") + trpr
    return f"<w:tr>{f'<w:trPr>{props}</w:trPr>' if props else ''}{''.join(cells)}</w:tr>"


def tbl(rows: Sequence[str], grid: int | None = 6) -> str:
    grid_xml = "<w:tblGrid>" + '<w:gridCol w:w="1500"/>' * grid + "</w:tblGrid>" if grid else ""
    props = '<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
    return f"<w:tbl>{props}{grid_xml}{''.join(rows)}</w:tbl>"


def sdt(
    content: str, *, placeholder: bool = False, dropdown: Sequence[str] = (), combo: bool = False
) -> str:
    """A content control around `content` (runs, cells, rows or blocks)."""
    props = ""
    if placeholder:
        props += "<w:showingPlcHdr/>"
    if dropdown:
        items = "".join(
            f"<w:listItem w:displayText={quoteattr(d)} w:value={quoteattr(d)}/>" for d in dropdown
        )
        props += (
            f"<w:comboBox>{items}</w:comboBox>"
            if combo
            else f"<w:dropDownList>{items}</w:dropDownList>"
        )
    return f"<w:sdt><w:sdtPr>{props}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def header_row(headers: Sequence[str] = HEADERS) -> str:
    return tr([tc(h) for h in headers], header=True)


def status_dropdown(value: str) -> str:
    """The Status cell's paragraph as Word writes it after a choice in the dropdown."""
    return p(sdt(r(value), dropdown=("Genomförd", "Pågående", "Ej påbörjad", "Utgår")))


# --------------------------------------------------------------------------- a whole template


@dataclass(frozen=True)
class Activity:
    area: int
    nr: str
    activity: str
    responsible: str = ""
    timeframe: str = ""
    status: str = ""
    comment: str = ""
    expected_status: Status | None = None


ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        1,
        "1.1",
        "Hbtqia+-perspektiv i villkoren för föreningsbidrag",
        "Föreningskonsulent",
        "2026",
        "Genomförd",
        "Nya villkor antogs i mars.",
        "Genomförd",
    ),
    Activity(
        2,
        "2.1",
        "Normkritisk utbildning för bibliotekspersonal",
        "Bibliotekschef",
        "Våren 2026",
        "Pågående",
        "Två av tre grupper har gått utbildningen.",
        "Pågående",
    ),
    Activity(
        4,
        "4.1",
        "Pride-program på stadsbiblioteket och i fritidsgårdarna",
        "Kulturchef",
        "Augusti 2026",
        "Genomförd",
        "Tolv programpunkter, cirka 900 besökare.",
        "Genomförd",
    ),
    Activity(
        4,
        "4.2",
        "Regnbågsfritids – öppen mötesplats för unga hbtqia+-personer",
        "Fritidschef",
        "Varannan vecka",
        "Ej påbörjad",
        "Lokal saknas.",
        "Ej påbörjad",
    ),
)


def activity_cells(a: Activity) -> list[str]:
    return [
        tc(a.nr),
        tc(a.activity),
        tc(a.responsible),
        tc(a.timeframe),
        tc(status_dropdown(a.status)),
        tc(a.comment),
    ]


def activity_table(activities: Sequence[Activity], empty_rows: int = 1) -> str:
    rows = [header_row()]
    rows += [tr(activity_cells(a)) for a in activities]
    rows += [tr([tc("") for _ in HEADERS]) for _ in range(empty_rows)]
    return tbl(rows)


TableMaker = Callable[[int, Sequence[Activity]], str]


def default_table(area: int, activities: Sequence[Activity]) -> str:
    return activity_table(activities)


@dataclass
class Answers:
    indicators: Sequence[tuple[str, str, str]] = (
        ("Antal medarbetare som gått hbtqia+-utbildning", "1 234", ""),
        ("Antal aktiviteter under Pride", "12", "Under Pride-veckan"),
    )
    analysis: str = "Arbetet har gått bra.\nFler grupper ska utbildas."
    support: str = "Stöd med utbildningsmaterial."
    decision_date: str = "2027-03-12"
    decision_paragraph: str = "§ 34"


def template_body(
    activities: Sequence[Activity] = ACTIVITIES,
    *,
    table: TableMaker = default_table,
    answers: Answers | None = None,
    areas: int = 4,
) -> str:
    """A filled-in template's body, laid out as DESIGN.md §4 describes."""
    answers = answers or Answers()
    blocks = [
        p("Uppföljning av På lika villkor – Hbtqia+-strategi 2024–2026", "Title"),
        p("Kultur- och fritidsnämnden", "Subtitle"),
        tbl([tr([tc(p("Så fyller ni i mallen") + p("Fyll i Status för varje aktivitet."))])], 1),
    ]
    for area in range(1, areas + 1):
        blocks.append(p(f"Strategiområde {area}", "Heading1"))
        blocks.append(p(f"Mål: målet för område {area}.", "Goal"))
        blocks.append(table(area, [a for a in activities if a.area == area]))
    blocks.append(p("Nyckeltal", "Heading1"))
    blocks.append(p("Ange värdet som en siffra.", "Hint"))
    indicator_rows = [header_row(("Nyckeltal", "Värde", "Kommentar"))]
    indicator_rows += [tr([tc(n), tc(v), tc(c)]) for n, v, c in answers.indicators]
    blocks.append(tbl(indicator_rows, 3))
    for heading, hint, text in (
        ("Sammanfattande analys", ANALYSIS_HINT, answers.analysis),
        ("Behov av stöd", SUPPORT_HINT, answers.support),
    ):
        blocks.append(p(heading, "Heading1"))
        blocks.append(p(hint, "Hint"))
        blocks.append(tbl([tr([tc("".join(p(line) for line in text.split("\n")) or p())])], 1))
    blocks.append(p("Nämndens beslut", "Heading1"))
    blocks.append(
        tbl(
            [
                tr([tc("Beslutsdatum"), tc(answers.decision_date)]),
                tr([tc("Paragraf"), tc(answers.decision_paragraph)]),
            ],
            2,
        )
    )
    return "".join(blocks)


# --------------------------------------------------------------------------- the package


def properties_for(config: Config, board: str = BOARD, cycle: str = CYCLE) -> dict[str, str]:
    return {
        "followup_cycle": cycle,
        "followup_board": board,
        "followup_template_version": "1",
        "followup_ref": reference_code(config.cycles[cycle], config.boards[board]),
    }


def _custom_xml(properties: dict[str, str]) -> str:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" '
        f"name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for i, (name, value) in enumerate(properties.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    )


def document_xml(body: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f"<w:document {NS}><w:body>{body}"
        '<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/></w:sectPr>'
        "</w:body></w:document>"
    )


def package(
    body: str,
    *,
    properties: dict[str, str] | None = None,
    footer: str = "",
    document: str | None = None,
) -> bytes:
    """A .docx: the body, optional custom properties and a footer paragraph."""
    parts: dict[str, str] = {}
    overrides = [
        (
            "/word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        ),
        (
            "/word/footer1.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
        ),
    ]
    package_rels = [
        (
            "rId1",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
            "word/document.xml",
        ),
    ]
    if properties is not None:
        parts["docProps/custom.xml"] = _custom_xml(properties)
        overrides.append(
            (
                "/docProps/custom.xml",
                "application/vnd.openxmlformats-officedocument.custom-properties+xml",
            )
        )
        package_rels.append(
            (
                "rId2",
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties",
                "docProps/custom.xml",
            )
        )
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{n}" ContentType="{c}"/>' for n, c in overrides)
        + "</Types>"
    )
    parts["_rels/.rels"] = _rels(package_rels)
    parts["word/_rels/document.xml.rels"] = _rels(
        [
            (
                "rIdFooter",
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer",
                "footer1.xml",
            )
        ]
    )
    parts["word/footer1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {NS}>{p(footer)}</w:ftr>'
    )
    parts["word/document.xml"] = document if document is not None else document_xml(body)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (
            "[Content_Types].xml",
            *sorted(n for n in parts if n != "[Content_Types].xml"),
        ):
            archive.writestr(name, parts[name])
    return buffer.getvalue()


def with_document_xml(docx: bytes, change: Callable[[str], str]) -> bytes:
    """`docx` with its word/document.xml changed by `change`, every other part as it was:
    what a person's editing does to one of our generated templates."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return out.getvalue()


def _rels(rels: Sequence[tuple[str, str, str]]) -> str:
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}'
        "</Relationships>"
    )


def filled(
    config: Config, body: str | None = None, *, footer_ref: bool = True, props: bool = True
) -> bytes:
    """A filled-in template for the fixture board, with properties and the footer reference."""
    ref = reference_code(config.cycles[CYCLE], config.boards[BOARD])
    return package(
        body if body is not None else template_body(),
        properties=properties_for(config) if props else None,
        footer=f"Referens: {ref} · Kultur- och fritidsnämnden · Sida 1" if footer_ref else "",
    )


# --------------------------------------------------------------------------- edge cases


@dataclass
class Case:
    """An edge-case document and what a person sees in its activity tables."""

    name: str
    data: bytes
    expected: list[Activity] = field(default_factory=list)


def tracked_changes_table(area: int, activities: Sequence[Activity]) -> str:
    """Insertions, deletions, a move, an inserted row and a deleted row, all still tracked."""
    if area != 1:
        return activity_table(activities)
    a = activities[0]
    ins = '<w:ins w:id="1" w:author="Mats" w:date="2027-03-01T10:00:00Z">'
    dele = '<w:del w:id="2" w:author="Mats" w:date="2027-03-01T10:00:00Z">'
    status = p(
        f"{dele}<w:r><w:delText>Pågående</w:delText></w:r></w:del>{ins}{r('Genomförd')}</w:ins>"
    )
    comment = p(
        r("Nya villkor ")
        + f"{dele}<w:r><w:delText>föreslogs</w:delText></w:r></w:del>"
        + f"{ins}{r('antogs')}</w:ins>"
        + r(" i mars.")
        + '<w:moveFrom w:id="3" w:author="Mats"><w:r><w:t>Flyttad text.</w:t></w:r></w:moveFrom>'
    ) + p('<w:moveTo w:id="4" w:author="Mats">' + r("Flyttad text.") + "</w:moveTo>")
    inserted_row = tr(
        [
            tc("1.2"),
            tc("Ny aktivitet som lades till"),
            tc("Chef"),
            tc("2026"),
            tc(status_dropdown("Pågående")),
            tc(""),
        ],
        trpr='<w:ins w:id="5" w:author="Mats" w:date="2027-03-01T10:00:00Z"/>',
    )
    # Word marks a deleted row twice: the row (w:trPr/w:del) and every run in it (w:del).
    deleted = [
        tc(p(f"{dele}<w:r><w:delText>{escape(text)}</w:delText></w:r></w:del>"))
        for text in ("1.3", "Struken rad som inte ska läsas", "", "", "Utgår", "")
    ]
    deleted_row = tr(
        deleted, trpr='<w:del w:id="6" w:author="Mats" w:date="2027-03-01T10:00:00Z"/>'
    )
    # A deleted paragraph mark joins "Förenings" and "konsulent" into one line.
    responsible = (
        '<w:p><w:pPr><w:rPr><w:del w:id="7" w:author="Mats"/></w:rPr></w:pPr>'
        + r("Förenings")
        + "</w:p>"
        + p("konsulent")
    )
    rows = [
        header_row(),
        tr([tc(a.nr), tc(a.activity), tc(responsible), tc(a.timeframe), tc(status), tc(comment)]),
        inserted_row,
        deleted_row,
    ]
    return tbl(rows)


TRACKED_EXPECTED = [
    Activity(
        1,
        "1.1",
        "Hbtqia+-perspektiv i villkoren för föreningsbidrag",
        "Föreningskonsulent",
        "2026",
        "Genomförd",
        "Nya villkor antogs i mars.\nFlyttad text.",
        "Genomförd",
    ),
    Activity(1, "1.2", "Ny aktivitet som lades till", "Chef", "2026", "Pågående", "", "Pågående"),
]


def content_controls_table(area: int, activities: Sequence[Activity]) -> str:
    """Content controls around a run, a cell, a row, a block in a cell, and placeholders."""
    if area == 2:
        a = activities[0]
        cells = [
            tc(a.nr),
            sdt(tc(a.activity)),  # around a cell
            tc(p(sdt(r(a.responsible)))),  # around a run
            tc(a.timeframe),
            tc(p(sdt(r("Pågår"), dropdown=("Pågår", "Klar"), combo=True))),
            tc(sdt(p("Två av tre grupper") + p("har gått utbildningen."))),  # block in a cell
        ]
        placeholder = [
            tc("2.2"),
            tc("Aktivitet utan vald status"),
            tc(""),
            tc(""),
            tc(p(sdt(r("Välj status"), placeholder=True, dropdown=("Genomförd",)))),
            tc(sdt(p("Klicka här för att skriva text."), placeholder=True)),
        ]
        return tbl([header_row(), sdt(tr(cells)), tr(placeholder)])  # around a row
    if area == 4:
        return sdt(activity_table(activities))  # around a whole table
    return activity_table(activities)


CONTENT_CONTROLS_EXPECTED = [
    ACTIVITIES[0],
    Activity(
        2,
        "2.1",
        ACTIVITIES[1].activity,
        ACTIVITIES[1].responsible,
        ACTIVITIES[1].timeframe,
        "Pågår",
        "Två av tre grupper\nhar gått utbildningen.",
        "Pågående",
    ),
    Activity(2, "2.2", "Aktivitet utan vald status", "", "", "", "", None),
    ACTIVITIES[2],
    ACTIVITIES[3],
]


def _legacy_dropdown(entries: Sequence[str], result: int | None) -> str:
    chosen = f'<w:result w:val="{result}"/>' if result is not None else ""
    items = "".join(f'<w:listEntry w:val="{escape(e)}"/>' for e in entries)
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Status"/>'
        f"<w:enabled/><w:ddList>{chosen}{items}</w:ddList></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _legacy_text(value: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:enabled/>'
        "<w:textInput/></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + r(value)
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def legacy_fields_table(area: int, activities: Sequence[Activity]) -> str:
    if area != 1:
        return activity_table(activities)
    entries = ("Välj", "Genomförd", "Pågående", "Ej påbörjad", "Utgår")
    rows = [
        header_row(),
        tr(
            [
                tc("1.1"),
                tc(activities[0].activity),
                tc("Föreningskonsulent"),
                tc("2026"),
                tc(p(_legacy_dropdown(entries, 1))),
                tc(p(_legacy_text("Antogs i mars."))),
            ]
        ),
        tr(
            [
                tc("1.2"),
                tc("Andra aktiviteten"),
                tc(""),
                tc(""),
                tc(p(_legacy_dropdown(entries, 3))),
                tc(""),
            ]
        ),
        tr(
            [
                tc("1.3"),
                tc("Tredje aktiviteten, ingen vald"),
                tc(""),
                tc(""),
                tc(p(_legacy_dropdown(("Pågående", "Genomförd"), None))),
                tc(""),
            ]
        ),
    ]
    return tbl(rows)


LEGACY_EXPECTED = [
    Activity(
        1,
        "1.1",
        ACTIVITIES[0].activity,
        "Föreningskonsulent",
        "2026",
        "Genomförd",
        "Antogs i mars.",
        "Genomförd",
    ),
    Activity(1, "1.2", "Andra aktiviteten", "", "", "Ej påbörjad", "", "Ej påbörjad"),
    Activity(1, "1.3", "Tredje aktiviteten, ingen vald", "", "", "Pågående", "", "Pågående"),
    *ACTIVITIES[1:],
]


def merged_cells_table(area: int, activities: Sequence[Activity]) -> str:
    """gridSpan, vMerge, gridBefore/gridAfter and no tblGrid."""
    if area != 4:
        return activity_table(activities)
    a, b = activities
    rows = [
        header_row(),
        # Aktivitet spans Aktivitet + Ansvarig; Tidsplan merged downwards into the next row.
        tr(
            [
                tc(a.nr),
                tc(a.activity, span=2),
                tc("2026", vmerge="restart"),
                tc(status_dropdown(a.status)),
                tc(a.comment),
            ]
        ),
        tr(
            [
                tc(b.nr),
                tc(b.activity),
                tc(b.responsible),
                tc("", vmerge=""),
                tc(status_dropdown(b.status)),
                tc(b.comment),
            ]
        ),
        # Starts one grid column in (no Nr) and ends one early (no comment).
        tr(
            [
                tc("Pride-parad i samarbete med föreningar"),
                tc("Kulturchef"),
                tc("Augusti"),
                tc(status_dropdown("Genomförd")),
            ],
            trpr='<w:gridBefore w:val="1"/><w:gridAfter w:val="1"/>',
        ),
    ]
    return tbl(rows, grid=None)


MERGED_EXPECTED = [
    *ACTIVITIES[:2],
    Activity(
        4,
        "4.1",
        ACTIVITIES[2].activity,
        "",
        "2026",
        "Genomförd",
        ACTIVITIES[2].comment,
        "Genomförd",
    ),
    Activity(
        4,
        "4.2",
        ACTIVITIES[3].activity,
        ACTIVITIES[3].responsible,
        "2026",  # the Tidsplan cell above is merged down into this row
        "Ej påbörjad",
        ACTIVITIES[3].comment,
        "Ej påbörjad",
    ),
    Activity(
        4,
        "",
        "Pride-parad i samarbete med föreningar",
        "Kulturchef",
        "Augusti",
        "Genomförd",
        "",
        "Genomförd",
    ),
]

_TEXT_BOX = (
    '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
    "<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>"
    "{content}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic>"
    "</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
    "<w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r>"
)


def wrappers_table(area: int, activities: Sequence[Activity]) -> str:
    """Nested table, text box, smartTag/customXml/fldSimple wrappers and hidden text."""
    if area != 2:
        return activity_table(activities)
    a = activities[0]
    nested = tbl([tr([tc("Grupp 1"), tc("klar")]), tr([tc("Grupp 2"), tc("klar")])], 2)
    activity = p(
        '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">'
        + r("Normkritisk utbildning")
        + "</w:smartTag>"
        + '<w:customXml w:element="x">'
        + r(" för bibliotekspersonal")
        + "</w:customXml>"
        + r(" (dold anteckning)", rpr="<w:vanish/>")
        + r("", rpr='<w:vanish w:val="0"/>')
    )
    timeframe = p('<w:fldSimple w:instr=" DATE ">' + r("Våren 2026") + "</w:fldSimple>")
    status = p(r("Pågående") + _TEXT_BOX.format(content=p("se bilaga")))
    comment = (
        p("Två av tre grupper har gått utbildningen.")
        + nested
        + p('<w:hyperlink w:anchor="bilaga">' + r("Läs mer") + "</w:hyperlink>")
    )
    rows = [
        header_row(),
        tr([tc(a.nr), tc(activity), tc(a.responsible), tc(timeframe), tc(status), tc(comment)]),
    ]
    return tbl(rows)


WRAPPERS_EXPECTED = [
    ACTIVITIES[0],
    Activity(
        2,
        "2.1",
        ACTIVITIES[1].activity,
        ACTIVITIES[1].responsible,
        "Våren 2026",
        "Pågående\nse bilaga",
        "Två av tre grupper har gått utbildningen.\nGrupp 1 | klar\nGrupp 2 | klar\nLäs mer",
        "Pågående",
    ),
    *ACTIVITIES[2:],
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def whitespace_table(area: int, activities: Sequence[Activity]) -> str:
    """Soft breaks, tabs, non-breaking and zero-width spaces, decomposed å/ä/ö, bullets."""
    if area != 1:
        return activity_table(activities)
    bullet = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    activity = p(r(nfd("Hbtqia+-perspektiv i villkoren\nför föreningsbidrag")))
    responsible = p(r("Förenings\u00adkonsulent\u200b"))
    timeframe = p(r("\u00a02026\t "))
    status = p(r(nfd("  GENOMFÖRD\u00a0")))
    comment = (
        p(r(nfd("Villkoren ändrades:")))
        + p(r("nya krav"), ppr=bullet)
        + p(r("uppföljning\u2009varje år"), ppr=bullet)
        + p("")
    )
    return tbl(
        [
            header_row(),
            tr([tc("1.1"), tc(activity), tc(responsible), tc(timeframe), tc(status), tc(comment)]),
        ]
    )


WHITESPACE_EXPECTED = [
    Activity(
        1,
        "1.1",
        "Hbtqia+-perspektiv i villkoren\nför föreningsbidrag",
        "Föreningskonsulent",
        "2026",
        "GENOMFÖRD",
        "Villkoren ändrades:\nnya krav\nuppföljning varje år",
        "Genomförd",
    ),
    *ACTIVITIES[1:],
]


def continued_table(area: int, activities: Sequence[Activity]) -> str:
    """Area 4's table split in two (the second without header), a header repeated mid-table,
    and blank rows; area 2's table repeats its header rows at the top."""
    if area == 4:
        a, b = activities
        first = tbl(
            [
                header_row(),
                tr([tc(""), tc(""), tc(""), tc(""), tc(""), tc("")]),
                tr(activity_cells(a)),
                header_row(),
            ]
        )
        second = tbl([tr(activity_cells(b)), tr([tc("  ") for _ in HEADERS])])
        return first + p("") + second
    if area == 2:
        return tbl([header_row(), header_row(), *(tr(activity_cells(a)) for a in activities)])
    return activity_table(activities)


def reordered_table(area: int, activities: Sequence[Activity]) -> str:
    """Columns reordered, renamed, one added and one removed (Tidsplan)."""
    headers = (
        "Status",
        "Kommentar / resultat:",
        "AKTIVITET",
        "Nr.",
        "Kostnad (kr)",
        "Ansvarig enhet",
    )
    rows = [tr([tc(h) for h in headers], header=True)]
    for a in activities:
        rows.append(
            tr(
                [
                    tc(status_dropdown(a.status)),
                    tc(a.comment),
                    tc(a.activity),
                    tc(a.nr),
                    tc("5 000"),
                    tc(a.responsible),
                ]
            )
        )
    return tbl(rows)


REORDERED_EXPECTED = [
    Activity(a.area, a.nr, a.activity, a.responsible, "", a.status, a.comment, a.expected_status)
    for a in ACTIVITIES
]

FREE_TEXT_STATUSES: tuple[tuple[str, Status | None], ...] = (
    ("klar", "Genomförd"),
    ("Klart!", "Genomförd"),
    ("genomfört", "Genomförd"),
    ("PÅGÅR", "Pågående"),
    ("påbörjad", "Pågående"),
    ("Ej startad", "Ej påbörjad"),
    ("inte påbörjad", "Ej påbörjad"),
    ("Inställd", "Utgår"),
    ("struken", "Utgår"),
    ("Genomförd – se kommentar", "Genomförd"),
    ("Vet ej", None),
    ("", None),
)

FREE_TEXT_ACTIVITIES = [
    Activity(1, f"1.{i}", f"Aktivitet {i}", "", "", text, "", status)
    for i, (text, status) in enumerate(FREE_TEXT_STATUSES, start=1)
]


def merged_responsible_table(area: int, activities: Sequence[Activity]) -> str:
    """One person responsible for all of area 1: the Ansvarig cell merged down over every row,
    the template's empty row included (that row has nothing of its own and is no activity)."""
    if area != 1:
        return activity_table(activities)
    rows = [header_row()]
    for index, a in enumerate(MERGED_RESPONSIBLE_ACTIVITIES):
        responsible = (
            tc("Kultur- och fritidschef", vmerge="restart") if index == 0 else tc("", vmerge="")
        )
        rows.append(
            tr(
                [
                    tc(a.nr),
                    tc(a.activity),
                    responsible,
                    tc(a.timeframe),
                    tc(status_dropdown(a.status)),
                    tc(a.comment),
                ]
            )
        )
    rows.append(tr([tc(""), tc(""), tc("", vmerge=""), tc(""), tc(""), tc("")]))
    return tbl(rows)


MERGED_RESPONSIBLE_ACTIVITIES = [
    Activity(1, "1.1", "Kartlägga föreningsbidragen", "", "Våren", "Genomförd", "Klart i maj."),
    Activity(1, "1.2", "Utbilda handläggarna", "", "Hösten", "Pågående", ""),
    Activity(1, "1.3", "Ny bidragsregel", "", "2027", "Ej påbörjad", "Väntar på beslut."),
]
_CHEF = "Kultur- och fritidschef"
MERGED_RESPONSIBLE_EXPECTED = [
    Activity(
        1,
        "1.1",
        "Kartlägga föreningsbidragen",
        _CHEF,
        "Våren",
        "Genomförd",
        "Klart i maj.",
        "Genomförd",
    ),
    Activity(1, "1.2", "Utbilda handläggarna", _CHEF, "Hösten", "Pågående", "", "Pågående"),
    Activity(
        1,
        "1.3",
        "Ny bidragsregel",
        _CHEF,
        "2027",
        "Ej påbörjad",
        "Väntar på beslut.",
        "Ej påbörjad",
    ),
    *ACTIVITIES[1:],
]


def free_text_table(area: int, activities: Sequence[Activity]) -> str:
    rows = [header_row()]
    rows += [
        tr([tc(a.nr), tc(a.activity), tc(""), tc(""), tc(a.status), tc("")]) for a in activities
    ]
    return tbl(rows)


def _case(
    config: Config,
    name: str,
    table: TableMaker,
    expected: Sequence[Activity],
    activities: Sequence[Activity] = ACTIVITIES,
) -> Case:
    return Case(name, filled(config, template_body(activities, table=table)), list(expected))


def edge_cases(config: Config) -> list[Case]:
    """Every activity-table edge case, each in an otherwise ordinary filled-in template."""
    return [
        _case(config, "plain", default_table, ACTIVITIES),
        _case(
            config, "tracked_changes", tracked_changes_table, [*TRACKED_EXPECTED, *ACTIVITIES[1:]]
        ),
        _case(config, "content_controls", content_controls_table, CONTENT_CONTROLS_EXPECTED),
        _case(config, "legacy_form_fields", legacy_fields_table, LEGACY_EXPECTED),
        _case(config, "merged_cells", merged_cells_table, MERGED_EXPECTED),
        _case(config, "wrappers", wrappers_table, WRAPPERS_EXPECTED),
        _case(config, "whitespace", whitespace_table, WHITESPACE_EXPECTED),
        _case(config, "continued_table", continued_table, ACTIVITIES),
        _case(config, "reordered_columns", reordered_table, REORDERED_EXPECTED),
        _case(config, "merged_responsible", merged_responsible_table, MERGED_RESPONSIBLE_EXPECTED),
        _case(
            config,
            "free_text_statuses",
            free_text_table,
            FREE_TEXT_ACTIVITIES,
            FREE_TEXT_ACTIVITIES,
        ),
    ]


def last_year_answer(config: Config, board: str, cycle: str = "hbtqia-2025") -> ParsedTemplate:
    """A board's answer to last year's cycle: its planned activities with statuses in turn
    Pågående, Genomförd and none, comments with characters that need escaping, and one
    unfinished activity of its own."""
    planned = config.planned_activities(config.cycle(cycle), board)
    statuses: tuple[Status | None, ...] = ("Pågående", "Genomförd", None)
    rows = [
        ActivityRow(
            area=a.area,
            nr=a.nr,
            activity=a.activity,
            status=statuses[i % 3],
            status_text=statuses[i % 3] or "",
            comment="Fortsätter <i> & ”citat” " * (i % 2),
        )
        for i, a in enumerate(planned)
    ]
    rows.append(ActivityRow(area=2, nr="2.1", activity="Egen aktivitet i fjol", status="Pågående"))
    return ParsedTemplate(file="fjol.docx", board=board, cycle=cycle, activities=rows)


# --------------------------------------------------------------------------- hostile files


def zip_bomb(uncompressed: int = 200 * 1024 * 1024, declared: int | None = None) -> bytes:
    """A .docx whose word/document.xml inflates to `uncompressed` bytes of spaces. With
    `declared`, the zip headers claim that size instead (a bomb that lies about itself)."""
    head = b'<?xml version="1.0"?><w:document>'
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1024 * 1024)
    parts = [compressor.compress(head)]
    crc = zlib.crc32(head)
    for _ in range(uncompressed // len(chunk)):
        parts.append(compressor.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(compressor.flush())
    raw = b"".join(parts)
    size = (
        declared if declared is not None else len(head) + len(chunk) * (uncompressed // len(chunk))
    )
    return _zip_with_member(
        [("[Content_Types].xml", b"<Types/>", None), ("word/document.xml", raw, (crc, size))]
    )


def _zip_with_member(members: Sequence[tuple[str, bytes, tuple[int, int] | None]]) -> bytes:
    """A zip written by hand: stored members (info None) or pre-deflated ones (crc, size)."""
    out = io.BytesIO()
    central = []
    for name, data, deflated in members:
        encoded = name.encode()
        method, crc, size = (8, *deflated) if deflated else (0, zlib.crc32(data), len(data))
        offset = out.tell()
        fields = struct.pack("<HHHHHIII", 20, 0, method, 0, 0x21, crc, len(data), size)
        out.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + data)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        b"PK\x05\x06"
        + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory), start, 0)
    )
    return out.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY a "hahahahahahahahahaha">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
    '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
)


def entity_document(config: Config) -> bytes:
    """A template whose document.xml declares entities (an expansion bomb and a local file)."""
    body = template_body() + p("&e;&x;")
    return package(
        body, properties=properties_for(config), document=document_xml(body, BILLION_LAUGHS)
    )


def word_lockfile() -> bytes:
    """What Word writes as `~$name.docx` while the document is open."""
    user = b"Mats Dahl"
    first = bytes([len(user)]) + user.ljust(53, b" ")
    second = len(user).to_bytes(2, "little") + "Mats Dahl".encode("utf-16-le")
    return (first + second).ljust(162, b"\x00")


def rtf_document(ref: str) -> bytes:
    """An RTF file with an area heading, an activity table and the reference code."""

    def rtf(text: str) -> str:
        return "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in text)

    def row(cells: Sequence[str]) -> str:
        bounds = "".join(f"\\cellx{1500 * (i + 1)}" for i in range(len(cells)))
        return "\\trowd" + bounds + "".join(f"\\intbl {rtf(c)}\\cell" for c in cells) + "\\row\n"

    values = (
        "1.1",
        "Hbtqia+-perspektiv i villkoren för föreningsbidrag",
        "Föreningskonsulent",
        "2026",
        "Pågår",
        "Halvvägs.",
    )
    return (
        "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs22\n"
        f"\\pard {rtf('Strategiområde 1')}\\par\n{row(HEADERS)}{row(values)}"
        f"\\pard Referens: {ref}\\par}}"
    ).encode("ascii")


def pdf_document() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def odt_document(ref: str) -> bytes:
    """A minimal OpenDocument text with an area heading and an activity table."""
    cells = "".join(
        f"<table:table-cell><text:p>{escape(h)}</text:p></table:table-cell>" for h in HEADERS
    )
    values = (
        "1.1",
        "Hbtqia+-perspektiv i villkoren för föreningsbidrag",
        "Föreningskonsulent",
        "2026",
        "Genomförd",
        "Nya villkor antogs i mars.",
    )
    data_cells = "".join(
        f"<table:table-cell><text:p>{escape(v)}</text:p></table:table-cell>" for v in values
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
        "<office:body><office:text>"
        '<text:h text:outline-level="1">Strategiområde 1</text:h>'
        '<table:table table:name="T1"><table:table-column table:number-columns-repeated="6"/>'
        f"<table:table-row>{cells}</table:table-row><table:table-row>{data_cells}</table:table-row>"
        "</table:table>"
        f"<text:p>Referens: {escape(ref)}</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def encrypted(docx: bytes, password: str = "hemligt") -> bytes:  # noqa: S107 - a test fixture
    """`docx` encrypted as Word does it (an OLE container with EncryptionInfo/EncryptedPackage)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx)).encrypt(password, out)
    return out.getvalue()
