"""The person-readable summary of a parsed template."""

from __future__ import annotations

from flows.documents.problems import problem
from flows.documents.summary import format_parsed
from flows.model import ActivityRow, Indicator, ParsedTemplate


def test_unreadable_file_shows_only_the_reason() -> None:
    result = ParsedTemplate(file="x.pdf", problems=[problem("file.pdf", name="x.pdf")])
    assert format_parsed(result) == (
        "== x.pdf\nKAN INTE LÄSAS: Filen x.pdf är en PDF. Svaren kan bara läsas ur Word-mallen. "
        "Spara dokumentet som Word-dokument (.docx) och skicka det igen."
    )


def test_activities_grouped_by_area_with_unknown_status_marked() -> None:
    result = ParsedTemplate(
        file="svar.docx",
        board="socialnamnden",
        cycle="hbtqia-2026",
        template_version=1,
        activities=[
            ActivityRow(
                area=1, nr="1.1", activity="Utbildning", status="Genomförd", status_text="klar"
            ),
            ActivityRow(
                area=2, nr="2.1", activity="Enkät " * 20, status_text="Vet ej", comment="x"
            ),
        ],
        indicators=[Indicator(name="Antal", value=1234.5, value_text="1 234,5")],
    )
    text = format_parsed(result)
    assert "Nämnd: socialnamnden   Uppföljning: hbtqia-2026, mallversion 1" in text
    assert text.index("Strategiområde 1") < text.index("Strategiområde 2")
    assert "  1.1   Utbildning" in text and "Genomförd" in text
    assert "?Vet ej" in text
    assert "Enkät Enkät" in text and "…" in text  # long text cut
    assert "1 234,5" in text
    assert "Inga problem." in text
