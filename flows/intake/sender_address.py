"""Who sent a message, read strictly: one From field with exactly one mailbox, parsed by the
RFC 5322 §3.4 grammar, and anything a mail server or client could read differently is refused.

Why not `email.headerregistry`: for `From: linnea.strand@kommun <evil@attacker>` Python's
parser (policy.default) reports `linnea.strand@kommun` with a defect, while an MTA or Outlook
takes the angle address `evil@attacker`. `email.utils.getaddresses` returns both. Where readers
can disagree, the message goes to quarantine instead of being attributed to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header

from flows.intake.header_fields import all_values

MAX_FROM_LENGTH = 2000
_SPECIALS = set('()<>[]:;@\\,"')
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
_LOOKS_LIKE_ADDRESS = re.compile(r"[^\s<>\"'@]+@[^\s<>\"'@]+")
_DOMAIN_LABEL = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?$", re.UNICODE)
# Bidirectional and invisible formatting characters (Unicode category Cf) can make a name
# display as something else; control characters (Cc) do not belong in a name.
_HIDDEN_CATEGORIES = {"Cc", "Cf"}


@dataclass(frozen=True)
class SenderIdentity:
    """The sender as read: `address` (lower case) when unambiguous, else `problem` (Swedish)."""

    address: str | None
    display_name: str = ""
    problem: str | None = None
    sender_field: str | None = None  # the Sender address, when it names someone else


@dataclass(frozen=True)
class _Token:
    kind: str  # "atom", "quoted", "comment", or the special character itself
    text: str


class _Ambiguous(ValueError):
    """The field does not name one mailbox unambiguously; the message is the Swedish reason."""


def _tokens(value: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        if ch in " \t\r\n":
            i += 1
        elif ch == "(":
            depth, start, i = 1, i + 1, i + 1
            while i < n and depth:
                if value[i] == "\\":
                    i += 1
                elif value[i] == "(":
                    depth += 1
                elif value[i] == ")":
                    depth -= 1
                i += 1
            if depth:
                raise _Ambiguous("From-raden har en kommentar som aldrig avslutas.")
            tokens.append(_Token("comment", value[start : i - 1]))
        elif ch == '"':
            i += 1
            chars: list[str] = []
            while i < n and value[i] != '"':
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(value[i])
                i += 1
            if i >= n:
                raise _Ambiguous("From-raden har ett citattecken som aldrig avslutas.")
            i += 1
            tokens.append(_Token("quoted", "".join(chars)))
        elif ch in _SPECIALS:
            tokens.append(_Token(ch, ch))
            i += 1
        else:
            start = i
            while i < n and value[i] not in _SPECIALS and value[i] not in " \t\r\n":
                i += 1
            tokens.append(_Token("atom", value[start:i]))
    return tokens


def _decode_words(text: str) -> str:
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        raise _Ambiguous("Avsändarnamnet är felaktigt kodat.") from None


def _addr_spec(tokens: list[_Token]) -> str:
    """local-part "@" domain, where local-part is a dot-atom and domain a dot-atom of labels."""
    if len(tokens) != 3 or tokens[1].kind != "@":
        raise _Ambiguous("From-raden innehåller ingen entydig e-postadress.")
    local, domain = tokens[0], tokens[2]
    if local.kind != "atom" or domain.kind != "atom":
        raise _Ambiguous("Avsändaradressen har en ovanlig form (citattecken eller IP-adress).")
    if _ENCODED_WORD.search(local.text) or _ENCODED_WORD.search(domain.text):
        raise _Ambiguous("Avsändaradressen innehåller kodad text.")
    if local.text.startswith(".") or local.text.endswith(".") or ".." in local.text:
        raise _Ambiguous("Avsändaradressen är felaktigt skriven.")
    labels = domain.text.rstrip(".").split(".")
    if not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise _Ambiguous("Avsändarens domän är felaktigt skriven.")
    return f"{local.text}@{domain.text.rstrip('.')}".lower()


def _check_name(name: str, address: str) -> None:
    if any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in name):
        raise _Ambiguous("Avsändarnamnet innehåller dolda tecken eller skrivriktningstecken.")
    if "<" in name or ">" in name:
        raise _Ambiguous("Avsändarnamnet innehåller vinkelparenteser.")
    for found in _LOOKS_LIKE_ADDRESS.findall(name):
        if found.strip(".,;:()[]").lower() != address:
            raise _Ambiguous(f"Avsändarnamnet ser ut som en annan e-postadress ({found}).")


def parse_mailbox(value: str) -> tuple[str, str]:
    """(display name, lower-case address) of a field that holds exactly one mailbox.

    Raises ValueError with a Swedish reason for several addresses, groups, an unquoted address
    in the display name, an address-looking display name or comment, encoded-word tricks,
    hidden characters, or anything else outside the RFC 5322 mailbox grammar.
    """
    if len(value) > MAX_FROM_LENGTH:
        raise _Ambiguous("From-raden är orimligt lång.")
    tokens = _tokens(value)
    comments = [t.text for t in tokens if t.kind == "comment"]
    words = [t for t in tokens if t.kind != "comment"]
    kinds = [t.kind for t in words]
    if "," in kinds:
        raise _Ambiguous("From-raden innehåller flera adresser.")
    if ":" in kinds or ";" in kinds:
        raise _Ambiguous("From-raden är en grupp av adresser, inte en avsändare.")
    if "[" in kinds or "]" in kinds or "\\" in kinds:
        raise _Ambiguous("Avsändaradressen har en ovanlig form (citattecken eller IP-adress).")
    if "<" not in kinds and ">" not in kinds:
        address = _addr_spec(words)
        name = ""
    else:
        if kinds.count("<") != 1 or kinds.count(">") != 1 or kinds[-1] != ">":
            raise _Ambiguous("From-raden har vinkelparenteser på fel ställen.")
        start = kinds.index("<")
        phrase, inside = words[:start], words[start + 1 : -1]
        if any(t.kind not in ("atom", "quoted") for t in phrase):
            raise _Ambiguous(
                "Avsändarnamnet innehåller en e-postadress utan citattecken; "
                "e-postprogram läser sådana avsändare olika."
            )
        address = _addr_spec(inside)
        name = " ".join(_decode_words(t.text) for t in phrase)
    _check_name(name, address)
    for comment in comments:
        _check_name(_decode_words(comment), address)
    return name.strip(), address


def read_sender(fields: list[tuple[str, str]]) -> SenderIdentity:
    """The sender of a message from its header fields (see `header_fields`)."""
    froms = all_values(fields, "from")
    if not froms:
        return SenderIdentity(None)
    if len(froms) > 1:
        return SenderIdentity(None, problem="Meddelandet har flera From-rader.")
    try:
        name, address = parse_mailbox(froms[0])
    except ValueError as exc:
        return SenderIdentity(None, problem=str(exc))
    senders = all_values(fields, "sender")
    if len(senders) > 1:
        return SenderIdentity(None, name, problem="Meddelandet har flera Sender-rader.")
    if senders:
        try:
            _, on_behalf = parse_mailbox(senders[0])
        except ValueError as exc:
            return SenderIdentity(None, name, problem=f"Sender-raden: {exc}")
        if on_behalf != address:
            return SenderIdentity(address, name, sender_field=on_behalf)
    return SenderIdentity(address, name)
