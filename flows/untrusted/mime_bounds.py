"""Checks on a raw message before `email` parses it: size, header block, MIME part count.

The parser's cost grows with the number of parts and header lines, and its recursion with the
nesting; these are estimated on the bytes, cheaply and without allocating per line: every MIME
part but the first is opened by a delimiter line `--boundary` of a boundary some Content-Type
declared, and every forwarded message by a `message/rfc822` type. The exact count and depth are
checked again while the parsed tree is walked (`flows.mail.mime`).
"""

from __future__ import annotations

import re

from flows.untrusted.limits import LIMITS, MB, LimitExceeded, Limits

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_FIELD_START = re.compile(rb"^[^ \t\r\n]", re.MULTILINE)
_BOUNDARY = re.compile(rb'(?i)\bboundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))')
_DELIMITER = re.compile(rb"^--([^\r\n]{1,204})", re.MULTILINE)
_FORWARD = re.compile(rb"(?i)content-type:\s*message/(?:rfc822|global)")


def header_block(raw: bytes, limits: Limits = LIMITS) -> bytes:
    """The top-level header block; raises LimitExceeded when it is too big or has too many
    fields."""
    found = _HEADER_END.search(raw, 0, limits.header_block_bytes + 4)
    if found is None:
        if len(raw) > limits.header_block_bytes:
            raise LimitExceeded("meddelandets huvud är för stort")
        block = raw
    else:
        block = raw[: found.start()]
    fields = sum(1 for _ in _FIELD_START.finditer(block))
    if fields > limits.header_count:
        raise LimitExceeded(f"meddelandet har för många rubrikfält ({fields})")
    return block


def check_raw(raw: bytes, limits: Limits = LIMITS, *, headers_only: bool = False) -> None:
    """Raise LimitExceeded if parsing `raw` could cost more than the limits allow."""
    if len(raw) > limits.message_bytes:
        raise LimitExceeded(f"meddelandet är för stort ({len(raw) / MB:.0f} MB)")
    header_block(raw, limits)
    if headers_only:
        return
    boundaries: set[bytes] = set()
    for match in _BOUNDARY.finditer(raw):
        boundaries.add((match.group(1) or match.group(2)).rstrip())
        if len(boundaries) > limits.mime_parts:
            raise LimitExceeded(f"meddelandet har fler än {limits.mime_parts} delar")
    forwards = sum(1 for _ in _FORWARD.finditer(raw))
    if forwards > limits.mime_parts:
        raise LimitExceeded(f"meddelandet har fler än {limits.mime_parts} delar")
    if not boundaries:
        return
    parts = forwards
    for match in _DELIMITER.finditer(raw):
        line = match.group(1).rstrip()
        if line in boundaries or (line.endswith(b"--") and line[:-2] in boundaries):
            parts += 1
            if parts > 2 * limits.mime_parts:  # each part has an opening and a closing line
                raise LimitExceeded(f"meddelandet har fler än {limits.mime_parts} delar")
