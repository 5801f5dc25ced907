"""`followup serve`: every deployment with its schedule, served from one process.

The embedded way to run on one machine: the process registers the deployments with the Prefect
API (PREFECT_API_URL, or a local server started for the purpose) and runs their flow runs itself.
At most one flow run executes at a time, so remind and collect never work the mailbox at once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flows.config import load_config
from flows.deployments import TIMEZONE, build_deployments
from flows.settings import Settings

# One run at a time: remind and collect share the mailbox (see docs/operations.md).
SERVE_LIMIT = 1


def serve(settings: Settings | None = None) -> None:
    """Serve remind, collect, compile and status until interrupted (Ctrl-C)."""
    from prefect import serve as prefect_serve

    settings = settings or Settings()
    config = load_config(settings.config)
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    deployments = build_deployments(config, today)
    prefect_serve(*deployments, limit=SERVE_LIMIT)
