"""Map what a board wrote in the Status column to one of the strategy's statuses (by default the
four of today, `flows.status_words`).

Exact words and common synonyms, in any case and with stray punctuation, map to a status. A status
word followed by an explanation after a separator ("Genomförd – se kommentar") maps too. Anything
else maps to None: the caller keeps the text and warns, it never guesses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from flows.model import StatusOption, default_statuses

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


@lru_cache(maxsize=64)
def _lookup(options: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    table = {normalize(word): value for value, words in options for word in words}
    table.update({normalize(value): value for value, _ in options})
    return table


def _key(options: Sequence[StatusOption]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((o.value, tuple(o.synonyms)) for o in options)


_DEFAULT = _key(default_statuses())


def map_status(text: str, statuses: Sequence[StatusOption] | None = None) -> str | None:
    """The status `text` means (one of `statuses`' values, default today's four), or None if it
    is empty or not recognised."""
    key = normalize(text)
    if not key:
        return None
    table = _lookup(_key(statuses) if statuses is not None else _DEFAULT)
    status = table.get(key)
    if status is not None:
        return status
    first_line = unicodedata.normalize("NFC", text).strip().splitlines()[0]
    match = _SEPARATED.match(first_line)
    if match:
        rest = set(normalize(first_line[match.end() :]).split())
        if rest & _QUALIFIERS:
            return None
        return table.get(normalize(match.group("head")))
    if first_line.strip() != text.strip():
        rest = set(normalize(text.strip()[len(first_line.strip()) :]).split())
        if rest & _QUALIFIERS:
            return None
        return table.get(normalize(first_line))
    return None
