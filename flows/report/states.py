"""Each board's state (not_invited … submitted) for the report, as `followup status` derives it."""

from __future__ import annotations

import datetime as dt

from flows.ledger import REMINDER_KINDS, Ledger
from flows.model import Config, Cycle


def board_states(ledger: Ledger, config: Config, cycle: Cycle, today: dt.date) -> dict[str, str]:
    """Board id -> state. Interim adapter until flows.status offers the derivation itself."""
    submissions = ledger.submissions(cycle.id)
    sent = [o for o in ledger.outbound_for(cycle.id) if o.sent]
    states: dict[str, str] = {}
    for board in config.boards_in(cycle):
        own = [s for s in submissions if s.board == board.id]
        kinds = {o.kind for o in sent if o.board == board.id}
        if any(s.valid for s in own):
            states[board.id] = "submitted"
        elif own:
            states[board.id] = "rejected"
        elif today > cycle.deadline and kinds:
            states[board.id] = "overdue"
        elif kinds & REMINDER_KINDS:
            states[board.id] = "reminded"
        elif "invitation" in kinds:
            states[board.id] = "invited"
        else:
            states[board.id] = "not_invited"
    return states
