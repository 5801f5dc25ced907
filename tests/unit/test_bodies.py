"""The Swedish words for each kind of board come from one place."""

from __future__ import annotations

import pytest

from flows.bodies import company_of, kinds_phrase, words_for
from flows.model import Board, BoardKind, Contact


def _board(name: str, kind: BoardKind) -> Board:
    someone = Contact(name="N N", email="n@ekeby.example")
    return Board(
        id="b",
        code="BB",
        name=name,
        kind=kind,
        primary=someone,
        secretary=someone,
        escalation=someone,
    )


@pytest.mark.parametrize(
    ("name", "kind", "text_name", "name_genitive", "definite", "genitive"),
    [
        ("Socialnämnden", "nämnd", "Socialnämnden", "Socialnämndens", "nämnden", "nämndens"),
        (
            "Kommunstyrelsen",
            "styrelse",
            "Kommunstyrelsen",
            "Kommunstyrelsens",
            "styrelsen",
            "styrelsens",
        ),
        (
            "Ekeby Energi AB",
            "bolagsstyrelse",
            "Ekeby Energi AB:s styrelse",
            "Ekeby Energi AB:s",
            "styrelsen",
            "styrelsens",
        ),
        (
            "Ekeby Energi AB, styrelsen",
            "bolagsstyrelse",
            "Ekeby Energi AB:s styrelse",
            "Ekeby Energi AB:s",
            "styrelsen",
            "styrelsens",
        ),
        (
            "Demokratiberedningen",
            "beredning",
            "Demokratiberedningen",
            "Demokratiberedningens",
            "beredningen",
            "beredningens",
        ),
        (
            "Arbetsutskottet",
            "utskott",
            "Arbetsutskottet",
            "Arbetsutskottets",
            "utskottet",
            "utskottets",
        ),
    ],
)
def test_words_for_each_kind(
    name: str, kind: BoardKind, text_name: str, name_genitive: str, definite: str, genitive: str
) -> None:
    words = words_for(_board(name, kind))
    assert (words.name, words.name_genitive, words.definite, words.genitive) == (
        text_name,
        name_genitive,
        definite,
        genitive,
    )
    assert words.genitive_capitalized == genitive.capitalize()


def test_company_only_for_company_boards() -> None:
    assert company_of(_board("Ekebyhem AB, styrelsen", "bolagsstyrelse")) == "Ekebyhem AB"
    assert company_of(_board("Socialnämnden", "nämnd")) is None


def test_kinds_phrase() -> None:
    assert kinds_phrase({"nämnd"}) == "nämnder"
    assert kinds_phrase({"bolagsstyrelse", "nämnd"}) == "nämnder och bolagsstyrelser"
    assert kinds_phrase({"nämnd", "styrelse", "bolagsstyrelse"}) == (
        "nämnder, styrelser och bolagsstyrelser"
    )
