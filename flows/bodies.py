"""The Swedish words for a board, from its kind: the one place texts get "nämnden", "styrelsens",
"Ekeby Energi AB:s styrelse" from. Pure.

A company board's `name` is the company ("Ekeby Energi AB"); the older form "Ekeby Energi AB,
styrelsen" is understood too.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.model import Board, BoardKind
from flows.swedish import genitive

# kind -> (indefinite, definite, definite genitive, indefinite plural)
_NOUNS: dict[BoardKind, tuple[str, str, str, str]] = {
    "nämnd": ("nämnd", "nämnden", "nämndens", "nämnder"),
    "styrelse": ("styrelse", "styrelsen", "styrelsens", "styrelser"),
    "bolagsstyrelse": ("styrelse", "styrelsen", "styrelsens", "bolagsstyrelser"),
    "beredning": ("beredning", "beredningen", "beredningens", "beredningar"),
    "utskott": ("utskott", "utskottet", "utskottets", "utskott"),
}
DEFINITE_FORMS = tuple(dict.fromkeys(nouns[1] for nouns in _NOUNS.values()))
_OLD_COMPANY_SUFFIXES = (", styrelsen", ", styrelse", " – styrelsen", " - styrelsen")


def company_of(board: Board) -> str | None:
    """The company a company board governs ("Ekeby Energi AB"), None for other kinds."""
    if board.kind != "bolagsstyrelse":
        return None
    name = board.name.strip()
    for suffix in _OLD_COMPANY_SUFFIXES:
        if name.casefold().endswith(suffix):
            return name[: -len(suffix)].strip()
    return name


@dataclass(frozen=True)
class BodyWords:
    """How texts name one board."""

    name: str  # "Kultur- och fritidsnämnden", "Ekeby Energi AB:s styrelse"
    name_genitive: str  # "Kultur- och fritidsnämndens", "Ekeby Energi AB:s" (the company's)
    noun: str  # "nämnd", "styrelse"
    definite: str  # "nämnden", "styrelsen", "utskottet"
    genitive: str  # "nämndens", "styrelsens", "utskottets"

    @property
    def definite_capitalized(self) -> str:
        return self.definite[:1].upper() + self.definite[1:]

    @property
    def genitive_capitalized(self) -> str:
        """`Nämndens` / `Styrelsens`, as in "Styrelsens beslut"."""
        return self.genitive[:1].upper() + self.genitive[1:]


def words_for(board: Board) -> BodyWords:
    noun, definite, definite_genitive, _ = _NOUNS[board.kind]
    company = company_of(board)
    name = f"{genitive(company)} styrelse" if company is not None else board.name
    return BodyWords(
        name=name,
        name_genitive=genitive(company if company is not None else name),
        noun=noun,
        definite=definite,
        genitive=definite_genitive,
    )


def file_label(board: Board) -> str:
    """The board in a file name: "Kultur- och fritidsnämnden", "Ekeby Energi AB, styrelsen".
    Not "AB:s styrelse": a colon is not allowed in file names (Windows) and mail clients turn it
    into "AB_s"."""
    company = company_of(board)
    return f"{company}, styrelsen" if company is not None else board.name


def plural(kind: BoardKind) -> str:
    """`nämnder`, `bolagsstyrelser`."""
    return _NOUNS[kind][3]


def kinds_phrase(kinds: set[BoardKind]) -> str:
    """The bodies a cycle asks, in running text: "nämnder och bolagsstyrelser"."""
    order = [k for k in _NOUNS if k in kinds] or ["nämnd"]
    words = list(dict.fromkeys(plural(k) for k in order))
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} och {words[-1]}"
