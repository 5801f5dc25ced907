"""An EWS endpoint on 127.0.0.1 for tests: SOAP at /EWS/Exchange.asmx, control API at /_control/.

Runs in a thread (`EwsServer().start()`) or as a process (`python -m tests.support.ews_server`).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import ssl
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import spnego
from lxml import etree

from tests.support.ews_server.operations import Operations, UnsupportedOperation, parse_request
from tests.support.ews_server.soap import (
    IIS_500_PAGE,
    autodiscover_response,
    schema_fault,
    server_busy_fault,
)
from tests.support.ews_server.store import Store
from tests.support.exchange_profile import Behaviour, Throttle
from tests.support.exchange_profile import FaultPlan as SharedFaultPlan
from tests.support.graph_server.tls import write_self_signed

log = logging.getLogger(__name__)

EWS_PATH = "/EWS/Exchange.asmx"
AUTODISCOVER_PATH = "/autodiscover/autodiscover.svc"
FAULT_KINDS = ("http500", "http503", "busy", "drop_before", "drop_after")
DEFAULT_ADDRESS = "uppfoljning@ekeby.example"
DEFAULT_USER = "EKEBY\\svc-followup"
DEFAULT_PASSWORD = "test-secret"


@dataclass
class FaultPlan(SharedFaultPlan):
    """Faults of the shared plan; `back_off_ms` None: the behaviour's throttle_back_off."""

    kinds: tuple[str, ...] = FAULT_KINDS
    back_off_ms: int | None = None


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    impersonated: set[str] = field(default_factory=set)
    sequence: list[str] = field(default_factory=list)  # operation names in arrival order
    unauthorized: int = 0
    bytes_in: int = 0  # request bodies received (SOAP), as the upload budget counts them
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self) -> int:
        return sum(self.requests.values())

    def as_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "total": self.total(),
                "requests": dict(self.requests),
                "faults": dict(self.faults),
                "impersonated": sorted(self.impersonated),
                "unauthorized": self.unauthorized,
                "uploaded_bytes": self.bytes_in,
                "max_in_flight": self.max_in_flight,
            }

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.sequence.clear()
            self.unauthorized = 0
            self.bytes_in = 0
            self.max_in_flight = self.in_flight


AUTH_KINDS = ("basic", "ntlm", "bearer")


class EwsServer:
    """One mailbox behind an EWS endpoint.

    `auth`: "basic" (the credentials given), "ntlm" (the same credentials, through a real NTLM
    acceptor from pyspnego, as IIS in front of Exchange does), or "bearer" (OAuth2 access
    tokens, which `token_valid` checks: the Graph test server's token endpoint issues them).
    """

    def __init__(
        self,
        *,
        address: str = DEFAULT_ADDRESS,
        username: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
        host: str = "127.0.0.1",
        port: int = 0,
        behaviour: Behaviour | None = None,
        auth: str = "basic",
        token_valid: Callable[[str], bool] | None = None,
        tls: bool = False,
    ) -> None:
        if auth not in AUTH_KINDS:
            raise ValueError(f"auth must be one of {AUTH_KINDS}")
        self.address = address
        self.username = username
        self.password = password
        self.auth = auth
        self.token_valid = token_valid
        self.behaviour = self._initial_behaviour = behaviour or Behaviour()
        self.store = Store(address)
        self.operations = Operations(self.store, lambda: self.behaviour)
        self.faults = FaultPlan()
        self.stats = Stats()
        self.throttle = Throttle()
        self._ntlm_file: str | None = None
        if auth == "ntlm":
            self._ntlm_file = _ntlm_user_file(username, password)
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.ca_file: Path | None = None  # the certificate to trust, with tls=True
        if tls:
            self._cert_dir = Path(tempfile.mkdtemp(prefix="ews-server-"))
            self.ca_file, key = write_self_signed(self._cert_dir, "ews-test-server")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca_file, key)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ca_file else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def autodiscover_url(self) -> str:
        return self.base_url + AUTODISCOVER_PATH

    @property
    def endpoint(self) -> str:
        return self.base_url + EWS_PATH

    def start(self) -> EwsServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._ntlm_file:
            os.unlink(self._ntlm_file)

    def __enter__(self) -> EwsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """An empty mailbox, the behaviour it started with, no faults, zero counters."""
        self.behaviour = self._initial_behaviour
        with self.store.lock:
            self.store = Store(self.address)
            self.operations = Operations(self.store, lambda: self.behaviour)
        self.faults = FaultPlan()
        self.stats.reset()

    def deliver(self, raw: bytes, *, corrupt: bool = False) -> str:
        """Put a message into the inbox; a `corrupt` one fails every read of its content."""
        return self.store.deliver(raw, corrupt=corrupt).id

    def set_behaviour(self, **changes: Any) -> None:
        self.behaviour = self.behaviour.updated(**changes)

    def folder_items(self, distinguished: str) -> list[dict[str, Any]]:
        """What a folder (inbox, drafts, outbox, sentitems) holds now."""
        with self.store.lock:
            self.store.file_due()
            folder = self.store.folders_by_name(distinguished)
            return [
                {"id": i.id, "message_id": i.message_id, "subject": i.subject}
                for i in self.store.find_in_folder(folder.id)
            ]

    def seed_processed(self, count: int, folder_name: str = "Behandlade") -> int:
        """`count` messages that arrived and were processed long ago (moved out of the inbox)."""
        inbox = self.store.folders_by_name("inbox")
        with self.store.lock:
            existing = [f for f in self.store.children(inbox.id) if f.name == folder_name]
            target = existing[0] if existing else self.store.create_folder(inbox.id, folder_name)
            for n in range(count):
                raw = (
                    f"From: namnd{n % 14}@ekeby.example\r\nTo: {self.address}\r\n"
                    f"Subject: Uppföljning {n}\r\nMessage-ID: <old-{n}@ekeby.example>\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\nSvar.\r\n"
                ).encode()
                item = self.store.deliver(raw)
                self.store.move(item.id, target.id)
        return len(target.item_ids)

    def sent(self) -> list[dict[str, Any]]:
        with self.store.lock:
            return [
                {"recipients": list(s.recipients), "message_id": s.message_id, "mime": s.mime}
                for s in self.store.sent
            ]

    def set_faults(self, **changes: Any) -> None:
        queued = [(k, o) for k, o in changes.pop("queued", [])]
        plan = FaultPlan(**{**_plan_fields(self.faults), **changes})
        plan.queued = queued
        self.faults = plan

    # --- request handling ----------------------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        """Basic or Bearer authorization of one request (NTLM authenticates connections)."""
        if not header:
            return False
        if self.auth == "bearer":
            token = header[7:] if header.startswith("Bearer ") else ""
            return bool(token) and self.token_valid is not None and self.token_valid(token)
        if self.auth != "basic" or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.username and password == self.password


def _ntlm_user_file(username: str, password: str) -> str:
    """pyspnego's NTLM acceptor reads its accounts from the file NTLM_USER_FILE names."""
    domain, _, user = username.rpartition("\\")
    handle, path = tempfile.mkstemp(prefix="ews-ntlm-", suffix=".txt")
    with os.fdopen(handle, "w") as out:
        out.write(f"{domain}:{user}:{password}\n")
    os.environ["NTLM_USER_FILE"] = path
    return path


def _plan_fields(plan: FaultPlan) -> dict[str, Any]:
    return {
        "latency": plan.latency,
        "rate": plan.rate,
        "kinds": plan.kinds,
        "back_off_ms": plan.back_off_ms,
        "seed": plan.seed,
    }


def _handler_for(server: EwsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 120  # a client that stops sending mid-request must not hold a thread forever

        def setup(self) -> None:
            super().setup()
            # Headers and body go out as separate writes; without this, Nagle's algorithm and
            # delayed ACKs add 40 ms to every response.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        # --- SOAP ----------------------------------------------------------------------

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/_control/"):
                self._control("POST", body)
                return
            path = self.path.split("?")[0].lower()
            if path not in (EWS_PATH.lower(), AUTODISCOVER_PATH):
                self._reply(404, b"not found", "text/plain")
                return
            if not self._authenticated():
                return
            if path == AUTODISCOVER_PATH:
                with server.stats.lock:
                    server.stats.requests["GetUserSettings"] += 1
                self._reply(200, autodiscover_response(body, server.address, server.endpoint))
                return
            if not server.throttle.enter(server.behaviour.max_concurrency):
                # Over EWSMaxConcurrency: Exchange refuses the request as busy.
                with server.stats.lock:
                    server.stats.faults["concurrency"] += 1
                self._reply(500, server_busy_fault(self._back_off_ms()))
                return
            with server.stats.lock:
                server.stats.bytes_in += len(body)
                server.stats.in_flight += 1
                server.stats.max_in_flight = max(server.stats.max_in_flight, server.stats.in_flight)
            try:
                self._soap(body)
            finally:
                server.throttle.leave()
                with server.stats.lock:
                    server.stats.in_flight -= 1

        def _back_off_ms(self) -> int:
            plan = server.faults
            if plan.back_off_ms is not None:
                return plan.back_off_ms
            return max(1, round(server.behaviour.throttle_back_off * 1000))

        def _authenticated(self) -> bool:
            """True if the request may go on; otherwise the 401 (or NTLM challenge) is sent."""
            header = self.headers.get("Authorization")
            if server.auth == "ntlm":
                return self._ntlm(header)
            if server.authorized(header):
                return True
            with server.stats.lock:
                server.stats.unauthorized += 1
            scheme = 'Bearer realm="ews"' if server.auth == "bearer" else 'Basic realm="ews"'
            self._reply(401, b"", "text/plain", {"WWW-Authenticate": scheme})
            return False

        def _ntlm(self, header: str | None) -> bool:
            """NTLM authenticates the connection: negotiate, challenge, authenticate (MS-NLMP)."""
            if getattr(self, "_ntlm_user", None):
                return True
            token = header[5:] if header and header.startswith("NTLM ") else None
            if token is None:
                with server.stats.lock:
                    server.stats.unauthorized += 1
                self._ntlm_context = None
                self._reply(401, b"", "text/plain", {"WWW-Authenticate": "NTLM"})
                return False
            context = getattr(self, "_ntlm_context", None)
            if context is None:
                context = spnego.server(protocol="ntlm")
                self._ntlm_context = context
            try:
                answer = context.step(base64.b64decode(token))
            except (spnego.exceptions.SpnegoError, ValueError):
                answer, context = None, None
            if context is not None and context.complete:
                self._ntlm_user = context.client_principal
                return True
            with server.stats.lock:
                server.stats.unauthorized += 1
            if answer is None:
                self._ntlm_context = None
                self._reply(401, b"", "text/plain", {"WWW-Authenticate": "NTLM"})
            else:
                challenge = "NTLM " + base64.b64encode(answer).decode()
                self._reply(401, b"", "text/plain", {"WWW-Authenticate": challenge})
            return False

        def _soap(self, body: bytes) -> None:
            try:
                name, element, header = parse_request(body)
            except (etree.XMLSyntaxError, UnsupportedOperation, IndexError) as exc:
                self._reply(500, schema_fault(f"Malformed request: {exc}"))
                return
            with server.stats.lock:
                server.stats.requests[name] += 1
                if len(server.stats.sequence) < 100_000:
                    server.stats.sequence.append(name)
                impersonated = _impersonated(header)
                if impersonated:
                    server.stats.impersonated.add(impersonated)
            plan = server.faults
            if plan.latency:
                time.sleep(plan.latency)
            fault = plan.pick(name)
            if fault:
                with server.stats.lock:
                    server.stats.faults[fault] += 1
            if fault == "drop_before":
                self._drop()
                return
            if fault == "http500":
                self._reply(500, IIS_500_PAGE, "text/html")
                return
            if fault == "http503":
                self._reply(503, b"Service Unavailable", "text/html")
                return
            if fault == "busy":
                self._reply(500, server_busy_fault(self._back_off_ms()))
                return
            try:
                with server.store.lock:
                    response = server.operations.handle(name, element)
            except UnsupportedOperation as exc:
                log.error("unsupported EWS request %s", exc)
                self._reply(500, schema_fault(f"Not supported by the test server: {exc}"))
                return
            if fault == "drop_after":
                self._drop()
                return
            self._reply(200, response)

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _reply(
            self,
            status: int,
            body: bytes,
            content_type: str = "text/xml; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        # --- control API ---------------------------------------------------------------

        def do_GET(self) -> None:
            if self.path.startswith("/_control/"):
                self._control("GET", b"")
            else:
                self._reply(404, b"not found", "text/plain")

        def _control(self, method: str, body: bytes) -> None:
            route = self.path.removeprefix("/_control/").split("?")[0].rstrip("/")
            result: Any
            if method == "POST" and route == "deliver":
                corrupt = "corrupt=1" in self.path
                result = {"id": server.deliver(body, corrupt=corrupt)}
            elif method == "POST" and route == "behaviour":
                server.set_behaviour(**json.loads(body or b"{}"))
                result = server.behaviour.fields()
            elif method == "GET" and route.startswith("folders/"):
                result = server.folder_items(route.removeprefix("folders/"))
            elif method == "GET" and route == "sent":
                result = [
                    {**s, "mime": base64.b64encode(s["mime"]).decode()} for s in server.sent()
                ]
            elif method == "POST" and route == "faults":
                server.set_faults(**json.loads(body or b"{}"))
                result = _plan_fields(server.faults)
                result["kinds"] = list(result["kinds"])
            elif method == "POST" and route == "seed_processed":
                request = json.loads(body or b"{}")
                result = {"processed": server.seed_processed(int(request.get("count", 0)))}
            elif method == "GET" and route == "stats":
                result = server.stats.as_dict()
            elif method == "POST" and route == "stats/reset":
                server.stats.reset()
                result = {"ok": True}
            elif method == "POST" and route == "reset":
                server.reset()
                result = {"ok": True}
            elif method == "GET" and route == "health":
                result = {"ok": True, "endpoint": server.endpoint, "address": server.address}
            else:
                self._reply(404, b'{"error": "unknown control route"}', "application/json")
                return
            self._reply(200, json.dumps(result).encode(), "application/json")

    return Handler


def _impersonated(header: etree._Element | None) -> str | None:
    if header is None:
        return None
    for element in header.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "PrimarySmtpAddress":
            return (element.text or "").strip() or None
    return None
