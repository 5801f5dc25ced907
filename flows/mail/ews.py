"""Exchange Server through Exchange Web Services (exchangelib).

- Incremental fetch: SyncFolderItems on the inbox with the sync state the caller persists, then
  one GetItem for the MIME content of the new items; a poll costs the same whatever the mailbox
  holds.
- Send: the whole RFC 5322 message as MimeContent in one CreateItem (SendAndSaveCopy), so our
  Message-ID and attachments go out as built. Before a retry, and before a first send, Sent Items
  is searched for the Message-ID: a message the server already accepted is not sent again.
- Processed: a category `<prefix>: <outcome>` and a move to a folder under the inbox.
- Retries: ErrorServerBusy (honouring BackOffMilliseconds), transient HTTP errors and dropped
  connections, with bounded exponential backoff. Authentication errors are not retried.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.mail.mime import message_bytes
from flows.mail.port import FetchResult, InboundMessage, MailError, OutboundMessage
from flows.secrets import MissingSecret, get_secret

log = logging.getLogger(__name__)

T = TypeVar("T")

EXCHANGE_ONLINE_ENDPOINT = "https://outlook.office365.com/EWS/Exchange.asmx"
_STATE_VERSION = "ews-v1"
_SEARCH_CHUNK = 50


class EwsSettings(BaseSettings):
    """FOLLOWUP_EWS_* settings. Secrets: FOLLOWUP_EWS_PASSWORD / FOLLOWUP_EWS_CLIENT_SECRET."""

    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_EWS_", extra="ignore")

    address: str = Field(description="Primary SMTP address of the mailbox")
    endpoint: str | None = Field(
        default=None,
        description="EWS URL, e.g. https://mail.ekeby.se/EWS/Exchange.asmx; unset: autodiscover",
    )
    auth: Literal["ntlm", "basic", "oauth2"] = "ntlm"
    username: str | None = Field(default=None, description="DOMAIN\\user or UPN (ntlm, basic)")
    tenant_id: str | None = Field(default=None, description="Entra ID tenant (oauth2)")
    client_id: str | None = Field(default=None, description="App registration id (oauth2)")
    impersonation: bool = Field(
        default=False, description="Act on the mailbox through ApplicationImpersonation"
    )
    version: str | None = Field(
        default=None, description="Exchange build, e.g. 15.1.2507; unset: asked from the server"
    )
    processed_folder: str = "Behandlade"
    category_prefix: str = "Uppföljning"
    max_connections: int | None = Field(
        default=None,
        ge=1,
        le=27,
        description="Requests in flight; unset: FOLLOWUP_SEND_CONCURRENCY (Exchange allows 27)",
    )
    max_attempts: int = Field(default=6, ge=1, le=20)
    retry_base_seconds: float = Field(default=1.0, ge=0)
    retry_max_seconds: float = Field(default=60.0, ge=0)
    timeout_seconds: int = Field(default=120, ge=1)
    sync_batch: int = Field(default=200, ge=1, le=512)


# --- error classification (pure) ---------------------------------------------------------

_TRANSIENT = {
    "ErrorServerBusy",
    "ErrorInternalServerTransientError",
    "ErrorTimeoutExpired",
    "RateLimitError",
    "ErrorTooManyObjectsOpened",
    "ErrorMailboxStoreUnavailable",
    "ErrorMailboxMoveInProgress",
    "ErrorConnectionFailed",
    "ErrorExceededConnectionCount",
    "ErrorInternalServerError",
    "MalformedResponseError",
    "ConnectionError",
    "Timeout",
}
_NO_IMPERSONATION = "Kontot får inte agera som brevlådan (rollen ApplicationImpersonation saknas)."
_AUTH = {
    "UnauthorizedError": "Inloggningen till Exchange misslyckades (fel användarnamn/lösenord).",
    "ErrorAccessDenied": "Kontot saknar behörighet till brevlådan.",
    "ErrorImpersonateUserDenied": _NO_IMPERSONATION,
    "ErrorImpersonationDenied": _NO_IMPERSONATION,
    "ErrorNonExistentMailbox": "Brevlådan finns inte i Exchange.",
    "CASError": "Exchange nekade anslutningen (CAS-fel).",
    "InvalidClientError": "Appregistreringen avvisades (fel klient-id eller klienthemlighet).",
    "InvalidClientIdError": "Appregistreringen avvisades (fel klient-id).",
    "UnauthorizedClientError": "Appregistreringen saknar behörighet.",
    "MissingSecret": "Lösenord eller klienthemlighet för Exchange saknas.",
}


def classify(exc: BaseException) -> Literal["transient", "auth", "permanent"]:
    """How an exception from exchangelib/requests should be handled."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & _AUTH.keys():
        return "auth"
    if names & _TRANSIENT:
        return "transient"
    # exchangelib re-raises e.g. a dropped connection during its version probe as a plain
    # TransportError; the original error decides. (A TLS failure has no cause: permanent.)
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        return classify(cause)
    return "permanent"


def auth_message(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if cls.__name__ in _AUTH:
            return f"{_AUTH[cls.__name__]} Kontrollera FOLLOWUP_EWS_* och hemligheten."
    return "Exchange nekade åtkomst."


def backoff_seconds(
    attempt: int, *, base: float, cap: float, server_hint: float | None, jitter: float
) -> float:
    """Seconds to wait before attempt `attempt + 1`; the server's BackOffMilliseconds wins."""
    if server_hint is not None and server_hint > 0:
        return min(server_hint, cap)
    return float(min(base * (2 ** (attempt - 1)) * (1 + jitter), cap))


# --- keeping secrets out of logs ----------------------------------------------------------

_SECRET_PATTERNS = (
    re.compile(r"(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+", re.IGNORECASE),
    re.compile(r"((?:access|refresh)_token['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+", re.IGNORECASE),
)
# exchangelib logs request headers (with the Authorization header) at DEBUG level, and
# requests-oauthlib logs tokens.
_CHATTY_LOGGERS = (
    "exchangelib.util",
    "exchangelib.util.xml",
    "exchangelib.protocol",
    "exchangelib.services.common",
    "requests_oauthlib.oauth2_session",
)


class RedactSecrets(logging.Filter):
    """Replace Authorization headers, tokens and the given secret values in log records."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = message
        for pattern in _SECRET_PATTERNS:
            redacted = pattern.sub(r"\1[dolt]", redacted)
        for secret in self.secrets:
            redacted = redacted.replace(secret, "[dolt]")
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_REDACTOR = RedactSecrets()


def _guard_logs(*secrets: str) -> None:
    _REDACTOR.secrets.update(s for s in secrets if s)
    for name in _CHATTY_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


# --- the adapter -------------------------------------------------------------------------


class EwsMailbox:
    """The Mailbox port over one Exchange mailbox."""

    def __init__(self, settings: EwsSettings | None = None, *, concurrency: int = 4) -> None:
        try:
            self.settings = settings or EwsSettings()
        except ValidationError as exc:
            raise MailError(
                f"Inställningarna för Exchange är ofullständiga: {_fields(exc)}", transient=False
            ) from exc
        self.address = self.settings.address
        self.concurrency = self.settings.max_connections or concurrency
        self._account: Any = None
        self._folders: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._random = random.Random()

    # --- connection ----------------------------------------------------------------------

    @property
    def account(self) -> Any:
        with self._lock:
            if self._account is None:
                self._account = self._connect()
            return self._account

    def _connect(self) -> Any:
        from exchangelib import (
            BASIC,
            DELEGATE,
            IMPERSONATION,
            NTLM,
            OAUTH2,
            Account,
            Build,
            Configuration,
            Credentials,
            FailFast,
            Identity,
            OAuth2Credentials,
            Version,
        )
        from exchangelib.protocol import BaseProtocol

        s = self.settings
        try:
            if s.auth == "oauth2":
                if not (s.client_id and s.tenant_id):
                    raise MailError(
                        "OAuth2 kräver FOLLOWUP_EWS_CLIENT_ID och FOLLOWUP_EWS_TENANT_ID.",
                        transient=False,
                    )
                secret = get_secret("FOLLOWUP_EWS_CLIENT_SECRET")
                assert secret is not None
                _guard_logs(secret.get_secret_value())
                credentials: Any = OAuth2Credentials(
                    client_id=s.client_id,
                    client_secret=secret.get_secret_value(),
                    tenant_id=s.tenant_id,
                    identity=Identity(primary_smtp_address=s.address),
                )
                auth_type = OAUTH2
            else:
                if not s.username:
                    raise MailError(
                        "FOLLOWUP_EWS_USERNAME saknas (DOMÄN\\användare eller UPN).",
                        transient=False,
                    )
                password = get_secret("FOLLOWUP_EWS_PASSWORD")
                assert password is not None
                _guard_logs(password.get_secret_value())
                credentials = Credentials(s.username, password.get_secret_value())
                auth_type = NTLM if s.auth == "ntlm" else BASIC
        except MissingSecret as exc:
            raise MailError(str(exc), transient=False) from exc
        version = Version(build=Build(*_build_numbers(s.version))) if s.version else None
        BaseProtocol.TIMEOUT = s.timeout_seconds
        common: dict[str, Any] = {
            "credentials": credentials,
            "auth_type": auth_type,
            "version": version,
            # We retry ourselves (bounded); exchangelib's fault tolerance waits up to an hour.
            "retry_policy": FailFast(),
            "max_connections": self.concurrency,
        }
        access_type = IMPERSONATION if (s.impersonation or s.auth == "oauth2") else DELEGATE
        if s.endpoint is None and s.auth == "oauth2":
            common["service_endpoint"] = EXCHANGE_ONLINE_ENDPOINT
        elif s.endpoint is not None:
            common["service_endpoint"] = s.endpoint

        def connect() -> Any:
            if "service_endpoint" in common:
                return Account(
                    primary_smtp_address=s.address,
                    config=Configuration(**common),
                    autodiscover=False,
                    access_type=access_type,
                )
            return Account(
                primary_smtp_address=s.address,
                credentials=credentials,
                autodiscover=True,
                access_type=access_type,
            )

        account = self._call("ansluta till Exchange", connect)
        assert account is not None
        _keep_pool_size(account.protocol)
        return account

    # --- retries -------------------------------------------------------------------------

    def _call(
        self,
        what: str,
        operation: Callable[[], T],
        *,
        already_done: Callable[[], bool] | None = None,
    ) -> T | None:
        """Run `operation` with bounded retries; None if `already_done()` says a retry is moot."""
        s = self.settings
        attempt = 0
        while True:
            attempt += 1
            try:
                return operation()
            except MailError:
                raise
            except Exception as exc:
                kind = classify(exc)
                if kind == "auth":
                    log.error("Exchange: %s misslyckades: %s", what, type(exc).__name__)
                    raise MailError(auth_message(exc), transient=False) from exc
                if kind == "permanent":
                    raise MailError(
                        f"Exchange: kunde inte {what}: {type(exc).__name__}: {exc}",
                        transient=False,
                    ) from exc
                if attempt >= s.max_attempts:
                    raise MailError(
                        f"Exchange svarar inte som väntat; gav upp att {what} efter "
                        f"{attempt} försök ({type(exc).__name__}).",
                        transient=True,
                    ) from exc
                hint = getattr(exc, "back_off", None)
                if str(exc).startswith("Reraised from"):
                    hint = None  # exchangelib's own guess (10 s), not the server's advice
                wait = backoff_seconds(
                    attempt,
                    base=s.retry_base_seconds,
                    cap=s.retry_max_seconds,
                    server_hint=float(hint) if isinstance(hint, int | float) else None,
                    jitter=self._random.random() * 0.25,
                )
                log.warning(
                    "Exchange: %s, försök %d: %s; väntar %.2f s",
                    what,
                    attempt,
                    type(exc).__name__,
                    wait,
                )
                time.sleep(wait)
                if already_done is not None and already_done():
                    return None

    # --- folders (each resolved once per adapter, one request each) ------------------------

    def _inbox(self) -> Any:
        if self._folders.get("inbox") is None:
            self._folders["inbox"] = self._call("öppna inkorgen", lambda: self.account.inbox)
        return self._folders["inbox"]

    def _sent(self) -> Any:
        if self._folders.get("sent") is None:
            self._folders["sent"] = self._call("öppna Skickat", lambda: self.account.sent)
        return self._folders["sent"]

    def _processed(self) -> Any:
        if self._folders.get("processed") is not None:
            return self._folders["processed"]
        from exchangelib import Folder, Q
        from exchangelib.fields import FieldPath
        from exchangelib.restriction import Restriction
        from exchangelib.services import CreateFolder, FindFolder

        inbox = self._inbox()
        name = self.settings.processed_folder

        def find() -> Any:
            restriction = Restriction(Q(name=name), folders=[inbox], applies_to=Restriction.FOLDERS)
            found = FindFolder(account=self.account).call(
                folders=[inbox],
                additional_fields={FieldPath(field=Folder.get_field_by_fieldname("name"))},
                restriction=restriction,
                shape="IdOnly",
                depth="Shallow",
                max_items=None,
                offset=0,
            )
            for folder in found:
                if isinstance(folder, Exception):
                    raise folder
                if getattr(folder, "name", None) == name:
                    return folder
            return None

        def create() -> Any:
            created = list(
                CreateFolder(account=self.account).call(
                    parent_folder=inbox, folders=[Folder(parent=inbox, name=name)]
                )
            )
            folder = created[0] if created else None
            if type(folder).__name__ == "ErrorFolderExists":
                return None  # created by an attempt whose answer was lost, or by another run
            if isinstance(folder, Exception):
                raise folder
            return folder

        found = self._call("hitta mappen för behandlade", find)
        if found is None:
            found = self._call("skapa mappen för behandlade", create)
        if found is None:
            found = self._call("hitta mappen för behandlade", find)
        if found is None:
            raise MailError(f"Mappen {name!r} kunde inte skapas i Exchange.", transient=True)
        self._folders["processed"] = found
        return found

    # --- sending -------------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> None:
        if self.was_sent(message.message_id):
            log.info("already in Sent Items, not sending again: %s", message.message_id)
            return
        self._create(message)

    def _create(self, message: OutboundMessage) -> None:
        """One CreateItem (SendAndSaveCopy); before any retry, Sent Items is searched."""
        raw = message_bytes(message, sender=self.address)
        sent = self._sent()

        def create() -> None:
            from exchangelib import Message

            Message(account=self.account, folder=sent, mime_content=raw).send_and_save()

        self._call(
            "skicka meddelandet",
            create,
            already_done=lambda: self.was_sent(message.message_id),
        )

    def was_sent(self, message_id: str) -> bool:
        sent = self._sent()
        return bool(
            self._call("söka i Skickat", lambda: sent.filter(message_id=message_id).exists())
        )

    def sent_among(self, message_ids: list[str]) -> set[str]:
        """Which of these Message-IDs are in Sent Items (one search per 50 ids)."""
        sent = self._sent()
        found: set[str] = set()
        for start in range(0, len(message_ids), _SEARCH_CHUNK):
            chunk = message_ids[start : start + _SEARCH_CHUNK]

            def search(ids: list[str] = chunk) -> list[str]:
                query = sent.filter(message_id__in=ids).values_list("message_id", flat=True)
                return [str(value) for value in query]

            found.update(self._call("söka i Skickat", search) or [])
        return found

    def send_many(self, messages: list[OutboundMessage]) -> dict[str, MailError]:
        """Send many: one search for those already sent, then at most `concurrency` CreateItem
        requests in flight. Returns the failures by Message-ID."""
        from concurrent.futures import ThreadPoolExecutor

        already = self.sent_among([m.message_id for m in messages])
        failures: dict[str, MailError] = {}

        def one(message: OutboundMessage) -> None:
            try:
                self._create(message)
            except MailError as exc:
                failures[message.message_id] = exc

        todo = [m for m in messages if m.message_id not in already]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            list(pool.map(one, todo))
        return failures

    # --- receiving -----------------------------------------------------------------------

    def fetch_new(self, state: str | None) -> FetchResult:
        sync_state = _decode_state(state)
        inbox = self._inbox()

        def sync() -> tuple[list[str], str | None, bool]:
            from exchangelib.errors import ErrorInvalidSyncStateData
            from exchangelib.services import SyncFolderItems

            def changes_since(state: str | None) -> tuple[list[str], str | None, bool]:
                service = SyncFolderItems(account=self.account)
                changes = service.call(
                    folder=inbox,
                    shape="IdOnly",
                    additional_fields=set(),
                    sync_state=state,
                    ignore=None,
                    max_changes_returned=self.settings.sync_batch,
                    sync_scope=None,
                )
                created = [i.id for kind, i in changes if kind == "create" and i is not None]
                return created, service.sync_state, bool(service.includes_last_item_in_range)

            try:
                return changes_since(sync_state)
            except ErrorInvalidSyncStateData:
                # The server no longer knows our state (e.g. the mailbox was moved): start over
                # with everything still in the inbox; callers de-duplicate what they had.
                log.warning("Exchange kände inte igen synkroniseringsläget; läser om inkorgen")
                return changes_since(None)

        synced = self._call("hämta nya meddelanden", sync)
        assert synced is not None
        ids, new_state, complete = synced
        messages = self._fetch_mime(ids) if ids else []
        return FetchResult(messages=messages, state=_encode_state(new_state), more=not complete)

    def _fetch_mime(self, ids: list[str]) -> list[InboundMessage]:
        inbox = self._inbox()

        def get() -> list[InboundMessage]:
            found = self.account.fetch(
                ids=[(i, None) for i in ids],
                folder=inbox,
                only_fields=["mime_content", "datetime_received"],
            )
            result = []
            for item_id, item in zip(ids, found, strict=True):
                if isinstance(item, Exception) or item is None:
                    # Moved or deleted since the sync: nothing to fetch any more.
                    log.info("item gone before it could be fetched: %s", type(item).__name__)
                    continue
                received = item.datetime_received.isoformat() if item.datetime_received else None
                raw = bytes(item.mime_content)
                result.append(InboundMessage(id=item_id, raw=raw, received=received))
            return result

        return self._call("hämta meddelandenas innehåll", get) or []

    def mark_processed(self, message_id: str, outcome: str) -> None:
        from exchangelib.errors import ErrorItemNotFound

        category = f"{self.settings.category_prefix}: {outcome}".replace("\n", " ")
        target = self._processed()
        inbox = self._inbox()

        def get() -> Any:
            items = list(
                self.account.fetch(
                    ids=[(message_id, None)], folder=inbox, only_fields=["categories"]
                )
            )
            item = items[0] if items else None
            if isinstance(item, ErrorItemNotFound) or item is None:
                return None  # already moved: a repeated call is a no-op
            if isinstance(item, Exception):
                raise item
            return item

        item = self._call("läsa meddelandet", get)
        if item is None:
            return
        categories = list(item.categories or [])
        if category not in categories:
            item.categories = [*categories, category]
            self._call("kategorisera meddelandet", lambda: item.save(update_fields=["categories"]))

        def move() -> None:
            # ErrorItemNotFound: moved by an attempt whose answer was lost.
            with contextlib.suppress(ErrorItemNotFound):
                item.move(to_folder=target)

        self._call("flytta meddelandet till behandlade", move)


def _keep_pool_size(protocol: Any) -> None:
    """Stop exchangelib from shrinking its session pool when the server is busy.

    exchangelib's `decrease_poolsize` holds the pool lock while it waits for a free session;
    with several threads throttled at once that deadlocks (seen with 4 concurrent sends). Our own
    bounded backoff and the configured concurrency do the job instead.
    """
    from exchangelib.errors import SessionPoolMinSizeReached

    def refuse() -> None:
        raise SessionPoolMinSizeReached("pool size is fixed by FOLLOWUP_EWS_MAX_CONNECTIONS")

    protocol.decrease_poolsize = refuse


def _build_numbers(version: str) -> list[int]:
    try:
        return [int(part) for part in version.split(".")][:4]
    except ValueError as exc:
        raise MailError(
            f"FOLLOWUP_EWS_VERSION ska vara som 15.1.2507, inte {version!r}.", transient=False
        ) from exc


def _fields(exc: ValidationError) -> str:
    names = ["FOLLOWUP_EWS_" + str(err["loc"][0]).upper() for err in exc.errors() if err.get("loc")]
    return ", ".join(names) or str(exc)


def _encode_state(sync_state: str | None) -> str | None:
    if sync_state is None:
        return None
    return json.dumps({"v": _STATE_VERSION, "sync": sync_state}, separators=(",", ":"))


def _decode_state(state: str | None) -> str | None:
    if not state:
        return None
    try:
        data = json.loads(state)
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and data.get("v") == _STATE_VERSION:
        value = data.get("sync")
        return str(value) if value else None
    return None
