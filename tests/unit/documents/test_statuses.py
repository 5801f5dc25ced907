"""Status as free text: any case, common synonyms, nothing guessed."""

from __future__ import annotations

import pytest

from flows.documents.statuses import map_status
from flows.model import STATUSES, Status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        *((s, s) for s in STATUSES),
        *((s.upper(), s) for s in STATUSES),
        ("klar", "Genomförd"),
        ("Klart", "Genomförd"),
        ("genomfört", "Genomförd"),
        ("Avslutad.", "Genomförd"),
        ("GENOMFÖRD", "Genomförd"),
        ("pågår", "Pågående"),
        ("Påbörjad", "Pågående"),
        ("påbörjat", "Pågående"),
        ("delvis genomförd", "Pågående"),
        ("Löpande", "Pågående"),
        ("ej startad", "Ej påbörjad"),
        ("inte påbörjad", "Ej påbörjad"),
        ("Ej påbörjat", "Ej påbörjad"),
        ("Inte startad än", None),
        ("planerad", "Ej påbörjad"),
        ("inställd", "Utgår"),
        ("struken", "Utgår"),
        ("Avbruten", "Utgår"),
        ("ej aktuell", "Utgår"),
        ("utgått", "Utgår"),
        ("Genomförd – se kommentar", "Genomförd"),
        ("Pågår (klart i juni)", "Pågående"),
        ("Genomförd (delvis)", None),
        ("Genomförd/pågående", None),
        ("Klar i juni", None),
        ("Vet ej", None),
        ("Genomförd\nse kommentar", "Genomförd"),
        ("Genomförd\n(delvis)", None),
        ("Se kommentar", None),
        ("", None),
        ("   ", None),
        ("?", None),
    ],
)
def test_map_status(text: str, status: Status | None) -> None:
    assert map_status(text) == status


def test_decomposed_characters_map() -> None:
    import unicodedata

    assert map_status(unicodedata.normalize("NFD", "Påbörjad")) == "Pågående"
