"""Several filled-in templates in one message: the reader's choice of the board's answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_config
from flows.documents.copies import answered, choose_copy
from flows.documents.reader import read_template
from flows.model import Config, ParsedTemplate, Problem
from tests.support import docx_fixtures as fx


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture(scope="module")
def final(config: Config) -> ParsedTemplate:
    return read_template(fx.filled(config), "slutlig.docx", config)


@pytest.fixture(scope="module")
def draft(config: Config) -> ParsedTemplate:
    body = fx.template_body(
        [fx.Activity(1, "1.1", fx.ACTIVITIES[0].activity)],
        answers=fx.Answers(analysis="", support="", decision_paragraph=""),
    )
    return read_template(fx.filled(config, body), "utkast.docx", config)


def test_one_template_needs_no_choice(final: ParsedTemplate) -> None:
    assert choose_copy([final]).index == 0
    assert choose_copy([final]).reasons == ()
    assert choose_copy([]).index is None


def test_the_most_filled_in_copy_wins_wherever_it_is(
    final: ParsedTemplate, draft: ParsedTemplate
) -> None:
    assert answered(final) > answered(draft)
    for copies, expected in (([draft, final], 1), ([final, draft], 0)):
        choice = choose_copy(copies)
        assert choice.index == expected and not choice.conflicting
        assert "”slutlig.docx” lästes in" in choice.reasons[0]
        assert "mest ifylld" in choice.reasons[1]


def test_identical_copies_are_duplicates_and_the_last_counts(
    final: ParsedTemplate,
) -> None:
    again = final.model_copy(update={"file": "kopia.docx"})
    choice = choose_copy([final, again])
    assert choice.index == 1 and choice.duplicates == (0,)
    assert choice.reasons[1] == "De andra kopiorna hade samma svar."


def test_a_copy_without_errors_beats_a_fuller_one_with_errors(
    final: ParsedTemplate, draft: ParsedTemplate
) -> None:
    assert answered(final) > answered(draft)
    broken = final.model_copy(
        update={"file": "trasig.docx", "problems": [*final.problems, *_an_error()]}
    )
    choice = choose_copy([broken, draft])
    assert choice.index == 1
    assert "fel som behöver rättas" in choice.reasons[1]


def _an_error() -> list[Problem]:
    return [Problem(level="error", code="activity.missing_text", message="Aktivitet saknas.")]


def test_copies_of_different_boards_are_no_choice(config: Config, final: ParsedTemplate) -> None:
    data = fx.package(fx.template_body(), properties=fx.properties_for(config, "socialnamnden"))
    other = read_template(data, "socialnamnden.docx", config)
    assert other.board == "socialnamnden"
    choice = choose_copy([final, other])
    assert choice.index is None and choice.conflicting
    assert "olika nämnder" in choice.reasons[0]


def test_files_that_are_no_template_are_left_out(config: Config, final: ParsedTemplate) -> None:
    pdf = read_template(fx.pdf_document(), "bilaga.pdf", config)
    assert pdf.unreadable
    choice = choose_copy([pdf, final])
    assert choice.index == 1 and choice.reasons == ()
