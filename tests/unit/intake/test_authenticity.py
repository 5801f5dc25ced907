"""Authentication-Results (RFC 8601) and Exchange's organization headers: what counts as an
authenticated sender. The header texts follow RFC 8601 Appendix B and what Exchange stamps."""

from __future__ import annotations

import pytest

from flows.intake.authenticity import (
    aligned,
    exchange_verdict,
    parse_authentication_results,
    verdict,
)
from flows.intake.header_fields import header_fields

SENDER = "linnea.strand@ekeby.example"
TRUSTED = ["mx.ekeby.example"]


def _fields(*lines: str) -> list[tuple[str, str]]:
    return header_fields(("\r\n".join([*lines, f"From: {SENDER}"]) + "\r\n\r\nx").encode())


def _verdict(*lines: str, exchange: bool = False) -> tuple[bool, str]:
    found = verdict(_fields(*lines), SENDER, trusted_authserv_ids=TRUSTED, exchange=exchange)
    return found.authenticated, found.how


def test_rfc_8601_examples_parse() -> None:
    # RFC 8601 Appendix B.2 and B.4 (with comments, versions and properties).
    none = parse_authentication_results("example.org 1; none")
    assert none is not None and none.authserv_id == "example.org" and none.results == ()
    parsed = parse_authentication_results(
        "example.com; spf=pass smtp.mailfrom=example.net (sender is ok)\r\n"
        "  header.from=example.net; dkim/1=pass (good signature) header.d=example.com;"
        ' auth=pass (cram-md5) reason="a; b" smtp.auth=sender@example.net'
    )
    assert parsed is not None
    assert [(r.method, r.result) for r in parsed.results] == [
        ("spf", "pass"),
        ("dkim", "pass"),
        ("auth", "pass"),
    ]
    assert parsed.results[0].prop("smtp.mailfrom") == "example.net"
    assert parsed.results[1].prop("header.d") == "example.com"
    assert parsed.results[2].prop("reason") == "a; b"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "spf=pass smtp.mailfrom=ekeby.example",  # Microsoft 365: no authserv-id
        "mx.ekeby.example; dkim=",
        "mx.ekeby.example (unclosed; dmarc=pass",
        'mx.ekeby.example; dmarc=pass header.from="ekeby.example',
        "mx.ekeby.example; =pass",
    ],
)
def test_malformed_fields_are_no_evidence(value: str) -> None:
    assert parse_authentication_results(value) is None


@pytest.mark.parametrize(
    "line",
    [
        "Authentication-Results: mx.ekeby.example; dmarc=pass header.from=ekeby.example",
        "Authentication-Results: MX.Ekeby.Example; dkim=pass header.d=ekeby.example",
        "Authentication-Results: mx.ekeby.example; spf=pass smtp.mailfrom=bounce@ekeby.example",
        "Authentication-Results: mx.ekeby.example; dkim=pass (ok) header.i=@mail.ekeby.example",
        "Authentication-Results: mx.ekeby.example; dmarc=pass action=none"
        " header.from=ekeby.example",
    ],
)
def test_a_trusted_pass_aligned_with_from_counts(line: str) -> None:
    assert _verdict(line)[0]


@pytest.mark.parametrize(
    "line",
    [
        # Stamped by a server we do not trust (or the attacker's own): ignored.
        "Authentication-Results: mx.attacker.example; dmarc=pass header.from=ekeby.example",
        # Trusted server, but the pass is for another domain than From.
        "Authentication-Results: mx.ekeby.example; dmarc=pass header.from=attacker.example",
        "Authentication-Results: mx.ekeby.example; dkim=pass header.d=attacker.example",
        "Authentication-Results: mx.ekeby.example; spf=pass smtp.mailfrom=x@attacker.example",
        "Authentication-Results: mx.ekeby.example; dkim=pass header.d=example",
        "Authentication-Results: mx.ekeby.example; dmarc=fail header.from=ekeby.example",
        "Authentication-Results: mx.ekeby.example; dkim=neutral header.d=ekeby.example",
        "Authentication-Results: mx.ekeby.example; none",
        # Microsoft 365's form, without an authserv-id: cannot be told from a forged one.
        "Authentication-Results: spf=pass smtp.mailfrom=ekeby.example;dmarc=pass"
        " header.from=ekeby.example",
    ],
)
def test_anything_else_does_not(line: str) -> None:
    authenticated, how = _verdict(line)
    assert not authenticated and how


def test_no_header_at_all() -> None:
    assert _verdict() == (False, "ingen autentisering från kommunens e-postserver")


def test_alignment_is_relaxed_but_not_to_a_public_suffix() -> None:
    assert aligned("ekeby.example", "ekeby.example")
    assert aligned("mail.ekeby.example", "ekeby.example")
    assert aligned("ekeby.example", "kultur.ekeby.example")
    assert not aligned("example", "ekeby.example")
    assert not aligned("notekeby.example", "ekeby.example")
    assert not aligned(None, "ekeby.example")


@pytest.mark.parametrize(
    ("auth_as", "expected"), [("Internal", True), ("Partner", True), ("Anonymous", False)]
)
def test_exchange_organization_headers(auth_as: str, expected: bool) -> None:
    lines = (
        f"X-MS-Exchange-Organization-AuthAs: {auth_as}",
        "X-MS-Exchange-Organization-AuthSource: EX01.ekeby.example",
        "X-MS-Exchange-Organization-AuthMechanism: 04",
    )
    authenticated, how = _verdict(*lines, exchange=True)
    assert authenticated is expected
    if expected:
        assert "EX01.ekeby.example" in how
    # Outside Exchange nobody strips these headers: worth nothing.
    assert _verdict(*lines, exchange=False)[0] is False


def test_exchange_anonymous_falls_back_to_authentication_results() -> None:
    lines = (
        "X-MS-Exchange-Organization-AuthAs: Anonymous",
        "Authentication-Results: mx.ekeby.example; dkim=pass header.d=ekeby.example",
    )
    assert _verdict(*lines, exchange=True) == (True, "DKIM godkänd enligt mx.ekeby.example")


def test_contradicting_exchange_headers_are_not_trusted() -> None:
    fields = _fields(
        "X-MS-Exchange-Organization-AuthAs: Internal",
        "X-MS-Exchange-Organization-AuthAs: Anonymous",
    )
    found = exchange_verdict(fields)
    assert found is not None and not found.authenticated


def test_no_sender_is_never_authenticated() -> None:
    fields = _fields("X-MS-Exchange-Organization-AuthAs: Internal")
    assert not verdict(fields, None, trusted_authserv_ids=TRUSTED, exchange=True).authenticated
