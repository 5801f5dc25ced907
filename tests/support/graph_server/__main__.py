"""`python -m tests.support.graph_server --port N`: the test Graph endpoint as a process.

Prints one JSON line first ({"url", "ca_file", "env"}), then serves until terminated.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys

from tests.support.exchange_profile import realistic
from tests.support.graph_server.server import GraphServer, info_line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument(
        "--realistic", type=float, default=None, metavar="FACTOR", help="realistic profile"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    behaviour = realistic(args.realistic, graph=True) if args.realistic is not None else None
    server = GraphServer(port=args.port, behaviour=behaviour)
    server.set_faults(latency=args.latency)
    # Terminated by the parent: leave serve_forever through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(info_line(server), flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
