"""The report's reference document: styles, page set-up, header with logo, footer with page numbers.

`templates/report/reference.docx` is made by this module and committed. A municipality replaces
that file with its own graphic profile (made in Word: change the styles named in
`flows.report.styles.REQUIRED`, the header, the footer and the logo); the report builder keeps
the reference's sections, headers, footers and styles and only replaces the body.

Regenerate: `python -m flows.report.reference [--config DIR] [--out FILE.docx]` (default: this
file, with the municipality's name from `config/`).
"""

from __future__ import annotations

import argparse
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor

from flows.report.wordxml import W_NS, field_runs
from flows.resources import templates_dir

REFERENCE_PATH = templates_dir() / "report" / "reference.docx"


@dataclass(frozen=True)
class Profile:
    """A graphic profile: what a municipality's communications department decides."""

    municipality: str = "Ekeby kommun"
    body_font: str = "Arial"
    heading_font: str = "Arial"
    primary: str = "1F4E79"  # headings, table header
    accent: str = "DEEAF6"  # goal boxes, board rows in tables
    text: str = "222222"
    body_size: float = 10.5


def logo_png(profile: Profile) -> bytes:
    """A placeholder logo: a coloured mark and the municipality's name (to be replaced)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fig = plt.figure(figsize=(3.2, 0.8), dpi=200)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 1)
    ax.axis("off")
    colour = f"#{profile.primary}"
    ax.add_patch(FancyBboxPatch((0.08, 0.12), 0.76, 0.76, boxstyle="round,pad=0.02", fc=colour))
    initials = "".join(w[0] for w in profile.municipality.split()[:2]).upper()
    ax.text(0.46, 0.5, initials, color="white", ha="center", va="center", size=20, weight="bold")
    ax.text(1.05, 0.5, profile.municipality, color=colour, va="center", fontsize=17, weight="bold")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", transparent=True)
    plt.close(fig)
    return buffer.getvalue()


def ascii_id(name: str) -> str:
    """A style id without spaces or diacritics ("Nämndrad" -> "Namndrad")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum())


def _paragraph_style(
    doc: DocxDocument,
    name: str,
    *,
    base: str = "Normal",
    size: float | None = None,
    bold: bool | None = None,
    italic: bool | None = None,
    colour: str | None = None,
    font: str | None = None,
    before: float | None = None,
    after: float | None = None,
) -> None:
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = ascii_id(name)
        style.base_style = styles[base]
    style.hidden = False
    style.quick_style = True
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if colour is not None:
        style.font.color.rgb = RGBColor.from_string(colour)
    if font is not None:
        style.font.name = font
        rfonts = style.element.rPr.rFonts
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            rfonts.set(f"{{{W_NS}}}{attr}", font)
        for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
            rfonts.attrib.pop(f"{{{W_NS}}}{attr}", None)
    if before is not None:
        style.paragraph_format.space_before = Pt(before)
    if after is not None:
        style.paragraph_format.space_after = Pt(after)


def _shade_style(doc: DocxDocument, name: str, fill: str, border: str) -> None:
    ppr = doc.styles[name].element.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:pBdr xmlns:w="{W_NS}"><w:left w:val="single" w:sz="24" w:space="8" '
            f'w:color="{border}"/></w:pBdr>'
        )
    )
    ppr.append(parse_xml(f'<w:shd xmlns:w="{W_NS}" w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def _table_style(doc: DocxDocument, profile: Profile) -> None:
    style = doc.styles.add_style("Uppföljningstabell", WD_STYLE_TYPE.TABLE)
    style.style_id = ascii_id("Uppföljningstabell")
    style.base_style = doc.styles["Normal Table"]
    element = style.element
    border = "A6A6A6"
    element.append(
        parse_xml(
            f'<w:pPr xmlns:w="{W_NS}"><w:spacing w:before="20" w:after="20" w:line="240" '
            'w:lineRule="auto"/></w:pPr>'
        )
    )
    element.append(
        parse_xml(f'<w:rPr xmlns:w="{W_NS}"><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>')
    )
    element.append(
        parse_xml(
            f'<w:tblPr xmlns:w="{W_NS}"><w:tblBorders>'
            + "".join(
                f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{border}"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + '</w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/>'
            '<w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        )
    )
    element.append(
        parse_xml(
            f'<w:tblStylePr xmlns:w="{W_NS}" w:type="firstRow"><w:rPr><w:b/>'
            f'<w:color w:val="FFFFFF"/></w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" '
            f'w:fill="{profile.primary}"/></w:tcPr></w:tblStylePr>'
        )
    )


def _header_footer(doc: DocxDocument, profile: Profile) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    # The title page shows the logo large and no running header or footer.
    section.different_first_page_header_footer = True

    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.add_run().add_picture(io.BytesIO(logo_png(profile)), height=Cm(0.9))
    _name_logo(header, profile)

    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Sida ")
    for run in field_runs("PAGE", "1"):
        footer._p.append(run)
    footer.add_run(" av ")
    for run in field_runs("NUMPAGES", "1"):
        footer._p.append(run)

    first = section.first_page_header.paragraphs[0]
    first.add_run().add_picture(io.BytesIO(logo_png(profile)), height=Cm(1.6))
    _name_logo(first, profile)


def _name_logo(paragraph: object, profile: Profile) -> None:
    from docx.text.paragraph import Paragraph

    assert isinstance(paragraph, Paragraph)
    for shape in paragraph._p.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
    ):
        shape.set("descr", f"{profile.municipality}s logotyp")


def _swedish_defaults(doc: DocxDocument, profile: Profile) -> None:
    """Swedish as the document language (spelling, hyphenation) and the body font as default."""
    defaults = doc.styles.element.find(f"{{{W_NS}}}docDefaults")
    if defaults is None:
        return
    for lang in defaults.iter(f"{{{W_NS}}}lang"):
        lang.set(f"{{{W_NS}}}val", "sv-SE")
        lang.set(f"{{{W_NS}}}eastAsia", "sv-SE")
    for fonts in defaults.iter(f"{{{W_NS}}}rFonts"):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(f"{{{W_NS}}}{attr}", None)
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(f"{{{W_NS}}}{attr}", profile.body_font)


def build_reference(profile: Profile | None = None) -> bytes:
    """The reference .docx for `profile` (the committed one uses the defaults)."""
    profile = profile or Profile()
    doc = docx.Document()
    for paragraph in list(doc.paragraphs):
        doc.element.body.remove(paragraph._p)

    _swedish_defaults(doc, profile)
    _paragraph_style(
        doc, "Normal", size=profile.body_size, colour=profile.text, font=profile.body_font, after=6
    )
    for name, size, before, after in (
        ("Title", 28.0, 120.0, 12.0),
        ("Heading 1", 17.0, 18.0, 8.0),
        ("Heading 2", 13.5, 14.0, 6.0),
        ("Heading 3", 11.5, 10.0, 4.0),
        ("TOC Heading", 17.0, 0.0, 10.0),
    ):
        _paragraph_style(
            doc,
            name,
            size=size,
            before=before,
            after=after,
            bold=True,
            colour=profile.primary,
            font=profile.heading_font,
        )
    _paragraph_style(doc, "Subtitle", size=16, colour=profile.primary, font=profile.heading_font)
    _paragraph_style(doc, "Caption", size=9, italic=True, colour="595959", bold=False)
    _paragraph_style(doc, "Header", size=9, colour="595959")
    _paragraph_style(doc, "Footer", size=9, colour="595959")
    _paragraph_style(doc, "toc 1", size=profile.body_size, bold=True, before=6, after=2)
    _paragraph_style(doc, "toc 2", size=profile.body_size, after=2)
    _paragraph_style(doc, "Mål", italic=True, before=4, after=10)
    _shade_style(doc, "Mål", profile.accent, profile.primary)
    _paragraph_style(doc, "Titeluppgift", size=12, after=2)
    _paragraph_style(doc, "Tabelltext", size=9, before=0, after=0)
    _paragraph_style(doc, "Tabellrubrik", size=9, bold=True, before=0, after=0, colour="FFFFFF")
    _paragraph_style(doc, "Nämndrad", size=9, bold=True, before=0, after=0, colour=profile.primary)
    _shade_style(doc, "Nämndrad", profile.accent, profile.accent)
    _paragraph_style(doc, "Etikett", bold=True, before=6, after=0, colour=profile.primary)
    _table_style(doc, profile)
    _header_footer(doc, profile)

    core = doc.core_properties
    core.title = "Uppföljning"
    core.language = "sv-SE"
    core.author = profile.municipality
    core.comments = "Referensdokument för uppföljningsrapportens stilar (flows.report.reference)"
    drop_thumbnail(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def main() -> None:
    from flows.config import load_config

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("config"))
    parser.add_argument("--out", type=Path, default=REFERENCE_PATH)
    args = parser.parse_args()
    municipality = load_config(args.config).municipality.name
    args.out.write_bytes(build_reference(Profile(municipality=municipality)))
    print(f"Referensdokumentet sparades i {args.out}")


if __name__ == "__main__":
    main()


def drop_thumbnail(doc: DocxDocument) -> None:
    """Remove the package's thumbnail: it would show the reference, not this document."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
