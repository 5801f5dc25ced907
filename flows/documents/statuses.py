"""Map what a board wrote in the Status column to one of the four statuses.

Exact words and common synonyms, in any case and with stray punctuation, map to a status. A status
word followed by an explanation after a separator ("Genomförd – se kommentar") maps too. Anything
else maps to None: the caller keeps the text and warns, it never guesses.
"""

from __future__ import annotations

import re
import unicodedata

from flows.model import Status

_SYNONYMS: dict[Status, tuple[str, ...]] = {
    "Genomförd": (
        "genomförd",
        "genomfört",
        "genomförda",
        "genomförts",
        "klar",
        "klart",
        "klara",
        "avklarad",
        "avklarat",
        "avslutad",
        "avslutat",
        "slutförd",
        "slutfört",
        "färdig",
        "färdigt",
        "utförd",
        "utfört",
        "gjord",
        "gjort",
        "klar och avslutad",
        "helt genomförd",
        "done",
        "completed",
        "complete",
    ),
    "Pågående": (
        "pågående",
        "pågår",
        "påbörjad",
        "påbörjat",
        "påbörjade",
        "startad",
        "startat",
        "igång",
        "i gång",
        "pågår fortfarande",
        "pågående arbete",
        "under arbete",
        "arbete pågår",
        "delvis genomförd",
        "delvis genomfört",
        "delvis klar",
        "delvis klart",
        "löpande",
        "pågår löpande",
        "fortlöpande",
        "pågår kontinuerligt",
        "kontinuerligt",
        "in progress",
        "ongoing",
        "started",
    ),
    "Ej påbörjad": (
        "ej påbörjad",
        "ej påbörjat",
        "ej påbörjade",
        "inte påbörjad",
        "inte påbörjat",
        "ej startad",
        "ej startat",
        "inte startad",
        "inte startat",
        "ej inledd",
        "ej inlett",
        "inte inledd",
        "inte inlett",
        "ej igång",
        "inte igång",
        "ej i gång",
        "inte i gång",
        "ej påbörjad än",
        "inte påbörjad än",
        "ej påbörjad ännu",
        "inte påbörjad ännu",
        "planerad",
        "planerat",
        "planerade",
        "not started",
    ),
    "Utgår": (
        "utgår",
        "utgått",
        "utgick",
        "struken",
        "struket",
        "strukits",
        "stryks",
        "inställd",
        "inställt",
        "ställdes in",
        "ställts in",
        "avbruten",
        "avbrutet",
        "avbröts",
        "makulerad",
        "makulerat",
        "ej aktuell",
        "ej aktuellt",
        "inte aktuell",
        "inte aktuellt",
        "inte längre aktuell",
        "inte längre aktuellt",
        "ej längre aktuell",
        "ej längre aktuellt",
        "utgår ur planen",
        "cancelled",
        "canceled",
    ),
}

_PUNCTUATION = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
# A status word, then a separator, then an explanation: "Pågår – klart i juni".
_SEPARATED = re.compile(r"^(?P<head>[^.,;:()\[\]–—-]+?)\s*[.,;:()\[\]–—-]")

# Words after the status that change its meaning: "Genomförd (delvis)" is not simply done.
_QUALIFIERS = {"delvis", "ej", "inte", "ännu", "än", "nästan", "troligen", "kanske"}


def normalize(text: str) -> str:
    """Casefolded NFC text without punctuation and with single spaces."""
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


_LOOKUP: dict[str, Status] = {
    normalize(word): status for status, words in _SYNONYMS.items() for word in words
}
_LOOKUP.update({normalize(s): s for s in _SYNONYMS})


def map_status(text: str) -> Status | None:
    """The status `text` means, or None if it is empty or not recognised."""
    key = normalize(text)
    if not key:
        return None
    status = _LOOKUP.get(key)
    if status is not None:
        return status
    first_line = unicodedata.normalize("NFC", text).strip().splitlines()[0]
    match = _SEPARATED.match(first_line)
    if match:
        rest = set(normalize(first_line[match.end() :]).split())
        if rest & _QUALIFIERS:
            return None
        return _LOOKUP.get(normalize(match.group("head")))
    if first_line.strip() != text.strip():
        rest = set(normalize(text.strip()[len(first_line.strip()) :]).split())
        if rest & _QUALIFIERS:
            return None
        return _LOOKUP.get(normalize(first_line))
    return None
