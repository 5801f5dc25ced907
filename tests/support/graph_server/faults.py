"""Fault switches, like the EWS test server's: queued or random faults, latency.

Kinds: http500, http503, http429 (both with Retry-After), drop_before (connection closed before
the request takes effect), drop_after (it took effect, the answer is lost). Operations are the
names in `GraphServer.stats` (delta, mime, create_message, send, upload_put, token, ...). Random
faults never hit the token endpoint; a queued fault does when it names "token".
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.support.exchange_profile import FaultPlan as SharedFaultPlan

FAULT_KINDS = ("http500", "http503", "http429", "drop_before", "drop_after")
_NO_RANDOM_FAULTS = frozenset({"token", "openid_configuration"})


@dataclass
class FaultPlan(SharedFaultPlan):
    kinds: tuple[str, ...] = FAULT_KINDS
    retry_after: float | None = 1.0  # Retry-After (seconds) on 429 and 503 answers
    exempt: frozenset[str] = _NO_RANDOM_FAULTS

    def fields(self) -> dict[str, Any]:
        return {
            "latency": self.latency,
            "rate": self.rate,
            "kinds": list(self.kinds),
            "retry_after": self.retry_after,
            "queued": [list(q) for q in self.queued],
            "seed": self.seed,
        }


def updated_plan(current: FaultPlan, changes: dict[str, Any]) -> FaultPlan:
    """A new plan: given fields replace the current ones; `queued` is replaced as a whole."""
    fields = current.fields()
    fields.update(changes)
    fields["kinds"] = tuple(fields["kinds"])
    fields["queued"] = [(str(k), None if o is None else str(o)) for k, o in fields["queued"]]
    unknown = {k for k, _ in fields["queued"]} - set(FAULT_KINDS)
    if unknown:
        raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
    return FaultPlan(**fields)


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    uploaded_bytes: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, operation: str) -> None:
        with self.lock:
            self.requests[operation] += 1

    def started(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def finished(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def fault(self, kind: str) -> None:
        with self.lock:
            self.faults[kind] += 1

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "total": sum(self.requests.values()),
                "requests": dict(self.requests),
                "faults": dict(self.faults),
                "max_in_flight": self.max_in_flight,
                "uploaded_bytes": self.uploaded_bytes,
            }

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.uploaded_bytes = 0
            self.max_in_flight = self.in_flight
