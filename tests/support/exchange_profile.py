"""Documented Exchange behaviours as switches of the EWS and Graph test servers.

Each field is one behaviour; `tests/support/EXCHANGE_BEHAVIOUR.md` says which document it
follows. `kind()` is a server that does what is asked at once; `realistic()` switches every
behaviour on with the documented delays, multiplied by one time factor (FOLLOWUP_TEST_TIME_FACTOR,
0.01 in the contract suite, 1.0 in `benchmarks/mailbox.py`).

Also here: the fault plan both servers share (queued or random faults, latency), so the two
servers no longer carry their own copies.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

TIME_FACTOR_ENV = "FOLLOWUP_TEST_TIME_FACTOR"
DEFAULT_TEST_TIME_FACTOR = 0.01

# Documented figures (seconds, bytes, requests), before the time factor.
SENT_ITEMS_FILING_SECONDS = 5.0  # transport files the Sent Items copy "after some seconds"
GRAPH_SEND_WINDOW_SECONDS = 5.0  # /send answers 202; the draft leaves Drafts later
EWS_BACK_OFF_SECONDS = 300.0  # BackOffMilliseconds seen on Exchange Online
GRAPH_RETRY_AFTER_SECONDS = 180.0  # Retry-After of minutes on 429
CONCURRENCY_RETRY_AFTER_SECONDS = 1.0  # MailboxConcurrency 429s clear as soon as one returns
GRAPH_MAILBOX_CONCURRENCY = 4  # Outlook service: 4 concurrent requests per app and mailbox
EWS_MAX_CONCURRENCY = 27  # EWSMaxConcurrency of the default throttling policy
UPLOAD_BUDGET_BYTES = 150 * 1024 * 1024  # Outlook service: 150 MB upload per 5 minutes
UPLOAD_WINDOW_SECONDS = 300.0


def time_factor_from_env(default: float = DEFAULT_TEST_TIME_FACTOR) -> float:
    value = os.environ.get(TIME_FACTOR_ENV)
    return float(value) if value else default


@dataclass(frozen=True)
class Behaviour:
    """What the servers do beyond answering. Durations are documented seconds × time_factor."""

    time_factor: float = 1.0
    # Both servers.
    smime_mime_fails: bool = False  # MIME of S/MIME items cannot be converted (every time)
    sent_items_delay: float = 0.0  # seconds before the Sent Items copy is filed
    throttle_back_off: float = 1.0  # what a throttled answer asks the client to wait
    max_concurrency: int | None = None  # requests in flight per mailbox before throttling
    # EWS.
    batch_stops_after_error: bool = False  # GetItem: ErrorBatchProcessingStopped after an error
    # Graph.
    send_window: float = 0.0  # seconds a sent draft stays in Drafts (isDraft) after the 202
    delta_expiry: tuple[int, str] = (410, "SyncStateNotFound")  # answer to an expired token
    upload_budget_bytes: int | None = None  # per `upload_window` seconds
    upload_window: float = UPLOAD_WINDOW_SECONDS
    headers_only_at_create: bool = False  # internetMessageHeaders rejected in a PATCH

    def scaled(self, seconds: float) -> float:
        return seconds * self.time_factor

    def fields(self) -> dict[str, Any]:
        return {
            "time_factor": self.time_factor,
            "smime_mime_fails": self.smime_mime_fails,
            "sent_items_delay": self.sent_items_delay,
            "throttle_back_off": self.throttle_back_off,
            "max_concurrency": self.max_concurrency,
            "batch_stops_after_error": self.batch_stops_after_error,
            "send_window": self.send_window,
            "delta_expiry": list(self.delta_expiry),
            "upload_budget_bytes": self.upload_budget_bytes,
            "upload_window": self.upload_window,
            "headers_only_at_create": self.headers_only_at_create,
        }

    def updated(self, **changes: Any) -> Behaviour:
        if "delta_expiry" in changes:
            status, code = changes["delta_expiry"]
            changes["delta_expiry"] = (int(status), str(code))
        return replace(self, **changes)


def kind() -> Behaviour:
    """Everything happens at once and nothing is refused: the servers as first written."""
    return Behaviour()


def realistic(time_factor: float | None = None, *, graph: bool = False) -> Behaviour:
    """Every documented behaviour on, with documented durations scaled by `time_factor`."""
    factor = time_factor_from_env() if time_factor is None else time_factor
    return Behaviour(
        time_factor=factor,
        smime_mime_fails=True,
        sent_items_delay=SENT_ITEMS_FILING_SECONDS * factor,
        throttle_back_off=(GRAPH_RETRY_AFTER_SECONDS if graph else EWS_BACK_OFF_SECONDS) * factor,
        max_concurrency=GRAPH_MAILBOX_CONCURRENCY if graph else EWS_MAX_CONCURRENCY,
        batch_stops_after_error=True,
        send_window=GRAPH_SEND_WINDOW_SECONDS * factor,
        delta_expiry=(400, "SyncStateNotFound"),
        upload_budget_bytes=UPLOAD_BUDGET_BYTES,
        upload_window=UPLOAD_WINDOW_SECONDS * factor,
        headers_only_at_create=True,
    )


def is_smime(raw: bytes) -> bool:
    """An S/MIME message (signed or encrypted), judged from its top-level Content-Type."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower()
    return (
        b"application/pkcs7-mime" in head
        or b"application/x-pkcs7-mime" in head
        or (b"multipart/signed" in head and b"pkcs7-signature" in head)
    )


# --- faults shared by both servers ---------------------------------------------------------


@dataclass
class FaultPlan:
    """What goes wrong, and how often. `queued` faults hit the next matching requests first.

    `exempt` operations (e.g. the token endpoint) get only faults queued for them by name.
    """

    kinds: tuple[str, ...]
    latency: float = 0.0  # seconds added to every request
    rate: float = 0.0  # probability that a request gets a random fault from `kinds`
    queued: list[tuple[str, str | None]] = field(default_factory=list)  # (kind, operation)
    seed: int = 1
    exempt: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def pick(self, operation: str) -> str | None:
        with self._lock:
            for index, (kind_, only) in enumerate(self.queued):
                if only == operation or (only is None and operation not in self.exempt):
                    del self.queued[index]
                    return kind_
            if operation in self.exempt:
                return None
            if self.rate and self._random.random() < self.rate:
                return self._random.choice(self.kinds)
        return None


class Throttle:
    """A mailbox's throttling state: in-flight requests and uploaded bytes per window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self._uploads: deque[tuple[float, int]] = deque()
        self.uploaded_total = 0

    def enter(self, limit: int | None) -> bool:
        """Count a request in; False (and not counted) if `limit` are already in flight."""
        with self._lock:
            if limit is not None and self.in_flight >= limit:
                return False
            self.in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def upload_wait(self, size: int, budget: int | None, window: float) -> float:
        """Seconds until `size` more bytes fit the budget (0: accepted and counted now)."""
        now = time.monotonic()
        with self._lock:
            while self._uploads and self._uploads[0][0] <= now - window:
                self._uploads.popleft()
            used = sum(n for _, n in self._uploads)
            if budget is not None and used + size > budget and self._uploads:
                return max(0.001, self._uploads[0][0] + window - now)
            self._uploads.append((now, size))
            self.uploaded_total += size
            return 0.0
