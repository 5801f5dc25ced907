"""What Exchange's transport does to a message from an authenticated member of the
organization before it lands in a mailbox: the header firewall removes every
`X-MS-Exchange-Organization-*` field the message brought with it, and the transport stamps its
own (Microsoft Learn, "Header firewall":
https://learn.microsoft.com/exchange/mail-flow/mail-routing/header-firewall). The test servers
deliver raw bytes as given, so tests that model mail from inside the organization pass their
messages through `as_delivered_by_exchange` first."""

from __future__ import annotations

import re

from flows.mail.mime import parse_envelope

_ORGANIZATION_FIELD = re.compile(
    rb"^x-ms-exchange-organization-[^:]*:.*(?:\r?\n[ \t].*)*\r?\n", re.IGNORECASE | re.MULTILINE
)


ORGANIZATION_DOMAIN = "ekeby.example"


def as_delivered_by_exchange(
    raw: bytes, *, auth_as: str | None = None, source: str = "EX01.ekeby.example"
) -> bytes:
    """`raw` as Exchange would store it: foreign organization headers removed, its own added.

    `auth_as` None: Internal for a sender in the organization's domain, else Anonymous.
    """
    if auth_as is None:
        sender = parse_envelope(raw).sender or ""
        auth_as = "Internal" if sender.endswith("@" + ORGANIZATION_DOMAIN) else "Anonymous"
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    head = _ORGANIZATION_FIELD.sub(b"", head + b"\r\n").rstrip(b"\r\n")
    stamp = (
        f"X-MS-Exchange-Organization-AuthAs: {auth_as}\r\n"
        f"X-MS-Exchange-Organization-AuthSource: {source}\r\n"
        "X-MS-Exchange-Organization-AuthMechanism: 04\r\n"
    ).encode()
    return stamp + head + (sep or b"\r\n\r\n") + body
