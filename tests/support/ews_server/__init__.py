"""A small EWS endpoint on localhost over an in-memory mailbox, with fault injection."""

from tests.support.ews_server.server import (
    DEFAULT_ADDRESS,
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    EWS_PATH,
    FAULT_KINDS,
    EwsServer,
    FaultPlan,
)

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "EWS_PATH",
    "FAULT_KINDS",
    "EwsServer",
    "FaultPlan",
]
