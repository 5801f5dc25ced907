"""What a strategy file may say (DESIGN.md §6): defaults are today's template, and a file that
contradicts itself is refused with one Swedish sentence."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flows.documents.statuses import map_status
from flows.model import STATUSES, KeyFigure, Strategy, Texts


def _strategy(**fields: Any) -> Strategy:
    data: dict[str, Any] = {
        "id": "test",
        "title": "Teststrategi",
        "short_title": "Teststrategin",
        "period": "2025–2027",
        "purpose": "Ett syfte.",
        "areas": [{"number": 1, "goal": "Ett mål."}, {"number": 2, "goal": "Ett annat mål."}],
    }
    data.update(fields)
    return Strategy.model_validate(data)


def _message(**fields: Any) -> str:
    with pytest.raises(ValidationError) as info:
        _strategy(**fields)
    return str(info.value.errors()[0]["msg"]).removeprefix("Value error, ")


def test_defaults_are_todays_template() -> None:
    strategy = _strategy()
    assert strategy.area_label == "Strategiområde"
    assert strategy.area_heading(2) == "Strategiområde 2"
    assert strategy.status_values == STATUSES
    assert strategy.finished_statuses == {"Genomförd", "Utgår"}
    assert [s.key for s in strategy.sections] == ["analysis", "support"]
    assert [s.title for s in strategy.sections] == ["Sammanfattande analys", "Behov av stöd"]
    assert strategy.decision_fields == ["date", "paragraph"]
    assert [a.value for a in strategy.assessment_scale] == ["uppfyllt", "delvis", "ej"]
    assert strategy.areas[0].title == ""


def test_plain_indicator_names_stay_valid_as_summed_key_figures() -> None:
    strategy = _strategy(indicators=["Antal chefer", {"name": "Andel", "unit": "procent"}])
    assert strategy.indicators == [
        KeyFigure(name="Antal chefer", unit="", aggregate="sum", per_board=False),
        KeyFigure(name="Andel", unit="procent", aggregate="sum"),
    ]
    assert strategy.indicator_names == ["Antal chefer", "Andel"]


def test_weighted_mean_needs_another_key_figure_as_weight() -> None:
    good = _strategy(
        indicators=[
            {"name": "Antal chefer"},
            {
                "name": "Andel kvinnor bland chefer",
                "aggregate": "weighted_mean",
                "weight": "Antal chefer",
            },
        ]
    )
    assert good.indicator("Andel kvinnor bland chefer") is not None
    assert "kräver weight" in _message(indicators=[{"name": "A", "aggregate": "weighted_mean"}])
    assert "bara med aggregate: weighted_mean" in _message(
        indicators=[{"name": "A"}, {"name": "B", "weight": "A"}]
    )
    assert "inte är ett annat nyckeltal" in _message(
        indicators=[{"name": "A", "aggregate": "weighted_mean", "weight": "Saknas"}]
    )


def test_area_titles_are_accepted_and_numbering_uses_the_label() -> None:
    strategy = _strategy(
        area_label="Målområde",
        areas=[{"number": 1, "title": "Makt", "goal": "Mål.", "description": "Bakgrund."}],
    )
    assert strategy.areas[0].title == "Makt"
    assert strategy.area_heading(1) == "Målområde 1"
    message = _message(area_label="Målområde", areas=[{"number": 2, "goal": "Mål."}])
    assert message == "målområdena ska numreras 1, 2, 3 … i ordning"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"statuses": [{"value": "Klar"}, {"value": "Klar"}]}, "statusen 'Klar' finns två gånger"),
        ({"indicators": ["A", "A"]}, "nyckeltalet 'A' finns två gånger"),
        (
            {"sections": [{"key": "analysis", "title": "A"}, {"key": "analysis", "title": "B"}]},
            "avsnittet 'analysis' finns två gånger",
        ),
        (
            {"statuses": [{"value": "Klar", "synonyms": ["färdig"]}, {"value": "Färdig"}]},
            "ordet 'Färdig' kan inte betyda både 'Klar' och 'Färdig'",
        ),
    ],
)
def test_contradictions_are_refused(fields: dict[str, Any], expected: str) -> None:
    assert _message(**fields) == expected


def test_a_strategys_own_status_vocabulary_maps_its_synonyms() -> None:
    strategy = _strategy(
        statuses=[
            {"value": "Uppnått", "synonyms": ["klart", "nått"], "finished": True},
            {"value": "På väg", "synonyms": ["pågår"]},
        ]
    )
    assert map_status("KLART", strategy.statuses) == "Uppnått"
    assert map_status("Pågår – klart i juni", strategy.statuses) == "På väg"
    assert map_status("Genomförd", strategy.statuses) is None
    assert map_status("Genomförd") == "Genomförd"


def test_texts_keep_analysis_and_support_and_add_other_sections() -> None:
    texts = Texts(analysis="A", support="", lessons="L")
    assert texts.get("lessons") == "L"
    assert texts.get("support") == ""
    assert texts.get("unknown") == ""
    assert texts.model_dump() == {"analysis": "A", "support": "", "lessons": "L"}
