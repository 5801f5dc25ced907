"""The strict reading of From: one mailbox, or a Swedish reason. Where Python's own parsers
read a From field differently from a mail server, the message must not be attributed."""

from __future__ import annotations

import email.policy
from email.parser import BytesParser
from email.utils import getaddresses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.intake.header_fields import header_fields
from flows.intake.sender_address import parse_mailbox, read_sender

CONTACT = "linnea.strand@ekeby.example"


def _fields(*lines: str) -> list[tuple[str, str]]:
    return header_fields(("\r\n".join(lines) + "\r\n\r\nText\r\n").encode())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (CONTACT, ("", CONTACT)),
        (f"<{CONTACT}>", ("", CONTACT)),
        (f"Linnea Strand <{CONTACT}>", ("Linnea Strand", CONTACT)),
        (f'"Strand, Linnea" <{CONTACT}>', ("Strand, Linnea", CONTACT)),
        (f"=?utf-8?q?Linn=C3=A9a_Str=C3=A5nd?= <{CONTACT}>", ("Linnéa Strånd", CONTACT)),
        (f"Linnea (Kultur) <{CONTACT.upper()}>", ("Linnea", CONTACT)),
        (f'"{CONTACT}" <{CONTACT}>', (CONTACT, CONTACT)),  # Outlook writes this sometimes
        ("Åsa Öberg <åsa.öberg@ekeby.example>", ("Åsa Öberg", "åsa.öberg@ekeby.example")),
    ],
)
def test_one_mailbox_is_read(value: str, expected: tuple[str, str]) -> None:
    assert parse_mailbox(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (f"{CONTACT} <evil@attacker.example>", "utan citattecken"),
        (f'"{CONTACT}" <evil@attacker.example>', "ser ut som en annan e-postadress"),
        (f"{CONTACT}, evil@attacker.example", "flera adresser"),
        (f"Linnea <{CONTACT}>, Eve <evil@attacker.example>", "flera adresser"),
        (f"Linnea <{CONTACT}> evil@attacker.example", "vinkelparenteser"),
        ("=?utf-8?q?linnea=2Estrand=40ekeby=2Eexample?= <evil@attacker.example>", "annan"),
        ("=?utf-8?q?Linnea_=3C?= <evil@attacker.example>", "vinkelparenteser"),
        ("=?utf-8?b?TGlubmVhIOKArnJldHM=?= <evil@attacker.example>", "dolda tecken"),
        (f"evil@attacker.example ({CONTACT})", "annan e-postadress"),
        ("undisclosed-recipients:;", "grupp"),
        (f"Kultur: {CONTACT};", "grupp"),
        ("<evil@[192.0.2.1]>", "ovanlig form"),
        ('<"linnea@ekeby"@attacker.example>', "ovanlig form"),
        ("Linnea <linnea..strand@ekeby.example>", "felaktigt"),
        ("Linnea <@relay.example:linnea@ekeby.example>", "grupp"),
        ('"Linnea <linnea@ekeby.example', "aldrig avslutas"),
        ("Linnea", "ingen entydig"),
        ("", "ingen entydig"),
        ("x" * 3000 + "@ekeby.example", "orimligt lång"),
    ],
)
def test_ambiguous_from_is_refused(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_mailbox(value)


def test_python_reads_the_unquoted_trick_differently_than_a_server() -> None:
    """What the strict parser guards against: policy.default takes the first address and drops
    the angle address (with a defect), getaddresses returns both; Postfix and Outlook use the
    angle address. None of them may decide whose answer it is."""
    raw = f"From: {CONTACT} <evil@attacker.example>\r\n\r\nx".encode()
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert [a.addr_spec for a in parsed["From"].addresses] == [CONTACT]
    assert [a for _, a in getaddresses([f"{CONTACT} <evil@attacker.example>"])] == [
        CONTACT,
        "evil@attacker.example",
    ]
    assert read_sender(header_fields(raw)).address is None
    # An encoded display name: Python decodes it to something that carries an address.
    tricky = "=?utf-8?q?linnea=2Estrand=40ekeby=2Eexample?= <evil@attacker.example>"
    decoded = BytesParser(policy=email.policy.default).parsebytes(f"From: {tricky}\n\n".encode())
    assert decoded["From"].addresses[0].display_name == CONTACT


def test_two_from_fields_are_ambiguous() -> None:
    identity = read_sender(_fields(f"From: {CONTACT}", "From: evil@attacker.example"))
    assert identity.address is None and identity.problem == "Meddelandet har flera From-rader."


def test_folded_from_is_read_whole() -> None:
    identity = read_sender(_fields("From: Linnea Strand", f" <{CONTACT}>", "Subject: Svar"))
    assert identity.address == CONTACT and identity.display_name == "Linnea Strand"


def test_sender_field_naming_someone_else_is_reported() -> None:
    same = read_sender(_fields(f"From: {CONTACT}", f"Sender: <{CONTACT}>"))
    assert same.address == CONTACT and same.sender_field is None
    other = read_sender(_fields(f"From: {CONTACT}", "Sender: evil@attacker.example"))
    assert other.address == CONTACT and other.sender_field == "evil@attacker.example"
    bad = read_sender(_fields(f"From: {CONTACT}", "Sender: a@x.example, b@y.example"))
    assert bad.address is None and bad.problem is not None and "Sender-raden" in bad.problem


def test_no_from_is_no_sender() -> None:
    identity = read_sender(_fields("Subject: utan avsändare"))
    assert identity.address is None and identity.problem is None


_atext = st.text(alphabet=st.sampled_from("abcxyz019.-_+"), min_size=1, max_size=12)
_field_text = st.text(
    alphabet=st.sampled_from([*'ab@<>,;:"()\\[]. =?qQ\t', "\u202e", "é"]), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(_field_text)
def test_any_from_value_gives_an_address_or_a_reason(value: str) -> None:
    """Bounded fuzz over the mailbox grammar: never an exception other than the Swedish
    ValueError, and an accepted value names exactly one address that the lenient parsers
    agree on."""
    try:
        name, address = parse_mailbox(value)
    except ValueError as exc:
        assert str(exc)
        return
    assert address.count("@") == 1 and "<" not in name and ">" not in name
    lenient = [a.lower() for _, a in getaddresses([value]) if a]
    assert lenient == [address]


@settings(max_examples=100, deadline=None)
@given(_atext, _atext)
def test_plain_addresses_round_trip(local: str, domain: str) -> None:
    local = local.strip(".") or "a"
    if ".." in local:
        return
    labels = [part.strip("-_") for part in domain.split(".")]
    if not all(labels) or any("_" in label or "+" in label for label in labels):
        return
    address = f"{local}@{'.'.join(labels)}.example"
    assert parse_mailbox(f"Namn <{address}>") == ("Namn", address.lower())
