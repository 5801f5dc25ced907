"""Did the municipality's own mail system authenticate the sender? Pure functions over the
header fields the receiving servers stamped.

Two sources of a verdict:

- `Authentication-Results` (RFC 8601) from a configured authserv-id: the border MTA (e.g.
  rspamd, OpenDMARC, Halon) checked SPF, DKIM and DMARC and wrote the result. RFC 8601 §5
  requires that MTA to delete any such field carrying its own authserv-id that arrived from
  outside, so only fields with a trusted authserv-id count, and a field from any other
  authserv-id is ignored. Accepted: dmarc=pass for the From domain, or dkim=pass with a signing
  domain (header.d) aligned with the From domain, or spf=pass with an aligned smtp.mailfrom.
  (The PyPI package `authres` parses these fields, but its last release is from 2019, it is
  untyped and it raises on much of what real servers write; the grammar needed here is small.)
- Exchange's organization headers, stamped by the Exchange transport that accepted the
  message: `X-MS-Exchange-Organization-AuthAs` (Anonymous, Internal, Partner; with
  `-AuthSource`, the accepting server, and `-AuthMechanism`). Exchange's header firewall removes
  every `X-MS-Exchange-Organization-*` field from mail that enters the organization from an
  untrusted source (Microsoft Learn, "Header firewall", Exchange Server:
  https://learn.microsoft.com/exchange/mail-flow/mail-routing/header-firewall), so a value read
  from a mailbox on the Exchange transports was written by Exchange itself. `Internal` means the
  submitter authenticated as a member of the organization (Exchange enforces Send As / Send on
  Behalf for such submissions); `Partner` means a partner connector with mutual TLS (domain
  security). `Anonymous` means Exchange did not authenticate the sender.

On the Maildir transport no server stamps anything that can be trusted in this way; the policy
for it is configured (`sender_policy.require_authentication.maildir`, default off: the demo).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from flows.intake.header_fields import all_values

AUTH_AS = "x-ms-exchange-organization-authas"
AUTH_SOURCE = "x-ms-exchange-organization-authsource"
AUTH_MECHANISM = "x-ms-exchange-organization-authmechanism"
_EXCHANGE_AUTHENTICATED = {"internal": "Exchange: intern avsändare", "partner": "Exchange: partner"}
_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^\s=";]+)|(=))')
_KEYWORD = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


@dataclass(frozen=True)
class MethodResult:
    """One `method=result` of an Authentication-Results field, with its properties."""

    method: str  # lower case, without version: "dmarc", "dkim", "spf", ...
    result: str  # lower case: "pass", "fail", "none", ...
    properties: tuple[tuple[str, str], ...] = ()  # ("header.from", "ekeby.example"), ...

    def prop(self, name: str) -> str | None:
        return next((v for k, v in self.properties if k == name), None)


@dataclass(frozen=True)
class AuthenticationResults:
    authserv_id: str  # lower case
    results: tuple[MethodResult, ...]


@dataclass(frozen=True)
class Verdict:
    """Whether the sender counts as authenticated, and how (Swedish, for the ledger and status)."""

    authenticated: bool
    how: str


def _strip_comments(value: str) -> str:
    """CFWS comments (nested, with quoted-pairs) replaced by a space; quoted strings kept."""
    out: list[str] = []
    depth = 0
    quoted = False
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and (quoted or depth):
            if not depth:
                out.append(value[i : i + 2])
            i += 2
            continue
        if quoted:
            quoted = ch != '"'
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if not depth:
                out.append(" ")
        elif not depth:
            quoted = ch == '"'
            out.append(ch)
        i += 1
    if depth or quoted:
        raise ValueError("unterminated comment or quoted string")
    return "".join(out)


def _split_semicolons(value: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _words(segment: str) -> list[str]:
    words: list[str] = []
    position = 0
    segment = segment.rstrip()
    while position < len(segment):
        match = _TOKEN.match(segment, position)
        if match is None or match.end() == position:
            raise ValueError(f"unexpected text in {segment!r}")
        quoted, word, equals = match.groups()
        words.append("=" if equals else (quoted if quoted is not None else word or ""))
        position = match.end()
    return words


def _resinfo(segment: str) -> MethodResult:
    words = _words(segment)
    if len(words) < 3 or words[1] != "=":
        raise ValueError(f"not a method=result: {segment!r}")
    method = words[0].lower().split("/", 1)[0]
    result = words[2].lower()
    if not _KEYWORD.match(method) or not _KEYWORD.match(result):
        raise ValueError(f"not a method=result: {segment!r}")
    properties: list[tuple[str, str]] = []
    rest = words[3:]
    if len(rest) % 3:
        raise ValueError(f"unexpected properties in {segment!r}")
    for key, equals, value in zip(rest[0::3], rest[1::3], rest[2::3], strict=True):
        key = key.lower()
        if equals != "=":
            raise ValueError(f"not a property: {key!r}")
        # Keys outside the grammar (Microsoft writes "action=none") carry nothing read here.
        if key == "reason" or re.match(r"^[a-z0-9-]+\.[a-z0-9_-]+$", key):
            properties.append((key, value))
    return MethodResult(method, result, tuple(properties))


def parse_authentication_results(value: str) -> AuthenticationResults | None:
    """One Authentication-Results field (RFC 8601 §2.2); None if it does not follow the grammar.

    A field that does not parse is not evidence of anything: callers treat None as "no result".
    """
    try:
        segments = _split_semicolons(_strip_comments(value))
        head = _words(segments[0])
        # authserv-id [ version ]; Microsoft 365 writes no authserv-id at all: not trusted.
        version_ok = len(head) == 1 or (len(head) == 2 and head[1].isdigit())
        if not head or head[0] == "=" or not version_ok:
            return None
        results = [s for s in segments[1:] if s.strip()]
        if len(results) == 1 and results[0].strip().lower() == "none":
            return AuthenticationResults(head[0].lower(), ())
        return AuthenticationResults(head[0].lower(), tuple(_resinfo(s) for s in results))
    except ValueError:
        return None


def _domain_of(value: str | None) -> str | None:
    if not value:
        return None
    return value.rpartition("@")[2].strip().strip(".").lower() or None


def aligned(domain: str | None, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489 §3.1) approximated without the Public Suffix List: the same
    domain, or one a subdomain of the other where the shorter has at least two labels."""
    if not domain:
        return False
    if domain == from_domain:
        return True
    shorter, longer = sorted((domain, from_domain), key=len)
    return "." in shorter and longer.endswith("." + shorter)


def _passes(result: MethodResult, from_domain: str) -> str | None:
    if result.result != "pass":
        return None
    if result.method == "dmarc":
        header_from = _domain_of(result.prop("header.from"))
        return "DMARC" if header_from in (None, from_domain) else None
    if result.method == "dkim":
        signer = _domain_of(result.prop("header.d") or result.prop("header.i"))
        return "DKIM" if aligned(signer, from_domain) else None
    if result.method == "spf":
        envelope = _domain_of(result.prop("smtp.mailfrom") or result.prop("smtp.helo"))
        return "SPF" if aligned(envelope, from_domain) else None
    return None


def exchange_verdict(fields: list[tuple[str, str]]) -> Verdict | None:
    """Exchange's own authentication of the submitter, if its organization headers are there."""
    values = {v.strip().lower() for v in all_values(fields, AUTH_AS)}
    if not values:
        return None
    if len(values) > 1:
        return Verdict(False, "Exchange: motstridiga AuthAs-rader")
    (auth_as,) = values
    how = _EXCHANGE_AUTHENTICATED.get(auth_as)
    if how is None:
        return Verdict(False, f"Exchange: {auth_as or 'tom'} (inte autentiserad)")
    source = next(iter(all_values(fields, AUTH_SOURCE)), "")
    return Verdict(True, f"{how} via {source}" if source else how)


def verdict(
    fields: list[tuple[str, str]],
    sender: str | None,
    *,
    trusted_authserv_ids: Collection[str],
    exchange: bool,
) -> Verdict:
    """The authentication verdict for `sender` (the From address) of a message.

    `exchange`: the message was read from an Exchange mailbox (EWS or Graph), whose
    organization headers are then trusted.
    """
    if not sender or "@" not in sender:
        return Verdict(False, "ingen avsändaradress")
    from_domain = sender.rpartition("@")[2].lower()
    if exchange:
        found = exchange_verdict(fields)
        if found is not None and found.authenticated:
            return found
    trusted = {t.lower() for t in trusted_authserv_ids}
    seen_trusted = False
    for value in all_values(fields, "authentication-results"):
        parsed = parse_authentication_results(value)
        if parsed is None or parsed.authserv_id not in trusted:
            continue
        seen_trusted = True
        for result in parsed.results:
            method = _passes(result, from_domain)
            if method is not None:
                return Verdict(True, f"{method} godkänd enligt {parsed.authserv_id}")
    if exchange:
        found = exchange_verdict(fields)
        if found is not None:
            return found
    if seen_trusted:
        return Verdict(False, "varken DMARC, DKIM eller SPF godkänd för avsändarens domän")
    return Verdict(False, "ingen autentisering från kommunens e-postserver")
