"""Client for the test Graph endpoint's control API: the same operations as `GraphServer`."""

from __future__ import annotations

import base64
import json
import ssl
from pathlib import Path
from typing import Any

import httpx


class GraphControl:
    def __init__(self, url: str, ca_file: Path, *, address: str | None = None) -> None:
        from tests.support.graph_server.server import DEFAULT_CREDENTIALS

        self.url = url
        self.ca_file = ca_file
        self.address = address or DEFAULT_CREDENTIALS.mailbox
        self._client = httpx.Client(
            base_url=f"{url}/_control",
            verify=ssl.create_default_context(cafile=str(ca_file)),
            timeout=30,
        )

    def __enter__(self) -> GraphControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, route: str, **kwargs: Any) -> Any:
        response = self._client.request(method, route, **kwargs)
        response.raise_for_status()
        return response.json()

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/health")
        return result

    def env(self) -> dict[str, str]:
        from tests.support.graph_server.server import DEFAULT_CREDENTIALS, graph_env

        return graph_env(self.url, self.ca_file, DEFAULT_CREDENTIALS)

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        return str(self._call("POST", "/deliver", content=raw, params={"folder": folder})["id"])

    def sent(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call("GET", "/sent")
        return [{**item, "mime": base64.b64decode(item["mime"])} for item in items]

    def folder_messages(self, name: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self._call("GET", f"/folders/{name}/messages")
        return items

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        """latency, rate, kinds, retry_after, seed, queued=[[kind, operation|None], ...]."""
        plan: dict[str, Any] = self._call("POST", "/faults", content=json.dumps(changes).encode())
        return plan

    def seed_processed(self, count: int) -> int:
        """Put `count` already processed messages into the mailbox (server-side, fast)."""
        content = json.dumps({"count": count}).encode()
        reply = self._call("POST", "/seed_processed", content=content, timeout=300)
        return int(reply["processed"])

    def reset_stats(self) -> None:
        self._call("POST", "/stats/reset")

    def set_behaviour(self, **changes: Any) -> dict[str, Any]:
        """Switch documented behaviours (tests/support/exchange_profile.Behaviour fields)."""
        result: dict[str, Any] = self._call(
            "POST", "/behaviour", content=json.dumps(changes).encode()
        )
        return result

    def expire_delta_tokens(self) -> None:
        self._call("POST", "/expire-delta")

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/stats")
        return result

    def reset(self) -> None:
        self._call("POST", "/reset")
