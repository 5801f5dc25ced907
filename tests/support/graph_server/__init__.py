"""A small Microsoft Graph mail endpoint on 127.0.0.1 for tests, with fault switches.

In-process: `with GraphServer() as server: ...`; separate process: `python -m
tests.support.graph_server --port N` or `with graph_server_process() as control: ...`. Both offer
deliver, sent, folder_messages, set_faults, expire_delta_tokens, stats, reset and env().
"""

from tests.support.graph_server.control import GraphControl
from tests.support.graph_server.faults import FAULT_KINDS, FaultPlan
from tests.support.graph_server.server import (
    DEFAULT_CREDENTIALS,
    GraphServer,
    graph_env,
    graph_server_process,
)

__all__ = [
    "DEFAULT_CREDENTIALS",
    "FAULT_KINDS",
    "FaultPlan",
    "GraphControl",
    "GraphServer",
    "graph_env",
    "graph_server_process",
]
