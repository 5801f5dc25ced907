from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.report.assessment import assess, suggest, tally
from flows.report.strategy_view import DEFAULT_FINISHED, Level, StatusVocabulary

VOCABULARY = StatusVocabulary(("Genomförd", "Pågående", "Ej påbörjad", "Utgår"), DEFAULT_FINISHED)
SCALE = [Level("uppfyllt", "Uppfyllt"), Level("delvis", "Delvis uppfyllt"), Level("ej", "Ej")]
STATUS = st.sampled_from(["Genomförd", "Pågående", "Ej påbörjad", "Utgår", None, "Se kommentar"])


def level(statuses: list[str | None]) -> str | None:
    found = suggest(tally(statuses, VOCABULARY), SCALE)
    return found.value if found else None


def test_the_rule_on_plain_cases() -> None:
    assert level(["Genomförd"] * 4) == "uppfyllt"
    assert level(["Ej påbörjad"] * 4) == "ej"
    assert level(["Pågående"] * 4) == "delvis"
    assert level(["Genomförd", "Genomförd", "Genomförd", "Pågående"]) == "uppfyllt"  # 0.875
    assert level(["Genomförd", "Ej påbörjad"]) == "delvis"  # 0.5
    assert level(["Genomförd", "Ej påbörjad", "Ej påbörjad", "Ej påbörjad"]) == "ej"  # 0.25
    assert level(["Genomförd", "Genomförd", "Genomförd", "Ej påbörjad"]) == "delvis"  # 0.75


def test_dropped_activities_do_not_count_and_unknown_count_as_no_progress() -> None:
    assert level(["Genomförd", "Utgår", "Utgår", "Utgår"]) == "uppfyllt"
    assert level(["Utgår", "Utgår"]) is None
    assert level([]) is None
    assert level(["Genomförd", None, "Se kommentar", None]) == "ej"
    counts = tally(["Genomförd", "Utgår", None, "Pågående", "Ej påbörjad"], VOCABULARY)
    assert (counts.counted, counts.done, counts.under_way, counts.dropped, counts.unknown) == (
        4,
        1,
        1,
        1,
        1,
    )


@given(st.lists(STATUS, max_size=30), STATUS)
def test_more_progress_never_lowers_the_suggestion(
    statuses: list[str | None], extra: object
) -> None:
    rank = {lv.value: i for i, lv in enumerate(SCALE)}
    before = level(statuses)
    after = level([*statuses, "Genomförd"])
    assert after is not None
    if before is not None:
        assert rank[after] <= rank[before]


@given(st.lists(STATUS, max_size=30))
def test_a_suggestion_exactly_when_something_counts(statuses: list[str | None]) -> None:
    counted = [s for s in statuses if s != "Utgår"]
    assert (level(statuses) is None) == (not counted)


def test_the_coordinator_overrides_and_the_report_can_tell() -> None:
    suggested = assess(1, ["Genomförd"] * 3, VOCABULARY, SCALE)
    assert suggested.source == "suggested" and suggested.level == SCALE[0]
    chosen = assess(1, ["Genomförd"] * 3, VOCABULARY, SCALE, chosen="delvis", text="Se nedan.")
    assert chosen.source == "office" and chosen.level == SCALE[1] and chosen.overridden
    assert chosen.suggested == SCALE[0] and chosen.text == "Se nedan."
    assert assess(1, [], VOCABULARY, SCALE).source == "none"
    with pytest.raises(ValueError):
        assess(1, [], VOCABULARY, SCALE, chosen="okänd")


def test_a_longer_scale_spreads_the_score() -> None:
    five = [Level(str(i), str(i)) for i in range(5)]
    assert suggest(tally(["Genomförd"] * 4, VOCABULARY), five) == five[0]
    assert suggest(tally(["Genomförd", "Pågående"], VOCABULARY), five) == five[1]  # 0.75
    assert suggest(tally(["Pågående"], VOCABULARY), five) == five[2]
    assert suggest(tally(["Ej påbörjad"], VOCABULARY), five) == five[4]
