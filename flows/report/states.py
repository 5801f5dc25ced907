"""Each board's state for the report, derived exactly as `followup status` derives it."""

from __future__ import annotations

import datetime as dt

from flows.ledger import Ledger
from flows.model import Config, Cycle
from flows.status import StatusReport, derive_status


def status_report(ledger: Ledger, config: Config, cycle: Cycle, today: dt.date) -> StatusReport:
    """The same StatusReport `status_flow` publishes, from the same ledger records."""
    return derive_status(
        config,
        cycle,
        outbound=ledger.outbound_for(cycle.id),
        submissions=ledger.submissions(cycle.id),
        inbound=ledger.inbound(cycle.id),
        open_quarantine=len(ledger.quarantined(open_only=True)),
        today=today,
    )
