"""A message's header fields exactly as they arrived: every occurrence, in order, unfolded.

`email.parser` with `policy.default` keeps only what it understands of an address header and
gives the first of repeated fields; the sender checks need all occurrences and the raw text.
Reads at most `MAX_HEADER_BYTES` of the header block.
"""

from __future__ import annotations

import re

MAX_HEADER_BYTES = 256 * 1024
_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(r"^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$", re.DOTALL)


def header_block(raw: bytes) -> bytes:
    """The bytes before the first empty line (at most MAX_HEADER_BYTES)."""
    head = raw[:MAX_HEADER_BYTES]
    found = _END_OF_HEADERS.search(head)
    return head[: found.start()] if found else head


def header_fields(raw: bytes) -> list[tuple[str, str]]:
    """(lower-case name, unfolded value) for every header field, in message order.

    Bytes that are not UTF-8 (RFC 6532 allows UTF-8 in headers) are replaced, never guessed;
    lines that are not fields (no colon) are dropped, as RFC 5322 §3.6.8 parsers do.
    """
    text = header_block(raw).decode("utf-8", errors="replace")
    fields: list[tuple[str, str]] = []
    for line in re.split(r"\r?\n", text):
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip())
            continue
        match = _FIELD.match(line)
        if match:
            fields.append((match.group(1).lower(), match.group(2).strip()))
    return fields


def all_values(fields: list[tuple[str, str]], name: str) -> list[str]:
    wanted = name.lower()
    return [value for key, value in fields if key == wanted]
