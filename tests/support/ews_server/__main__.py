"""`python -m tests.support.ews_server --port N`: the test EWS endpoint as a separate process."""

from __future__ import annotations

import argparse
import contextlib
import logging

from tests.support.ews_server.server import (
    DEFAULT_ADDRESS,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    EwsServer,
)
from tests.support.exchange_profile import realistic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--address", default=DEFAULT_ADDRESS)
    parser.add_argument("--username", default=DEFAULT_USER)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument(
        "--realistic",
        type=float,
        default=None,
        metavar="FACTOR",
        help="switch on the realistic profile with this time factor",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    behaviour = realistic(args.realistic) if args.realistic is not None else None
    server = EwsServer(
        address=args.address,
        username=args.username,
        password=args.password,
        port=args.port,
        behaviour=behaviour,
    )
    server.set_faults(latency=args.latency)
    # The first line tells a parent process where to connect.
    print(f"EWS endpoint {server.endpoint} control {server.base_url}/_control/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
