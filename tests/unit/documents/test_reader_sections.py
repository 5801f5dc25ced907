"""Key figures, free texts and the board's decision, read from a filled-in template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.config import load_config
from flows.documents.reader import read_template
from flows.documents.template import build_template
from flows.model import Config, ParsedTemplate
from tests.support import docx_fixtures as fx


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


def _read(config: Config, answers: fx.Answers) -> ParsedTemplate:
    return read_template(fx.filled(config, fx.template_body(answers=answers)), "x.docx", config)


def test_texts_decision_and_indicators(config: Config) -> None:
    result = _read(config, fx.Answers())
    assert result.texts.analysis == "Arbetet har gått bra.\nFler grupper ska utbildas."
    assert result.texts.support == "Stöd med utbildningsmaterial."
    assert result.decision.date == dt.date(2027, 3, 12)
    assert result.decision.paragraph == "§ 34"
    assert [(i.name, i.value, i.value_text, i.comment) for i in result.indicators] == [
        ("Antal medarbetare som gått hbtqia+-utbildning", 1234.0, "1 234", ""),
        ("Antal aktiviteter under Pride", 12.0, "12", "Under Pride-veckan"),
    ]
    assert result.problems == []


@pytest.mark.parametrize(
    ("date_text", "paragraph_text"),
    [("12 mars 2027", "§34"), ("12/3 2027", "34"), ("den 12 mars 2027", "34 §")],
)
def test_swedish_decision_formats(config: Config, date_text: str, paragraph_text: str) -> None:
    result = _read(config, fx.Answers(decision_date=date_text, decision_paragraph=paragraph_text))
    assert result.decision.date == dt.date(2027, 3, 12)
    assert result.decision.paragraph == "§ 34"


def test_unreadable_and_missing_decision_warn(config: Config) -> None:
    result = _read(config, fx.Answers(decision_date="i mars", decision_paragraph=""))
    assert result.decision.date is None and result.decision.paragraph is None
    assert [p.code for p in result.problems] == [
        "decision.date_unreadable",
        "decision.paragraph_missing",
    ]
    assert "”i mars”" in result.problems[0].message
    assert all(p.level == "warning" for p in result.problems)


def test_uncertain_key_figures_warn_and_are_never_silently_guessed(config: Config) -> None:
    answers = fx.Answers(
        indicators=(
            ("Utbildade", "ca 40", ""),
            ("Chefer", "många", ""),
            ("Certifierade", "1.234", ""),
            ("Aktiviteter", "", ""),
            ("Besökare", "", "Räknades inte i år"),
            ("Andel", "12,5 %", ""),
        )
    )
    result = _read(config, answers)
    values = {i.name: (i.value, i.value_text) for i in result.indicators}
    assert values == {
        "Utbildade": (40.0, "ca 40"),
        "Chefer": (None, "många"),
        "Certifierade": (1234.0, "1.234"),
        "Aktiviteter": (None, ""),
        "Besökare": (None, ""),
        "Andel": (12.5, "12,5 %"),
    }
    assert [(p.code, p.where) for p in result.problems] == [
        ("indicator.approximate", "Nyckeltal: Utbildade"),
        ("indicator.unreadable", "Nyckeltal: Chefer"),
        ("indicator.ambiguous", "Nyckeltal: Certifierade"),
        ("indicator.missing", "Nyckeltal: Aktiviteter"),
    ]
    assert "40 har lästs in" in result.problems[0].message


def test_free_text_written_below_the_box_is_kept_and_the_hint_above_it_is_not(
    config: Config,
) -> None:
    # After a LibreOffice round trip the hint may lose its style: it is still not an answer.
    body = (
        fx.template_body()
        .replace(
            fx.p("Behov av stöd", "Heading1"),
            fx.p("Skrivet under rutan.") + fx.p("Behov av stöd", "Heading1"),
        )
        .replace(fx.p(fx.ANALYSIS_HINT, "Hint"), fx.p(fx.ANALYSIS_HINT))
    )
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert (
        result.texts.analysis
        == "Arbetet har gått bra.\nFler grupper ska utbildas.\nSkrivet under rutan."
    )
    assert result.texts.support == "Stöd med utbildningsmaterial."


def test_free_text_typed_outside_the_answer_box_is_read(config: Config) -> None:
    # Secretaries type under the heading, above the box, and below it: all of it is the answer.
    body = fx.template_body()
    body = body.replace(
        fx.p(fx.ANALYSIS_HINT, "Hint"),
        fx.p(fx.ANALYSIS_HINT, "Hint") + fx.p("Skrivet ovanför rutan."),
    )
    body = body.replace(
        fx.p("Behov av stöd", "Heading1") + fx.p(fx.SUPPORT_HINT, "Hint"),
        fx.p("Skrivet under rutan.")
        + fx.p("Behov av stöd", "Heading1")
        + fx.p("Direkt under rubriken, före anvisningen.")
        + fx.p(fx.SUPPORT_HINT),  # the hint, its style lost in another editor
    )
    body = body.replace(
        fx.p("Nämndens beslut", "Heading1"),
        fx.p("Efter rutan.") + fx.p("Nämndens beslut", "Heading1"),
    )
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert result.texts.analysis == (
        "Skrivet ovanför rutan.\nArbetet har gått bra.\nFler grupper ska utbildas.\n"
        "Skrivet under rutan."
    )
    assert result.texts.support == (
        "Direkt under rubriken, före anvisningen.\nStöd med utbildningsmaterial.\nEfter rutan."
    )


def test_free_text_written_under_the_heading_when_the_box_was_deleted(config: Config) -> None:
    body = fx.template_body().split(fx.p("Sammanfattande analys", "Heading1"))[0]
    body += fx.p("Sammanfattande analys", "Heading1") + fx.p(fx.ANALYSIS_HINT, "Hint")
    body += fx.p("Direkt under rubriken.") + fx.p("Andra stycket.")
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert result.texts.analysis == "Direkt under rubriken.\nAndra stycket."


def test_placeholder_text_kept_as_plain_text_by_an_editor_is_empty(config: Config) -> None:
    body = fx.template_body(
        answers=fx.Answers(
            decision_date="Välj datum", support="Klicka eller tryck här för att ange text."
        )
    )
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert result.decision.date is None and result.texts.support == ""
    assert "decision.date_missing" in {p.code for p in result.problems}


def test_decision_written_inline(config: Config) -> None:
    body = fx.template_body().split(fx.p("Nämndens beslut", "Heading1"))[0]
    body += fx.p("Beslutsdatum: 12 mars 2027") + fx.p("Paragraf: § 34")
    result = read_template(fx.filled(config, body), "x.docx", config)
    assert (result.decision.date, result.decision.paragraph) == (dt.date(2027, 3, 12), "§ 34")


def test_in_our_template_the_question_heading_the_box_is_not_an_answer_but_typing_there_is(
    config: Config,
) -> None:
    # The question is the box's first row (in its Hint style). A secretary who clicks after it
    # and types, or starts a new paragraph in that row, has written part of the answer.
    cycle = config.cycle("hbtqia-2026")
    template = build_template(config, cycle, config.board("kultur-och-fritidsnamnden"))
    analysis, support = (s.hint for s in config.strategy_of(cycle).sections)
    box = '<w:pStyle w:val="AnswerText"/></w:pPr></w:p>'

    def typed(xml: str) -> str:
        assert xml.count(box) == 2 and f"<w:t>{analysis}</w:t>" in xml
        xml = xml.replace(box, f"{box[:-6]}<w:r><w:t>I rutan.</w:t></w:r></w:p>")
        xml = xml.replace(
            f"<w:t>{analysis}</w:t></w:r>",
            f"<w:t>{analysis}</w:t></w:r><w:r><w:t> Vi har nått långt.</w:t></w:r>",
        )
        return xml.replace(
            f"<w:t>{support}</w:t></w:r></w:p>",
            f"<w:t>{support}</w:t></w:r></w:p><w:p><w:r><w:t>Ett nytt stycke.</w:t></w:r></w:p>",
        )

    result = read_template(fx.with_document_xml(template, typed), "x.docx", config)
    assert result.texts.analysis == "Vi har nått långt.\nI rutan."
    assert result.texts.support == "Ett nytt stycke.\nI rutan."
    untouched = read_template(template, "x.docx", config)
    assert untouched.texts.analysis == "" and untouched.texts.support == ""


def test_text_typed_under_an_area_heading_outside_its_table_is_a_warning(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    template = build_template(config, cycle, config.board("kultur-och-fritidsnamnden"))
    typed = "Vi har också kartlagt alla föreningar i kommunen under hösten och vintern 2026."

    def under_the_first_goal(xml: str) -> str:
        goal = xml.index('<w:pStyle w:val="Goal"/>')
        end = xml.index("</w:p>", goal) + len("</w:p>")
        return xml[:end] + f"<w:p><w:r><w:t>{typed}</w:t></w:r></w:p>" + xml[end:]

    result = read_template(fx.with_document_xml(template, under_the_first_goal), "x.docx", config)
    (warning,) = [p for p in result.problems if p.code == "text.outside_table"]
    assert warning.level == "warning"
    assert warning.message == (
        "Texten ”Vi har också kartlagt alla föreningar i kommunen under …” under "
        "Strategiområde 1 står utanför aktivitetstabellen och har inte lästs in som en "
        "aktivitet. Skriv aktiviteten som en rad i tabellen."
    )
    assert typed not in [a.activity for a in result.activities]
    # the template's own words under each heading (goal, description, hint) are never that,
    # also when an editor has dropped their style
    for docx in (template, fx.with_document_xml(template, lambda x: x.replace("Goal", "Normal"))):
        problems = read_template(docx, "x.docx", config).problems
        assert [p for p in problems if p.code == "text.outside_table"] == []


def test_a_long_answer_typed_after_the_question_is_kept_whole(config: Config) -> None:
    cycle = config.cycle("hbtqia-2026")
    template = build_template(config, cycle, config.board("kultur-och-fritidsnamnden"))
    analysis = config.strategy_of(cycle).sections[0].hint
    answer = "Vi har arbetat vidare. " * 1000

    def typed(xml: str) -> str:
        return xml.replace(
            f"<w:t>{analysis}</w:t></w:r>",
            f'<w:t>{analysis}</w:t></w:r><w:r><w:t xml:space="preserve"> {answer}</w:t></w:r>',
        )

    result = read_template(fx.with_document_xml(template, typed), "x.docx", config)
    assert result.texts.analysis == answer.strip()
