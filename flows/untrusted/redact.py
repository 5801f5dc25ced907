"""One redaction for every error text before it reaches the ledger, a log or a Prefect state.

Error texts echo what servers and libraries say: token endpoint descriptions, request bodies with
`client_secret=`, Authorization headers, URLs with `password=` or `access_token=`. Whatever looks
like a credential is replaced by `[dold]`; the rest of the text stays, so the error still helps.
"""

from __future__ import annotations

import re

MASK = "[dold]"

_KEY = (
    r"client_secret|client_assertion|password|passwd|pwd|secret|access_token|refresh_token"
    r"|id_token|token|api[_-]?key|apikey|sig|signature|code_verifier"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization / Proxy-Authorization / Cookie headers, in text or a repr'd dict.
    (
        re.compile(
            r"(?i)(\b(?:proxy-)?authorization\b['\"]?\s*[:=]\s*['\"]?)"
            r"(?:(?:bearer|basic|negotiate|ntlm|digest)\s+)?[^\s'\",;}]+"
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)(\b(?:set-)?cookie\b['\"]?\s*[:=]\s*['\"]?)[^\r\n'\"}]+"), r"\1" + MASK),
    # Bearer/Basic tokens anywhere.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*"), r"\1 " + MASK),
    # key=value and "key": "value" pairs (form bodies, query strings, JSON, reprs).
    (
        re.compile(rf"(?i)(\b(?:{_KEY})\b['\"]?\s*[=:]\s*['\"]?)[^\s&'\",;}}]+"),
        r"\1" + MASK,
    ),
    # Credentials in URLs: scheme://user:password@host
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@"), r"\1" + MASK + "@"),
    # JSON Web Tokens (three base64url segments starting with a JSON header).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with credentials masked; `secrets` are known values masked wherever they occur."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
