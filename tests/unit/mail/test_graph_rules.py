"""The Graph adapter's pure decisions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from flows.mail.graph_rules import (
    UPLOAD_CHUNK,
    UPLOAD_SESSION_FROM,
    RetryPolicy,
    SyncState,
    apply_delta_page,
    categories_after,
    custom_headers,
    message_fields,
    odata_string,
    parse_retry_after,
    retry_delay,
    route_attachments,
    upload_ranges,
)
from flows.mail.port import Attachment, OutboundMessage

POLICY = RetryPolicy(max_attempts=4, backoff_seconds=1.0, max_retry_after_seconds=60)


def test_retry_after_in_seconds_and_as_http_date() -> None:
    now = datetime(2027, 3, 15, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 15 Mar 2027 10:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_throttling_waits_as_told_and_any_request_may_be_repeated() -> None:
    assert retry_delay(429, 3.0, 1, idempotent=False, policy=POLICY) == 3.0
    assert retry_delay(503, None, 2, idempotent=False, policy=POLICY) == 2.0
    assert retry_delay(429, 600.0, 1, idempotent=True, policy=POLICY) is None
    assert retry_delay(429, 1.0, 4, idempotent=True, policy=POLICY) is None


def test_server_errors_and_lost_connections_repeat_only_idempotent_requests() -> None:
    assert retry_delay(500, None, 1, idempotent=True, policy=POLICY) == 1.0
    assert retry_delay(None, None, 3, idempotent=True, policy=POLICY) == 4.0
    assert retry_delay(500, None, 1, idempotent=False, policy=POLICY) is None
    assert retry_delay(None, None, 1, idempotent=False, policy=POLICY) is None


def test_auth_and_client_errors_are_never_retried() -> None:
    for status in (400, 401, 403, 404, 410):
        assert retry_delay(status, 1.0, 1, idempotent=True, policy=POLICY) is None


def test_attachments_route_by_size() -> None:
    small = Attachment("a.docx", "application/octet-stream", b"x" * 1000)
    medium = Attachment("b.pdf", "application/pdf", b"x" * (UPLOAD_SESSION_FROM - 1))
    large = Attachment("c.pdf", "application/pdf", b"x" * UPLOAD_SESSION_FROM)
    routes = route_attachments([small, medium, large])
    assert routes.inline == (small,)
    assert routes.separate == (medium,)
    assert routes.upload == (large,)


@given(st.integers(min_value=1, max_value=50_000_000))
def test_upload_ranges_cover_the_file_once_in_fragments_of_at_most_4_mb(size: int) -> None:
    ranges = upload_ranges(size)
    assert ranges[0][0] == 0 and ranges[-1][1] == size - 1
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert start == end + 1
    assert all(end - start + 1 <= UPLOAD_CHUNK <= 4 * 1024 * 1024 for start, end in ranges)


def test_draft_fields_carry_our_message_id_and_only_x_headers() -> None:
    message = OutboundMessage(
        message_id="<remind.hbtqia-2026.kfn.1@followup>",
        to=("kfn@ekeby.example",),
        subject="Påminnelse",
        text="Hej",
        html="<p>Hej</p>",
        reply_to="uppfoljning@ekeby.example",
        headers=(("X-Followup-Ref", "HBT26-KFN-Q7"), ("Auto-Submitted", "auto-generated")),
    )
    fields = message_fields(message)
    assert fields["internetMessageId"] == "<remind.hbtqia-2026.kfn.1@followup>"
    assert fields["body"] == {"contentType": "HTML", "content": "<p>Hej</p>"}
    assert fields["toRecipients"] == [{"emailAddress": {"address": "kfn@ekeby.example"}}]
    assert fields["internetMessageHeaders"] == [{"name": "X-Followup-Ref", "value": "HBT26-KFN-Q7"}]
    assert custom_headers(message.headers)[1] == ["Auto-Submitted"]


def test_odata_strings_escape_quotes() -> None:
    assert odata_string("<a'b@x>") == "'<a''b@x>'"


def test_categories_are_added_once() -> None:
    assert categories_after(["Röd"], "Uppföljning", "accepted") == [
        "Röd",
        "Uppföljning",
        "Uppföljning: accepted",
    ]
    assert categories_after(
        ["Uppföljning", "Uppföljning: accepted"], "Uppföljning", "accepted"
    ) == [
        "Uppföljning",
        "Uppföljning: accepted",
    ]


def _page(ids: list[str], *, removed: tuple[str, ...] = (), next_link: str | None = None):
    value: list[dict[str, object]] = [
        {"id": i, "receivedDateTime": "2027-03-01T08:00:00Z"} for i in ids
    ]
    value += [{"id": i, "@removed": {"reason": "deleted"}} for i in removed]
    link = {"@odata.nextLink": next_link} if next_link else {"@odata.deltaLink": "delta-2"}
    return {"value": value, **link}


def test_delta_pages_return_each_message_once_and_forget_processed_ones() -> None:
    first = apply_delta_page(SyncState.decode(None), _page(["a", "b"], next_link="next-1"))
    assert [i for i, _ in first.new] == ["a", "b"] and first.more
    second = apply_delta_page(first.state, _page(["b", "c"]))  # b changed (e.g. read)
    assert [i for i, _ in second.new] == ["c"] and not second.more
    assert second.state.link == "delta-2" and second.state.seen == {"a", "b", "c"}
    third = apply_delta_page(second.state, _page([], removed=("a",)))
    assert third.new == [] and third.state.seen == {"b", "c"}


def test_full_sync_after_expiry_skips_what_the_caller_has_and_prunes_the_rest() -> None:
    before = SyncState(link="expired", seen=frozenset({"b", "gone"}))
    restart = before.restart()
    page1 = apply_delta_page(restart, _page(["a", "b"], next_link="n"))
    page2 = apply_delta_page(SyncState.decode(page1.state.encode()), _page(["d"]))
    assert [i for i, _ in page1.new + page2.new] == ["a", "d"]
    assert page2.state.seen == {"a", "b", "d"}  # "gone" left the inbox while we were away
    assert page2.state.present is None
