"""`followup serve`: every deployment with its schedule, served from one process.

The embedded way to run on one machine: the process registers the deployments with the Prefect
API (PREFECT_API_URL, or a local server started for the purpose) and runs their flow runs itself.
At most one flow run executes at a time, so remind and collect never work the mailbox at once.
"""

from __future__ import annotations

from flows.deployments import build_deployments
from flows.runtime import Runtime

# One run at a time: remind and collect share the mailbox (see docs/operations.md).
SERVE_LIMIT = 1


def serve(runtime: Runtime) -> None:
    """Serve remind, collect, compile and status until interrupted (Ctrl-C)."""
    from prefect import serve as prefect_serve

    deployments = build_deployments(runtime.config, runtime.today())
    prefect_serve(*deployments, limit=SERVE_LIMIT)
