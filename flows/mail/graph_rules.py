"""Pure decisions of the Graph adapter: retries, attachment routes, request bodies, sync state."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from flows.mail.port import Attachment, OutboundMessage

# Graph: a request body may be at most 4 MB; files from 3 MB on need an upload session.
UPLOAD_SESSION_FROM = 3 * 1024 * 1024
# Inline attachments travel base64-encoded (x 4/3) inside the draft's JSON.
INLINE_BUDGET = 2 * 1024 * 1024
# Upload-session fragments: at most 4 MB each; a multiple of 320 KiB is what Graph suggests.
UPLOAD_CHUNK = 12 * 320 * 1024
THROTTLED = frozenset({429, 503})
SERVER_ERRORS = frozenset({500, 502, 504})


# retries ------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    max_retry_after_seconds: float = 120.0


def retry_delay(
    status: int | None,
    retry_after: float | None,
    attempt: int,
    *,
    idempotent: bool,
    policy: RetryPolicy,
) -> float | None:
    """How long to wait before attempt `attempt + 1`, or None to give up now.

    `status` None means the connection failed (no answer). Throttling (429, 503) means the
    server did not act, so any request may be repeated; other failures only idempotent ones.
    """
    if attempt >= policy.max_attempts:
        return None
    backoff: float = min(policy.max_backoff_seconds, policy.backoff_seconds * 2.0 ** (attempt - 1))
    if status in THROTTLED:
        if retry_after is None:
            return backoff
        return retry_after if retry_after <= policy.max_retry_after_seconds else None
    if status is None or status in SERVER_ERRORS:
        return backoff if idempotent else None
    return None


# sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentRoutes:
    inline: tuple[Attachment, ...]  # in the draft's JSON
    separate: tuple[Attachment, ...]  # one POST .../attachments each (under 3 MB)
    upload: tuple[Attachment, ...]  # upload session (3 MB and more)


def route_attachments(attachments: Iterable[Attachment]) -> AttachmentRoutes:
    inline: list[Attachment] = []
    separate: list[Attachment] = []
    upload: list[Attachment] = []
    budget = INLINE_BUDGET
    for attachment in attachments:
        size = len(attachment.data)
        if size >= UPLOAD_SESSION_FROM:
            upload.append(attachment)
        elif size <= budget:
            inline.append(attachment)
            budget -= size
        else:
            separate.append(attachment)
    return AttachmentRoutes(tuple(inline), tuple(separate), tuple(upload))


def upload_ranges(size: int, chunk: int = UPLOAD_CHUNK) -> list[tuple[int, int]]:
    """Inclusive byte ranges (start, end) covering `size` bytes."""
    return [(start, min(start + chunk, size) - 1) for start in range(0, size, chunk)]


def file_attachment(attachment: Attachment, name: str) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": name,
        "contentType": attachment.content_type,
        "contentBytes": base64.b64encode(attachment.data).decode("ascii"),
    }


def _recipients(addresses: Iterable[str]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": address}} for address in addresses]


def custom_headers(headers: Sequence[tuple[str, str]]) -> tuple[list[dict[str, str]], list[str]]:
    """Graph accepts only X- headers on a message: (those as Graph JSON, names left out)."""
    kept = [{"name": n, "value": v} for n, v in headers if n.lower().startswith("x-")]
    dropped = [n for n, _ in headers if not n.lower().startswith("x-")]
    return kept, dropped


def message_fields(message: OutboundMessage) -> dict[str, Any]:
    """The draft's properties (everything but attachments)."""
    if message.html is not None:
        body = {"contentType": "HTML", "content": message.html}
    else:
        body = {"contentType": "Text", "content": message.text}
    fields: dict[str, Any] = {
        "subject": message.subject,
        "body": body,
        "toRecipients": _recipients(message.to),
        "ccRecipients": _recipients(message.cc),
        "internetMessageId": message.message_id,
    }
    if message.reply_to:
        fields["replyTo"] = _recipients([message.reply_to])
    kept, _ = custom_headers(message.headers)
    if kept:
        fields["internetMessageHeaders"] = kept
    return fields


def odata_string(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def categories_after(existing: Sequence[str], prefix: str, outcome: str) -> list[str]:
    """The message's categories plus ours, without duplicates, in a stable order."""
    wanted = [prefix, f"{prefix}: {outcome}"]
    return list(existing) + [c for c in wanted if c not in existing]


# incremental fetch --------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncState:
    """What fetch_new hands the caller, as JSON.

    `link` is the delta or next-page link (None: start a full sync). `seen` holds the ids
    already returned that are still in the inbox; a full sync after an expired delta token
    skips them, and an `@removed` entry (moved out when processed) drops them. During a full
    sync, `present` collects the ids it met, so that at its end `seen` keeps only those.
    """

    link: str | None = None
    seen: frozenset[str] = frozenset()
    present: frozenset[str] | None = None

    def restart(self) -> SyncState:
        return SyncState(link=None, seen=self.seen, present=frozenset())

    def encode(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "link": self.link,
                "seen": sorted(self.seen),
                "present": None if self.present is None else sorted(self.present),
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, state: str | None) -> SyncState:
        if not state:
            return cls().restart()
        data = json.loads(state)
        present = data.get("present")
        return cls(
            link=data.get("link"),
            seen=frozenset(data.get("seen", ())),
            present=None if present is None else frozenset(present),
        )


@dataclass(frozen=True)
class DeltaStep:
    new: list[tuple[str, str | None]]  # (id, receivedDateTime) of messages to fetch
    state: SyncState
    more: bool


def apply_delta_page(state: SyncState, page: Mapping[str, Any]) -> DeltaStep:
    """Which messages of one delta page are new to the caller, and the state after it."""
    seen = set(state.seen)
    present = None if state.present is None else set(state.present)
    new: list[tuple[str, str | None]] = []
    for item in page.get("value", []):
        item_id = str(item["id"])
        if "@removed" in item:
            seen.discard(item_id)
            if present is not None:
                present.discard(item_id)
            continue
        if present is not None:
            present.add(item_id)
        if item_id in seen:
            continue
        seen.add(item_id)
        new.append((item_id, item.get("receivedDateTime")))
    next_link = page.get("@odata.nextLink")
    if next_link:
        frozen_present = None if present is None else frozenset(present)
        return DeltaStep(new, SyncState(str(next_link), frozenset(seen), frozen_present), True)
    if present is not None:
        seen &= present
    return DeltaStep(new, SyncState(page.get("@odata.deltaLink"), frozenset(seen), None), False)
