"""The test EWS endpoint in its own process, and a client for its control API."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support.ews_server.server import DEFAULT_ADDRESS, DEFAULT_PASSWORD, DEFAULT_USER

REPO = Path(__file__).resolve().parents[3]


class EwsControl:
    """Drives a running test EWS endpoint over HTTP (/_control/...)."""

    def __init__(self, base_url: str, *, address: str = DEFAULT_ADDRESS) -> None:
        self.base_url = base_url
        self.endpoint = f"{base_url}/EWS/Exchange.asmx"
        self.address = address
        self._http = httpx.Client(base_url=f"{base_url}/_control/", timeout=30)

    def health(self) -> dict[str, Any]:
        return dict(self._http.get("health").raise_for_status().json())

    def deliver(self, raw: bytes, *, corrupt: bool = False) -> str:
        route = "deliver?corrupt=1" if corrupt else "deliver"
        return str(self._http.post(route, content=raw).raise_for_status().json()["id"])

    def set_behaviour(self, **changes: Any) -> dict[str, Any]:
        """Switch documented behaviours (tests/support/exchange_profile.Behaviour fields)."""
        return dict(self._http.post("behaviour", json=changes).raise_for_status().json())

    def folder_items(self, distinguished: str) -> list[dict[str, Any]]:
        return list(self._http.get(f"folders/{distinguished}").raise_for_status().json())

    def sent(self) -> list[dict[str, Any]]:
        result = self._http.get("sent").raise_for_status().json()
        return [{**s, "mime": base64.b64decode(s["mime"])} for s in result]

    def set_faults(self, **plan: Any) -> dict[str, Any]:
        """latency, rate, kinds, back_off_ms, seed, queued=[[kind, operation|None], ...]."""
        return dict(self._http.post("faults", json=plan).raise_for_status().json())

    def seed_processed(self, count: int) -> int:
        """Put `count` already processed messages into the mailbox (server-side, fast)."""
        response = self._http.post("seed_processed", json={"count": count}, timeout=300)
        return int(response.raise_for_status().json()["processed"])

    def stats(self) -> dict[str, Any]:
        return dict(self._http.get("stats").raise_for_status().json())

    def reset_stats(self) -> None:
        self._http.post("stats/reset").raise_for_status()

    def reset(self) -> None:
        self._http.post("reset").raise_for_status()

    def env(self) -> dict[str, str]:
        """FOLLOWUP_* variables that point the EWS adapter (in any process) at this endpoint."""
        return {
            "FOLLOWUP_TRANSPORT": "ews",
            "FOLLOWUP_EWS_ENDPOINT": self.endpoint,
            "FOLLOWUP_EWS_ADDRESS": self.address,
            "FOLLOWUP_EWS_AUTH": "basic",
            "FOLLOWUP_EWS_USERNAME": DEFAULT_USER,
            "FOLLOWUP_EWS_PASSWORD": DEFAULT_PASSWORD,
            "FOLLOWUP_EWS_VERSION": "15.1.2507.6",
            "FOLLOWUP_EWS_RETRY_BASE_SECONDS": "0.05",
        }

    def close(self) -> None:
        self._http.close()


@contextmanager
def ews_server_process(
    *, latency: float = 0.0, realistic: float | None = None
) -> Iterator[EwsControl]:
    """Start `python -m tests.support.ews_server` on a free port; stop it afterwards.

    `realistic`: the time factor of the realistic profile (None: the kind server)."""
    command = [sys.executable, "-m", "tests.support.ews_server", "--port", "0"]
    if latency:
        command += ["--latency", str(latency)]
    if realistic is not None:
        command += ["--realistic", str(realistic)]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"control (http://127\.0\.0\.1:\d+)/_control/", first)
        if not found:
            raise RuntimeError(f"the EWS test server did not start: {first!r}")
        control = EwsControl(found.group(1))
        try:
            yield control
        finally:
            control.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
