"""The test Graph endpoint over HTTPS on 127.0.0.1: Graph under /v1.0, the token endpoint under
/<tenant>/, upload sessions under /_upload/, the control API under /_control/.

Runs in a thread (`GraphServer().start()`) or as a process (`python -m tests.support.graph_server`,
see `graph_server_process`). HTTPS because msal accepts only an https authority; clients trust
the server's self-signed certificate through FOLLOWUP_GRAPH_CA_BUNDLE.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from flows.mail.graph_settings import GraphSettings
from tests.support.exchange_profile import Behaviour
from tests.support.graph_server.app import Credentials, GraphApp, GraphHandler
from tests.support.graph_server.control import GraphControl
from tests.support.graph_server.tls import write_self_signed

DEFAULT_CREDENTIALS = Credentials(
    tenant_id="00000000-0000-4000-8000-00000000a11e",
    client_id="11111111-2222-4333-8444-555555555555",
    client_secret="test-client-secret",
    mailbox="uppfoljning@ekeby.example",
    user_id="99999999-8888-4777-8666-555555555555",
)


def graph_env(url: str, ca_file: Path, credentials: Credentials) -> dict[str, str]:
    """FOLLOWUP_GRAPH_* settings and the client secret that point the adapter at `url`."""
    return {
        "FOLLOWUP_GRAPH_TENANT_ID": credentials.tenant_id,
        "FOLLOWUP_GRAPH_CLIENT_ID": credentials.client_id,
        "FOLLOWUP_GRAPH_MAILBOX": credentials.mailbox,
        "FOLLOWUP_GRAPH_BASE_URL": f"{url}/v1.0",
        "FOLLOWUP_GRAPH_AUTHORITY": f"{url}/{credentials.tenant_id}",
        "FOLLOWUP_GRAPH_CA_BUNDLE": str(ca_file),
        "FOLLOWUP_GRAPH_CLIENT_SECRET": credentials.client_secret,
    }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True


class GraphServer:
    """One mailbox behind a Graph endpoint, with client-credentials tokens."""

    def __init__(
        self,
        *,
        credentials: Credentials = DEFAULT_CREDENTIALS,
        port: int = 0,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.credentials = credentials
        self.address = credentials.mailbox
        self._cert_dir = Path(tempfile.mkdtemp(prefix="graph-server-"))
        self.ca_file, key = write_self_signed(self._cert_dir)
        self.app = GraphApp(credentials, behaviour)
        handler = type("BoundGraphHandler", (GraphHandler,), {"app": self.app})
        self._httpd = _HTTPServer(("127.0.0.1", port), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.app.base_url = self.url
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return graph_env(self.url, self.ca_file, self.credentials)

    def settings(self, **overrides: Any) -> GraphSettings:
        """Settings that point the adapter at this endpoint; the client secret is not one (it
        is in `env()`)."""
        values: dict[str, Any] = {
            "tenant_id": self.credentials.tenant_id,
            "client_id": self.credentials.client_id,
            "mailbox": self.credentials.mailbox,
            "base_url": f"{self.url}/v1.0",
            "authority": f"{self.url}/{self.credentials.tenant_id}",
            "ca_bundle": self.ca_file,
            **overrides,
        }
        return GraphSettings(**values)

    def start(self) -> GraphServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self.close()

    def close(self) -> None:
        """Release the socket and the certificate (after serve_forever has returned)."""
        self._httpd.server_close()
        shutil.rmtree(self._cert_dir, ignore_errors=True)

    def __enter__(self) -> GraphServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # the same operations as the control API -------------------------------------------------

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        return self.app.deliver(raw, folder)

    def sent(self) -> list[dict[str, Any]]:
        return self.app.sent()

    def folder_messages(self, name: str) -> list[dict[str, Any]]:
        return self.app.folder_messages(name)

    def set_faults(self, **changes: Any) -> None:
        self.app.set_faults(**changes)

    def expire_delta_tokens(self) -> None:
        self.app.expire_delta_tokens()

    def set_behaviour(self, **changes: Any) -> None:
        self.app.set_behaviour(**changes)

    @property
    def behaviour(self) -> Behaviour:
        return self.app.behaviour

    def seed_processed(self, count: int) -> int:
        return self.app.seed_processed(count)

    def reset_stats(self) -> None:
        self.app.stats.reset()

    def stats(self) -> dict[str, Any]:
        return self.app.stats.as_dict()

    def reset(self) -> None:
        self.app.reset()


@contextmanager
def graph_server_process(
    port: int = 0, *, latency: float = 0.0, realistic: float | None = None
) -> Iterator[GraphControl]:
    """The endpoint as a separate process (reachable from other processes too); `realistic`:
    the realistic profile's time factor (None: the kind server)."""
    repo = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    command = [sys.executable, "-m", "tests.support.graph_server", "--port", str(port)]
    if latency:
        command += ["--latency", str(latency)]
    if realistic is not None:
        command += ["--realistic", str(realistic)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=repo
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the Graph test server did not start")
        info = json.loads(line)
        with GraphControl(info["url"], Path(info["ca_file"])) as control:
            yield control
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def info_line(server: GraphServer) -> str:
    """The first line the process prints: where to connect and which certificate to trust."""
    return json.dumps({"url": server.url, "ca_file": str(server.ca_file), "env": server.env()})
