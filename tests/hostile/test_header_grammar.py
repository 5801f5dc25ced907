"""Header fuzzing over the address, date and Message-ID grammars (RFC 5322 3.4, 3.3, 3.6.4):
whatever the header says, reading the envelope never raises, takes bounded time, and gives one
line of text without bidi controls; the ledger's summary fits its columns."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.intake.boundary import header_summary
from flows.mail.mime import parse_envelope, valid_message_id
from flows.untrusted.text import has_bidi

FUZZ = settings(
    max_examples=150,
    deadline=500,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

_atext = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzåäöABC0123456789!#$%&'*+-/=?^_`{|}~.")
    ),
    min_size=0,
    max_size=20,
)
_specials = st.sampled_from(
    ['"', "<", ">", "@", ",", ";", ":", "\\", "(", ")", "[", "]", " ", "\t", "=?", "?=",
     "\u202e", "\u2066", "\x00", "\r\n ", "..", "<>", "undisclosed-recipients:;"]
)  # fmt: skip
_noise = st.lists(st.one_of(_atext, _specials), max_size=12).map("".join)
_addr_spec = st.builds(lambda a, b: f"{a}@{b}", _atext, _atext)
_mailbox = st.one_of(
    _addr_spec,
    st.builds(lambda n, a: f"{n} <{a}>", _noise, _addr_spec),
    st.builds(lambda n, a: f'"{n}" <{a}>', _noise, _addr_spec),
    st.builds(lambda g, a: f"{g}: {a};", _atext, _addr_spec),
)
address_list = st.one_of(st.lists(_mailbox, min_size=0, max_size=4).map(", ".join), _noise)
date = st.one_of(
    st.builds(
        lambda d, m, y, t, z: f"{d} {m} {y} {t} {z}",
        st.integers(-1, 40),
        st.sampled_from(["Jan", "Mar", "Dec", "Foo", "mars", ""]),
        st.integers(-5, 100000),
        st.sampled_from(["09:00", "25:61:99", "9", "", "09:00:00"]),
        st.sampled_from(["+0100", "-0000", "UTC", "+9999", "", "CET"]),
    ),
    _noise,
)
message_id = st.one_of(
    st.builds(lambda a, b: f"<{a}@{b}>", _atext, _atext),
    st.builds(lambda a: f"<{a}>", _noise),
    _noise,
)


def _raw(from_: str, to: str, date_: str, mid: str) -> bytes:
    text = (
        f"From: {from_}\r\nTo: {to}\r\nDate: {date_}\r\nMessage-ID: {mid}\r\n"
        f"In-Reply-To: {mid}\r\nSubject: {from_}\r\n\r\nHej\r\n"
    )
    return text.encode("utf-8", "surrogateescape")


def _one_line(value: str | None) -> bool:
    return value is None or ("\r" not in value and "\n" not in value and not has_bidi(value))


@FUZZ
@given(address_list, address_list, date, message_id)
def test_any_envelope_is_read_without_raising(from_: str, to: str, date_: str, mid: str) -> None:
    raw = _raw(from_, to, date_, mid)
    envelope = parse_envelope(raw)
    assert _one_line(envelope.subject) and _one_line(envelope.message_id)
    assert envelope.sender is None or "@" in envelope.sender or envelope.sender
    assert envelope.date is None or envelope.date.tzinfo is not None
    summary = header_summary(raw)
    assert summary.sender is None or len(summary.sender) <= 320
    assert len(summary.subject) <= 2000
    assert summary.date is None or summary.date.tzinfo is not None


@FUZZ
@given(message_id)
def test_only_well_formed_message_ids_are_threaded(mid: str) -> None:
    kept = valid_message_id(mid)
    if kept is not None:
        assert kept.startswith("<") and kept.endswith(">") and kept.count("@") == 1
        assert not any(c.isspace() for c in kept)


@settings(max_examples=60, deadline=2000, derandomize=True)
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_summary(raw: bytes) -> None:
    header_summary(raw)
