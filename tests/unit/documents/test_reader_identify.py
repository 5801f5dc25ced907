"""Identification: from the custom properties, or, where they were lost, from the reference code
in the footer or the text; unknown boards, cycles and references are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_config
from flows.documents.reader import read_template
from flows.model import Config
from flows.references import reference_code
from tests.support import docx_fixtures as fx


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


def _ref(config: Config, cycle: str = fx.CYCLE, board: str = fx.BOARD) -> str:
    return reference_code(config.cycles[cycle], config.boards[board])


def test_identified_from_properties(config: Config) -> None:
    result = read_template(fx.filled(config, footer_ref=False), "svar.docx", config)
    assert (result.board, result.cycle, result.template_version) == (fx.BOARD, fx.CYCLE, 1)
    assert result.problems == []


def test_properties_lost_identified_from_footer_reference(config: Config) -> None:
    result = read_template(fx.filled(config, props=False), "kopia.docx", config)
    assert (result.board, result.cycle, result.template_version) == (fx.BOARD, fx.CYCLE, None)
    assert not result.errors


def test_properties_and_footer_lost_identified_from_reference_in_text(config: Config) -> None:
    body = fx.p(f"Referens: {_ref(config).lower()}") + fx.template_body()
    result = read_template(fx.filled(config, body, props=False, footer_ref=False), "x.docx", config)
    assert (result.board, result.cycle) == (fx.BOARD, fx.CYCLE)
    assert not result.errors


def test_nothing_to_identify_by_is_an_error(config: Config) -> None:
    result = read_template(fx.filled(config, props=False, footer_ref=False), "x.docx", config)
    assert [p.code for p in result.errors] == ["template.unidentified"]
    assert result.board is None and result.cycle is None
    assert not result.unreadable  # the activities are still read and shown
    assert len(result.activities) == 4


def test_dates_and_numbers_in_the_text_are_not_taken_for_a_reference(config: Config) -> None:
    body = fx.p("Sammanträdet 2017-07-24, dnr 2026-0118-AB, tfn 070-123-45.")
    body += fx.template_body(answers=fx.Answers(decision_date="2017-07-24"))
    data = fx.package(body, footer="Utskrivet 2027-03-24")
    result = read_template(data, "x.docx", config)
    assert [p.code for p in result.errors] == ["template.unidentified"]


def test_the_real_reference_is_found_after_a_date(config: Config) -> None:
    body = fx.p(f"Möte 2017-07-24. Referens {_ref(config)}") + fx.template_body()
    result = read_template(fx.filled(config, body, props=False, footer_ref=False), "x.docx", config)
    assert (result.board, result.cycle) == (fx.BOARD, fx.CYCLE)


def test_mistyped_reference_is_an_error(config: Config) -> None:
    good = _ref(config)
    bad = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    data = fx.package(fx.template_body(), footer=f"Referens: {bad}")
    result = read_template(data, "x.docx", config)
    assert [p.code for p in result.errors] == ["template.unknown_reference"]
    assert bad in result.errors[0].message


def test_another_cycles_template_is_reported_and_rejected_when_a_cycle_is_expected(
    config: Config,
) -> None:
    props = fx.properties_for(config, cycle="hbtqia-2025")
    data = fx.package(
        fx.template_body(), properties=props, footer=f"Referens: {props['followup_ref']}"
    )
    found = read_template(data, "fjolaret.docx", config)
    assert found.cycle == "hbtqia-2025" and not found.errors
    checked = read_template(data, "fjolaret.docx", config, expected_cycle="hbtqia-2026")
    assert [p.code for p in checked.errors] == ["template.wrong_cycle"]
    assert "hbtqia-2025" in checked.errors[0].message and "hbtqia-2026" in checked.errors[0].message


def test_another_cycle_found_by_footer_reference(config: Config) -> None:
    data = fx.package(fx.template_body(), footer=f"Referens: {_ref(config, cycle='hbtqia-2025')}")
    result = read_template(data, "x.docx", config, expected_cycle="hbtqia-2026")
    assert result.cycle == "hbtqia-2025"
    assert [p.code for p in result.errors] == ["template.wrong_cycle"]


def test_unknown_board_and_unknown_cycle_are_errors(config: Config) -> None:
    props = {**fx.properties_for(config), "followup_board": "hamnstyrelsen"}
    result = read_template(fx.package(fx.template_body(), properties=props), "x.docx", config)
    assert [p.code for p in result.errors] == ["template.unknown_board"]
    assert "hamnstyrelsen" in result.errors[0].message
    props = {**fx.properties_for(config), "followup_cycle": "hbtqia-2031"}
    result = read_template(fx.package(fx.template_body(), properties=props), "x.docx", config)
    assert [p.code for p in result.errors] == ["template.unknown_cycle"]


def test_properties_disagreeing_with_the_reference_warn(config: Config) -> None:
    other = _ref(config, board="socialnamnden")
    data = fx.package(
        fx.template_body(),
        properties=fx.properties_for(config) | {"followup_ref": ""},
        footer=f"Referens: {other}",
    )
    result = read_template(data, "x.docx", config)
    assert result.board == fx.BOARD
    assert [p.code for p in result.problems] == ["template.identity_conflict"]
