"""HTTP handling for the test Graph endpoint: token, mail REST calls, upload sessions, control API.

Response shapes follow Microsoft's Graph v1.0 reference (message, mailFolder, uploadSession,
delta responses with @odata.nextLink/@odata.deltaLink and @removed, error envelopes).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import socket
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from tests.support.exchange_profile import (
    CONCURRENCY_RETRY_AFTER_SECONDS,
    Behaviour,
    Throttle,
    is_smime,
)
from tests.support.graph_server.faults import FaultPlan, Stats, updated_plan
from tests.support.graph_server.store import (
    GraphStore,
    StoredAttachment,
    StoredMessage,
    UploadSession,
    now_iso,
    recipient_addresses,
)

MAX_REQUEST_BYTES = 4 * 1024 * 1024  # Graph rejects larger request bodies
MAX_UPLOAD_CHUNK = 4 * 1024 * 1024
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EWS_SCOPE = "https://outlook.office365.com/.default"  # what exchangelib asks for, for EWS
# Operations that do not count against the mailbox (the token endpoint is Entra ID's).
_NOT_MAILBOX = frozenset({"token", "openid_configuration"})
# Operations whose request bodies count against the upload budget.
_UPLOADS = frozenset({"create_message", "update_message", "add_attachment", "upload_put"})
PROCESSED_FOLDER = "Uppföljning – behandlade"  # the adapter's default processed folder
_FILTER = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$")


@dataclass
class Credentials:
    tenant_id: str
    client_id: str
    client_secret: str
    mailbox: str
    user_id: str
    client_certificate_pem: bytes | None = None  # accepts client assertions signed with it


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class GraphError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class GraphApp:
    """Everything the handler needs; shared by all request threads."""

    def __init__(self, credentials: Credentials, behaviour: Behaviour | None = None) -> None:
        self.credentials = credentials
        self.behaviour = self._initial_behaviour = behaviour or Behaviour()
        self.store = GraphStore(credentials.mailbox)
        self.faults = self._plain_faults()
        self.stats = Stats()
        self.throttle = Throttle()
        self.tokens: dict[str, float] = {}
        self.token_scopes: dict[str, str] = {}
        self.base_url = ""  # set once the server knows its port

    def _plain_faults(self) -> FaultPlan:
        realistic = self.behaviour.throttle_back_off != Behaviour().throttle_back_off
        return FaultPlan(retry_after=self.behaviour.throttle_back_off) if realistic else FaultPlan()

    def reset(self) -> None:
        """An empty mailbox, the behaviour it started with, no faults, zero counters (issued
        tokens stay valid)."""
        self.behaviour = self._initial_behaviour
        self.store = GraphStore(self.credentials.mailbox)
        self.faults = self._plain_faults()
        self.stats.reset()
        self.throttle = Throttle()

    def set_behaviour(self, **changes: Any) -> None:
        self.behaviour = self.behaviour.updated(**changes)
        if "throttle_back_off" in changes:
            self.faults = updated_plan(
                self.faults, {"retry_after": self.behaviour.throttle_back_off}
            )

    def token_valid(self, token: str, scope: str = GRAPH_SCOPE) -> bool:
        """True for an unexpired access token issued for `scope` (the EWS test server asks)."""
        return self.tokens.get(token, 0) >= time.time() and self.token_scopes.get(token) == scope

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        return self.store.deliver(raw, folder).id

    def sent(self) -> list[dict[str, Any]]:
        """What was sent, oldest first: recipients, message_id, mime (and Graph id, subject)."""
        self.store.advance()
        with self.store.lock:
            return [dict(item) for item in self.store.sent_log]

    def folder_messages(self, name: str) -> list[dict[str, Any]]:
        """Messages in a well-known folder (inbox, drafts, sentitems) or one by display name."""
        store = self.store
        store.advance()
        with store.lock:
            folder_id = store.folder_id(name) or next(
                (f.id for f in store.folders.values() if f.display_name == name), None
            )
            return [
                {
                    "id": msg.id,
                    "message_id": msg.internet_message_id,
                    "categories": list(msg.categories),
                    "subject": msg.subject,
                }
                for msg in store.messages.values()
                if msg.folder_id == folder_id
            ]

    def set_faults(self, **changes: Any) -> None:
        """Replace the given fault fields (latency, rate, kinds, retry_after, queued, seed)."""
        self.faults = updated_plan(self.faults, changes)

    def seed_processed(self, count: int, folder: str | None = None) -> int:
        """Put `count` messages straight into the processed folder, as after earlier springs."""
        store = self.store
        name = folder or PROCESSED_FOLDER
        with store.lock:
            target = store.create_folder(name, store.root_id) or next(
                f for f in store.folders.values() if f.display_name == name
            )
            for n in range(count):
                raw = (
                    f"From: namnd{n % 14}@ekeby.example\r\nTo: {store.mailbox}\r\n"
                    f"Subject: Svar {n}\r\nMessage-ID: <old-{n}@ekeby.example>\r\n\r\nSvar.\r\n"
                ).encode()
                message = store.deliver(raw)
                message.folder_id = target.id
                message.categories = ["Uppföljning", "Uppföljning: accepted"]
            return sum(1 for m in store.messages.values() if m.folder_id == target.id)

    def expire_delta_tokens(self) -> None:
        """Every delta and skip token issued so far answers 410 Gone from now on."""
        with self.store.lock:
            self.store.generation += 1


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    all_headers = {"Content-Type": "application/json; odata.metadata=minimal; charset=utf-8"}
    all_headers.update(headers or {})
    return Response(status, json.dumps(payload).encode(), all_headers)


def error_response(status: int, code: str, message: str, **headers: str) -> Response:
    inner = {"date": now_iso(), "request-id": str(uuid.uuid4())}
    return json_response(
        status,
        {"error": {"code": code, "message": message, "innerError": inner}},
        {k.replace("_", "-"): v for k, v in headers.items()},
    )


class GraphHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm and the client's
    # delayed ACK every answer would wait ~40 ms.
    disable_nagle_algorithm = True
    app: GraphApp  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        if path.startswith("/_control/"):
            try:
                self._write(control(self.app, method, path, query, body))
            except (ValueError, TypeError, KeyError) as exc:
                self._write(error_response(400, "BadRequest", str(exc)))
            return
        try:
            operation, run = resolve(self.app, method, path, query, body, self.headers)
        except GraphError as exc:
            self._write(error_response(exc.status, exc.code, exc.message))
            return
        app = self.app
        app.stats.count(operation)
        app.stats.started()
        try:
            self._serve(app, operation, run, len(body))
        finally:
            app.stats.finished()

    def _serve(
        self, app: GraphApp, operation: str, run: Callable[[], Response], size: int = 0
    ) -> None:
        behaviour = app.behaviour
        if operation in _NOT_MAILBOX:
            self._serve_counted(app, operation, run)
            return
        if not app.throttle.enter(behaviour.max_concurrency):
            app.stats.fault("concurrency")
            wait = behaviour.scaled(CONCURRENCY_RETRY_AFTER_SECONDS)
            self._write(
                error_response(
                    429,
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                    Retry_After=f"{wait:g}",
                )
            )
            return
        try:
            if operation in _UPLOADS and size:
                wait = app.throttle.upload_wait(
                    size, behaviour.upload_budget_bytes, behaviour.upload_window
                )
                if wait:
                    app.stats.fault("upload_budget")
                    self._write(
                        error_response(
                            429,
                            "ApplicationThrottled",
                            "Application is over its upload limit for this mailbox.",
                            Retry_After=f"{wait:g}",
                        )
                    )
                    return
                with app.stats.lock:
                    app.stats.uploaded_bytes += size
            self._serve_counted(app, operation, run)
        finally:
            app.throttle.leave()

    def _serve_counted(self, app: GraphApp, operation: str, run: Callable[[], Response]) -> None:
        plan = app.faults
        if plan.latency and operation != "token":
            time.sleep(plan.latency)
        app.store.advance()
        fault = plan.pick(operation)
        if fault:
            app.stats.fault(fault)
        if fault == "drop_before":
            self._drop()
            return
        if fault in _STATUS_FAULTS:
            status, code, message = _STATUS_FAULTS[fault]
            retry = (
                {}
                if status == 500 or plan.retry_after is None
                else {"Retry-After": f"{plan.retry_after:g}"}
            )
            self._write(error_response(status, code, message, **retry))
            return
        try:
            response = run()
        except GraphError as exc:
            response = error_response(exc.status, exc.code, exc.message)
        if fault == "drop_after":
            self._drop()
            return
        self._write(response)

    def _drop(self) -> None:
        """Close the connection with a reset and no answer, like a failing load balancer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)


# routing ------------------------------------------------------------------------------------

_USER = r"/v1\.0/users/(?P<user>[^/]+)"


_STATUS_FAULTS = {
    "http500": (500, "InternalServerError", "An internal server error occurred."),
    "http503": (503, "ServiceUnavailable", "The service is temporarily unavailable."),
    "http429": (429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
}


def resolve(
    app: GraphApp, method: str, path: str, query: dict[str, list[str]], body: bytes, headers: Any
) -> tuple[str, Callable[[], Response]]:
    """The operation a request asks for (its name for stats and faults) and how to run it."""
    tenant = re.escape(app.credentials.tenant_id)
    if method == "GET" and re.fullmatch(
        rf"/{tenant}/v2\.0/\.well-known/openid-configuration", path
    ):
        return "openid_configuration", lambda: openid_configuration(app)
    if method == "POST" and re.fullmatch(rf"/{tenant}/oauth2/v2\.0/token", path):
        return "token", lambda: token(app, body, headers)
    if method == "PUT" and (m := re.fullmatch(r"/_upload/(?P<sid>[\w-]+)", path)):
        sid = m["sid"]
        return "upload_put", lambda: upload_chunk(app, sid, body, headers)
    m = re.match(_USER, path)
    if m is None:
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{path}'.")
    user, rest = m["user"], path[m.end() :]
    api = MailApi(app, query, headers.get("Prefer", ""))
    name, handler, args = api.find(method, rest)

    def run() -> Response:
        authorize(app, user, headers)
        return api.call(handler, body, args)

    return name, run


def openid_configuration(app: GraphApp) -> Response:
    tenant_url = f"{app.base_url}/{app.credentials.tenant_id}"
    return json_response(
        200,
        {
            "token_endpoint": f"{tenant_url}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "authorization_endpoint": f"{tenant_url}/oauth2/v2.0/authorize",
            "issuer": f"{tenant_url}/v2.0",
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "EU",
        },
    )


def token(app: GraphApp, body: bytes, headers: Any) -> Response:
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    auth = headers.get("Authorization", "")
    if auth.startswith("Basic "):
        client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
    creds = app.credentials
    assertion = form.get("client_assertion")
    if assertion is not None:
        client_id, client_secret = form.get("client_id"), None
        if not _assertion_valid(app, assertion, creds):
            return json_response(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS700027: The certificate with identifier used "
                    "to sign the client assertion is not registered on application.",
                    "error_codes": [700027],
                },
            )
    if form.get("grant_type") != "client_credentials":
        return json_response(400, {"error": "unsupported_grant_type"})
    if client_id != creds.client_id:
        return json_response(
            400,
            {
                "error": "unauthorized_client",
                "error_description": f"AADSTS700016: Application with identifier '{client_id}' "
                "was not found in the directory.",
                "error_codes": [700016],
            },
        )
    if assertion is None and client_secret != creds.client_secret:
        return json_response(
            401,
            {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
                "error_codes": [7000215],
            },
        )
    scopes = form.get("scope", "").split()
    scope = next((s for s in (GRAPH_SCOPE, EWS_SCOPE) if s in scopes), None)
    if scope is None:
        return json_response(400, {"error": "invalid_scope"})
    access = "eyJ0eXAiOiJKV1Qi." + secrets.token_urlsafe(32)
    app.tokens[access] = time.time() + 3599
    app.token_scopes[access] = scope
    return json_response(
        200,
        {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": access,
        },
    )


def _assertion_valid(app: GraphApp, assertion: str, creds: Credentials) -> bool:
    """A JWT client assertion signed with the registered certificate's key, for us."""
    if creds.client_certificate_pem is None:
        return False
    certificate = x509.load_pem_x509_certificate(creds.client_certificate_pem)
    header = jwt.get_unverified_header(assertion)
    thumbprints = {
        "x5t": base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())),  # noqa: S303
        "x5t#S256": base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA256())),
    }
    if not any(
        str(header.get(name, "")).rstrip("=") == value.decode().rstrip("=")
        for name, value in thumbprints.items()
    ):
        return False
    try:
        claims = jwt.decode(
            assertion,
            certificate.public_key(),  # type: ignore[arg-type]
            algorithms=["RS256", "PS256"],
            audience=f"{app.base_url}/{creds.tenant_id}/oauth2/v2.0/token",
        )
    except jwt.InvalidTokenError:
        return False
    return bool(claims.get("iss") == claims.get("sub") == creds.client_id)


def authorize(app: GraphApp, user: str, headers: Any) -> None:
    auth = headers.get("Authorization", "")
    access = auth[7:] if auth.startswith("Bearer ") else ""
    if not app.token_valid(access):
        raise GraphError(
            401, "InvalidAuthenticationToken", "Access token is empty or validation failed."
        )
    creds = app.credentials
    if user.lower() not in {creds.mailbox.lower(), creds.user_id.lower()}:
        # What Exchange answers when an RBAC management scope excludes the mailbox.
        raise GraphError(
            403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
        )


def upload_chunk(app: GraphApp, sid: str, body: bytes, headers: Any) -> Response:
    if headers.get("Authorization"):
        raise GraphError(
            400, "BadRequest", "Do not send an Authorization header to the upload URL."
        )
    session = app.store.uploads.get(sid)
    if session is None:
        raise GraphError(404, "ErrorItemNotFound", "The upload session was not found.")
    if len(body) > MAX_UPLOAD_CHUNK:
        raise GraphError(413, "RequestEntityTooLarge", "The fragment is larger than 4 MB.")
    m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", headers.get("Content-Range", ""))
    if m is None:
        raise GraphError(400, "InvalidContentRange", "Content-Range is missing or invalid.")
    start, end, total = (int(g) for g in m.groups())
    if total != session.size or start != len(session.data) or end - start + 1 != len(body):
        raise GraphError(
            416, "InvalidRange", f"Expected the range to start at {len(session.data)}."
        )
    with app.store.lock:
        session.data.extend(body)
        if len(session.data) < session.size:
            return json_response(
                200,
                {
                    "expirationDateTime": _expiry(),
                    "nextExpectedRanges": [str(len(session.data))],
                },
            )
        message = app.store.messages.get(session.message_id)
        if message is None:
            raise GraphError(404, "ErrorItemNotFound", "The message was not found.")
        attachment = StoredAttachment(
            "att-" + secrets.token_urlsafe(12),
            session.name,
            session.content_type,
            bytes(session.data),
        )
        message.attachments.append(attachment)
        app.store.touch(message)
        del app.store.uploads[sid]
    location = (
        f"{app.base_url}/v1.0/users('{app.credentials.user_id}')/messages('{message.id}')"
        f"/attachments('{attachment.id}')"
    )
    return Response(201, b"", {"Location": location})


def _expiry() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))


class MailApi:
    def __init__(self, app: GraphApp, query: dict[str, list[str]], prefer: str) -> None:
        self.app = app
        self.prefer = prefer
        self.store = app.store
        self.query = {k: v[0] for k, v in query.items()}

    def find(self, method: str, rest: str) -> tuple[str, Any, dict[str, str]]:
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"/mailFolders/(?P<f>[^/]+)/messages/delta", self.delta),
            ("GET", r"/mailFolders/(?P<f>[^/]+)/messages", self.list_in_folder),
            ("GET", r"/mailFolders/(?P<f>[^/]+)", self.get_folder),
            ("GET", r"/mailFolders", self.list_folders),
            ("POST", r"/mailFolders", self.create_folder),
            ("GET", r"/messages", self.list_all),
            ("POST", r"/messages", self.create_message),
            ("GET", r"/messages/(?P<id>[^/]+)/\$value", self.mime),
            ("GET", r"/messages/(?P<id>[^/]+)", self.get_message),
            ("PATCH", r"/messages/(?P<id>[^/]+)", self.update_message),
            ("DELETE", r"/messages/(?P<id>[^/]+)", self.delete_message),
            ("POST", r"/messages/(?P<id>[^/]+)/attachments", self.add_attachment),
            ("GET", r"/messages/(?P<id>[^/]+)/attachments", self.list_attachments),
            (
                "POST",
                r"/messages/(?P<id>[^/]+)/attachments/createUploadSession",
                self.create_upload_session,
            ),
            ("POST", r"/messages/(?P<id>[^/]+)/send", self.send),
            ("POST", r"/messages/(?P<id>[^/]+)/move", self.move),
            ("POST", r"/messages/(?P<id>[^/]+)/createReply", self.create_reply),
        ]
        for verb, pattern, handler in routes:
            if verb == method and (m := re.fullmatch(pattern, rest)):
                return str(handler.__name__), handler, m.groupdict()
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{rest}'.")

    def call(self, handler: Any, body: bytes, args: dict[str, str]) -> Response:
        if len(body) > MAX_REQUEST_BYTES:
            raise GraphError(413, "RequestEntityTooLarge", "The request body is too large.")
        data: dict[str, Any] = json.loads(body) if body else {}
        result: Response = handler(data, **args)
        return result

    # helpers -------------------------------------------------------------------------------

    def _message(self, message_id: str) -> StoredMessage:
        message = self.store.messages.get(message_id)
        if message is None:
            raise GraphError(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return message

    def _folder(self, ref: str) -> str:
        folder_id = self.store.folder_id(ref)
        if folder_id is None:
            raise GraphError(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return folder_id

    def _select(self, item: dict[str, Any]) -> dict[str, Any]:
        select = self.query.get("$select")
        if not select:
            return item
        keep = {s.strip() for s in select.split(",")} | {"id", "@odata.type", "@odata.etag"}
        return {k: v for k, v in item.items() if k in keep}

    def _filter(self) -> tuple[str, set[str]] | None:
        """`prop eq 'a'`, or several such clauses on one property joined by `or`."""
        expression = self.query.get("$filter")
        if expression is None:
            return None
        clauses = [_FILTER.match(c) for c in re.split(r"\s+or\s+", expression)]
        props = {m[1] for m in clauses if m is not None}
        if any(m is None for m in clauses) or len(props) != 1:
            raise GraphError(
                400, "ErrorInvalidUrlQueryFilter", "The query filter is not supported."
            )
        return props.pop(), {m[2].replace("''", "'") for m in clauses if m is not None}

    def _collection(self, messages: list[StoredMessage]) -> Response:
        condition = self._filter()
        if condition is not None:
            prop, values = condition
            if prop != "internetMessageId":
                raise GraphError(400, "ErrorInvalidProperty", f"Cannot filter on {prop}.")
            messages = [m for m in messages if m.internet_message_id in values]
        messages.sort(key=lambda m: m.received, reverse=True)
        top = int(self.query.get("$top", "10"))
        items = [self._select(self.store.message_json(m)) for m in messages[:top]]
        return json_response(200, {"@odata.context": "$metadata#messages", "value": items})

    # folders -------------------------------------------------------------------------------

    def list_folders(self, data: dict[str, Any]) -> Response:
        folders = [f for f in self.store.folders.values() if f.parent_id == self.store.root_id]
        condition = self._filter()
        if condition is not None:
            prop, values = condition
            if prop != "displayName":
                raise GraphError(400, "ErrorInvalidProperty", f"Cannot filter on {prop}.")
            wanted = {v.lower() for v in values}
            folders = [f for f in folders if f.display_name.lower() in wanted]
        items = [self.store.folder_json(f) for f in folders]
        return json_response(200, {"@odata.context": "$metadata#mailFolders", "value": items})

    def get_folder(self, data: dict[str, Any], f: str) -> Response:
        return json_response(200, self.store.folder_json(self.store.folders[self._folder(f)]))

    def create_folder(self, data: dict[str, Any]) -> Response:
        name = str(data.get("displayName", "")).strip()
        if not name:
            raise GraphError(400, "ErrorInvalidRequest", "displayName is required.")
        folder = self.store.create_folder(name, self.store.root_id)
        if folder is None:
            raise GraphError(
                409, "ErrorFolderExists", "A folder with the specified name already exists."
            )
        return json_response(201, self.store.folder_json(folder))

    # reading -------------------------------------------------------------------------------

    def delta(self, data: dict[str, Any], f: str) -> Response:
        folder_id = self._folder(f)
        token = self.query.get("$deltatoken") or self.query.get("$skiptoken")
        page_size = 10
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
            except (ValueError, binascii.Error) as exc:
                raise GraphError(400, "BadRequest", "The delta token is malformed.") from exc
            if state["g"] != self.store.generation or state["f"] != folder_id:
                status, code = self.app.behaviour.delta_expiry
                raise GraphError(status, code, "The sync state generation is not found.")
            since, upto, after, select, page_size = (
                state["s"],
                state["u"],
                state["a"],
                state["sel"],
                state["ps"],
            )
            if "$deltatoken" in self.query:
                since, upto, after = upto, self.store.current_seq(), 0
        else:
            since, upto, after = 0, self.store.current_seq(), 0
            select = self.query.get("$select")
            m = re.search(r"odata\.maxpagesize=(\d+)", self.prefer)
            page_size = int(m[1]) if m else page_size
        self.query["$select"] = select or ""
        changes, next_after = self.store.delta(folder_id, since, upto, after, page_size)
        items = []
        for change in changes:
            if "message" in change:
                items.append(
                    self._select(self.store.message_json(self.store.messages[change["message"]]))
                )
            else:
                items.append(change)

        def link(kind: str, s: int, u: int, a: int) -> str:
            raw = {"f": folder_id, "g": self.store.generation, "s": s, "u": u, "a": a}
            raw.update({"sel": select, "ps": page_size})
            encoded = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()
            folder_url = f"{self.app.base_url}/v1.0/users/{self.store.mailbox}/mailFolders/{f}"
            return f"{folder_url}/messages/delta?${kind}={encoded}"

        payload: dict[str, Any] = {
            "@odata.context": "$metadata#Collection(message)",
            "value": items,
        }
        if next_after is not None:
            payload["@odata.nextLink"] = link("skiptoken", since, upto, next_after)
        else:
            payload["@odata.deltaLink"] = link("deltatoken", since, upto, 0)
        return json_response(200, payload, {"Preference-Applied": f"odata.maxpagesize={page_size}"})

    def list_in_folder(self, data: dict[str, Any], f: str) -> Response:
        folder_id = self._folder(f)
        with self.store.lock:
            messages = [m for m in self.store.messages.values() if m.folder_id == folder_id]
        return self._collection(messages)

    def list_all(self, data: dict[str, Any]) -> Response:
        with self.store.lock:
            messages = list(self.store.messages.values())
        return self._collection(messages)

    def get_message(self, data: dict[str, Any], id: str) -> Response:
        return json_response(200, self._select(self.store.message_json(self._message(id))))

    def mime(self, data: dict[str, Any], id: str) -> Response:
        message = self._message(id)
        raw = self.store.mime(message)
        if self.app.behaviour.smime_mime_fails and is_smime(raw):
            # Exchange cannot convert some items (S/MIME) to MIME, on every attempt.
            raise GraphError(
                500,
                "ErrorMimeContentConversionFailed",
                "The MIME content conversion failed.",
            )
        return Response(200, raw, {"Content-Type": "text/plain"})

    def list_attachments(self, data: dict[str, Any], id: str) -> Response:
        message = self._message(id)
        items = [a.json(with_content=True) for a in self.store.attachments_of(message)]
        return json_response(200, {"@odata.context": "$metadata#attachments", "value": items})

    # writing -------------------------------------------------------------------------------

    def _apply(self, message: StoredMessage, data: dict[str, Any]) -> None:
        if "subject" in data:
            message.subject = str(data["subject"])
        if "body" in data:
            message.body = {
                "contentType": str(data["body"].get("contentType", "text")).lower(),
                "content": str(data["body"].get("content", "")),
            }
        if "toRecipients" in data:
            message.to = recipient_addresses(data["toRecipients"])
        if "ccRecipients" in data:
            message.cc = recipient_addresses(data["ccRecipients"])
        if "replyTo" in data:
            message.reply_to = recipient_addresses(data["replyTo"])
        if "categories" in data:
            message.categories = [str(c) for c in data["categories"]]
        if "internetMessageId" in data:
            if not message.is_draft:
                raise GraphError(
                    400, "ErrorInvalidPropertyUpdateSentMessage", "Update is not allowed."
                )
            message.internet_message_id = str(data["internetMessageId"])
        if "internetMessageHeaders" in data:
            headers = data["internetMessageHeaders"]
            for header in headers:
                if not str(header.get("name", "")).lower().startswith("x-"):
                    raise GraphError(
                        400,
                        "InvalidInternetMessageHeader",
                        "The internet message header name should start with 'x-' or 'X-'.",
                    )
            message.headers = [{"name": h["name"], "value": h["value"]} for h in headers]
        for item in data.get("attachments", []):
            message.attachments.append(self._file_attachment(item))
        self.store.touch(message)

    def _file_attachment(self, item: dict[str, Any]) -> StoredAttachment:
        if item.get("@odata.type") != "#microsoft.graph.fileAttachment":
            raise GraphError(
                400, "ErrorInvalidRequest", "Only file attachments are supported here."
            )
        try:
            content = base64.b64decode(item["contentBytes"], validate=True)
        except (KeyError, binascii.Error) as exc:
            raise GraphError(400, "ErrorInvalidRequest", "contentBytes is invalid.") from exc
        return StoredAttachment(
            "att-" + secrets.token_urlsafe(12),
            str(item.get("name", "")),
            str(item.get("contentType") or "application/octet-stream"),
            content,
        )

    def create_message(self, data: dict[str, Any]) -> Response:
        with self.store.lock:
            message = self.store.create_draft()
            try:
                self._apply(message, data)
            except GraphError:
                self.store.delete(message)
                raise
        return json_response(201, self.store.message_json(message))

    def update_message(self, data: dict[str, Any], id: str) -> Response:
        if "internetMessageHeaders" in data and self.app.behaviour.headers_only_at_create:
            raise GraphError(
                400,
                "ErrorInvalidProperty",
                "internetMessageHeaders can only be set when the message is created.",
            )
        with self.store.lock:
            message = self._message(id)
            self._apply(message, data)
        return json_response(200, self.store.message_json(message))

    def delete_message(self, data: dict[str, Any], id: str) -> Response:
        self.store.delete(self._message(id))
        return Response(204)

    def add_attachment(self, data: dict[str, Any], id: str) -> Response:
        with self.store.lock:
            message = self._message(id)
            attachment = self._file_attachment(data)
            message.attachments.append(attachment)
            self.store.touch(message)
        return json_response(201, attachment.json(with_content=True))

    def create_upload_session(self, data: dict[str, Any], id: str) -> Response:
        self._message(id)
        item = data.get("AttachmentItem") or {}
        if item.get("attachmentType") != "file" or not item.get("name") or not item.get("size"):
            raise GraphError(400, "ErrorInvalidRequest", "AttachmentItem needs name and size.")
        sid = secrets.token_urlsafe(16)
        self.store.uploads[sid] = UploadSession(
            id,
            str(item["name"]),
            str(item.get("contentType") or "application/octet-stream"),
            int(item["size"]),
        )
        return json_response(
            201,
            {
                "@odata.context": "$metadata#microsoft.graph.uploadSession",
                "uploadUrl": f"{self.app.base_url}/_upload/{sid}",
                "expirationDateTime": _expiry(),
                "nextExpectedRanges": ["0-"],
            },
        )

    def send(self, data: dict[str, Any], id: str) -> Response:
        with self.store.lock:
            message = self._message(id)
            if not message.is_draft:
                raise GraphError(400, "ErrorInvalidOperation", "Only a draft can be sent.")
            if not message.to and not message.cc:
                raise GraphError(
                    400, "ErrorInvalidRecipients", "At least one recipient is not valid."
                )
            self.store.send(message, self.app.behaviour.send_window)
        return Response(202)

    def move(self, data: dict[str, Any], id: str) -> Response:
        with self.store.lock:
            message = self._message(id)
            self.store.move(message, self._folder(str(data.get("destinationId", ""))))
        return json_response(201, self.store.message_json(message))

    def create_reply(self, data: dict[str, Any], id: str) -> Response:
        with self.store.lock:
            original = self._message(id)
            draft = self.store.create_draft()
            draft.subject = "RE: " + original.subject
            draft.to = [original.sender] if original.sender else []
            draft.in_reply_to = original.internet_message_id
            draft.body = {"contentType": "html", "content": f"<p>{data.get('comment', '')}</p>"}
            if isinstance(data.get("message"), dict):
                try:
                    self._apply(draft, data["message"])
                except GraphError:
                    self.store.delete(draft)
                    raise
            self.store.touch(draft)
        return json_response(201, self.store.message_json(draft))


# control API ---------------------------------------------------------------------------------


def control(
    app: GraphApp, method: str, path: str, query: dict[str, list[str]], body: bytes
) -> Response:
    route = path.removeprefix("/_control/").rstrip("/")
    result: Any
    if method == "POST" and route == "deliver":
        result = {"id": app.deliver(body, query.get("folder", ["inbox"])[0])}
    elif method == "GET" and route == "sent":
        result = [{**s, "mime": base64.b64encode(s["mime"]).decode()} for s in app.sent()]
    elif method == "GET" and (m := re.fullmatch(r"folders/([^/]+)/messages", route)):
        result = app.folder_messages(unquote(m[1]))
    elif method == "POST" and route == "faults":
        app.set_faults(**json.loads(body or b"{}"))
        result = app.faults.fields()
    elif method == "POST" and route == "seed_processed":
        spec = json.loads(body or b"{}")
        result = {"processed": app.seed_processed(int(spec["count"]), spec.get("folder"))}
    elif method == "POST" and route == "behaviour":
        app.set_behaviour(**json.loads(body or b"{}"))
        result = app.behaviour.fields()
    elif method == "POST" and route == "expire-delta":
        app.expire_delta_tokens()
        result = {"ok": True}
    elif method == "GET" and route == "stats":
        result = app.stats.as_dict()
    elif method == "POST" and route == "stats/reset":
        app.stats.reset()
        result = {"ok": True}
    elif method == "POST" and route == "reset":
        app.reset()
        result = {"ok": True}
    elif method == "GET" and route == "health":
        result = {"ok": True, "url": app.base_url, "address": app.credentials.mailbox}
    else:
        return error_response(404, "NotFound", f"No control endpoint {method} {path}.")
    return json_response(200, result)
