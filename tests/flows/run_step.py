"""One step of the simulated spring in its own process (the kill tests SIGKILL it):
`python -m tests.flows.run_step remind 2027-02-03` or `python -m tests.flows.run_step collect`.
Exit status 0 when the flow completed."""

from __future__ import annotations

import datetime as dt
import sys

# Not imported from tests.flows.scenario: that imports tests.conftest, which resets PREFECT_HOME
# and PREFECT_API_URL (this process must use the test session's Prefect API).
CYCLE = "hbtqia-2026"


def main(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "remind":
        from flows.prefect_flows import remind_flow

        remind_flow(cycle=CYCLE, today=dt.date.fromisoformat(argv[1]))
    elif kind == "collect":
        from flows.prefect_flows import collect_flow

        collect_flow(cycle=CYCLE)
    else:
        print(f"unknown step {kind!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
