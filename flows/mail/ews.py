"""Exchange Server through Exchange Web Services (exchangelib).

- Incremental fetch: SyncFolderItems on the inbox with the sync state the caller persists, then
  one GetItem for the MIME content of the new items; a poll costs the same whatever the mailbox
  holds. GetItem fails per item: an item whose MIME Exchange cannot convert is read from its
  properties and file attachments (flows.mail.reconstruct), one nothing can be read from becomes
  an unreadable entry, items behind an ErrorBatchProcessingStopped are asked for again. The sync
  state is handed out only with every new item accounted for.
- Send, idempotent without timing: the whole RFC 5322 message as MimeContent in a CreateItem
  (SaveOnly) in Drafts, its ItemId noted in the caller's journal, then SendItem by that id.
  SendItem takes the draft out of Drafts at once; the Sent Items copy comes only after transport
  (MS-OXOMSG). So a retry asks: is the draft still there (GetItem by id)? Then send it; gone, it
  was submitted (and it is in the Outbox or Sent Items). Without a journal entry, Drafts, Outbox
  and Sent Items are searched for our Message-ID.
- Processed: a category `<prefix>: <outcome>` and a move to a folder under the inbox.
- Retries: this adapter is the only layer that retries (ErrorServerBusy honouring
  BackOffMilliseconds, transient HTTP errors, dropped connections), at most `max_attempts` per
  call. A BackOffMilliseconds beyond `max_wait_seconds` (Exchange Online asks for minutes)
  raises MailDeferred at once, and so does every call until that time: the work waits for the
  next run. Authentication errors are not retried.
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
from functools import partial
from typing import Any, Literal, TypeVar

from flows.mail.ews_settings import EwsSettings
from flows.mail.mime import message_bytes
from flows.mail.port import (
    FetchResult,
    InboundMessage,
    MailDeferred,
    MailError,
    MemoryJournal,
    OutboundMessage,
    SendJournal,
)
from flows.mail.reconstruct import (
    ItemProperties,
    attachments_in,
    reconstructed_message,
    unreadable_message,
)
from flows.secrets import MissingSecret, get_secret

log = logging.getLogger(__name__)

T = TypeVar("T")

EXCHANGE_ONLINE_ENDPOINT = "https://outlook.office365.com/EWS/Exchange.asmx"
_STATE_VERSION = "ews-v1"
_SEARCH_CHUNK = 50


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


# GetItem answers per item: the item exists but its content cannot be read this way.
_UNREADABLE_ITEM = {
    "ErrorMimeContentConversionFailed",
    "ErrorCorruptData",
    "ErrorItemCorrupt",
    "ErrorContentConversionFailed",
}
# ErrorInvalidIdMalformed: an id from another transport (e.g. Graph, before a switch to EWS).
_GONE = {"ErrorItemNotFound", "ErrorInvalidIdMalformed"}
_BATCH_STOPPED = "ErrorBatchProcessingStopped"


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

    def __init__(self, settings: EwsSettings, *, concurrency: int = 4) -> None:
        self.settings = settings
        self.address = self.settings.address
        self.concurrency = self.settings.max_connections or concurrency
        self._account: Any = None
        self._folders: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._random = random.Random()
        self._throttled_until = 0.0
        self._journal = MemoryJournal()

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
                credentials: Any = _oauth2_credentials(OAuth2Credentials, s.authority)(
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
            if s.autodiscover_url:
                _known_autodiscover_endpoint(s.address, s.autodiscover_url, credentials, auth_type)
            # With a config, exchangelib keeps its auth type, retry policy and max_connections
            # on the autodiscover path too (without one it silently uses a pool of one).
            return Account(
                primary_smtp_address=s.address,
                config=Configuration(**common),
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
            self._check_throttled(what)
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
                hint = getattr(exc, "back_off", None)
                if str(exc).startswith("Reraised from"):
                    hint = None  # exchangelib's own guess (10 s), not the server's advice
                server_hint = float(hint) if isinstance(hint, int | float) else None
                if server_hint is not None and server_hint > s.max_wait_seconds:
                    self._defer(what, server_hint)
                if attempt >= s.max_attempts:
                    raise MailError(
                        f"Exchange svarar inte som väntat; gav upp att {what} efter "
                        f"{attempt} försök ({type(exc).__name__}).",
                        transient=True,
                    ) from exc
                wait = backoff_seconds(
                    attempt,
                    base=s.retry_base_seconds,
                    cap=s.retry_max_seconds,
                    server_hint=server_hint,
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

    def _defer(self, what: str, seconds: float) -> None:
        with self._lock:
            self._throttled_until = max(self._throttled_until, time.monotonic() + seconds)
        raise MailDeferred(
            f"Exchange ber oss vänta {seconds:.0f} s innan vi försöker {what} igen; "
            "det görs vid nästa körning.",
            retry_after=seconds,
        )

    def _check_throttled(self, what: str) -> None:
        left = self._throttled_until - time.monotonic()
        if left > 0:
            raise MailDeferred(
                f"Exchange har bett oss vänta {left:.0f} s till; {what} görs vid nästa körning.",
                retry_after=left,
            )

    # --- folders (each resolved once per adapter, one request each) ------------------------

    def _inbox(self) -> Any:
        if self._folders.get("inbox") is None:
            self._folders["inbox"] = self._call("öppna inkorgen", lambda: self.account.inbox)
        return self._folders["inbox"]

    def _sent(self) -> Any:
        return self._distinguished("sent", "öppna Skickat")

    def _drafts(self) -> Any:
        return self._distinguished("drafts", "öppna Utkast")

    def _outbox(self) -> Any:
        return self._distinguished("outbox", "öppna Utkorgen")

    def _distinguished(self, name: str, what: str) -> Any:
        if self._folders.get(name) is None:
            self._folders[name] = self._call(what, lambda: getattr(self.account, name))
        return self._folders[name]

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
        self.send_recorded(message, self._journal)

    def send_recorded(self, message: OutboundMessage, journal: SendJournal) -> None:
        """Send once: reuse the journal's draft if Exchange still has it, never send twice."""
        self._send_located(message, journal, None)

    def _send_located(
        self,
        message: OutboundMessage,
        journal: SendJournal,
        located: tuple[str | None, str | None] | None,
    ) -> None:
        """`located`: where a search just found the Message-ID ((None, None): nowhere)."""
        mid = message.message_id
        draft_id = journal.draft_of(mid)
        if draft_id is not None and not self._draft_exists(draft_id):
            draft_id = None  # submitted (SendItem removes it from Drafts), or deleted by hand
            located = None
        if draft_id is None:
            if located is None:
                located = self._locate([mid]).get(mid, (None, None))
            where, found = located
            if where == "submitted":
                log.info("already submitted, not sending again: %s", mid)
                return
            draft_id = found if where == "draft" else self._save_draft(message)
            if draft_id is None:
                return  # a lost CreateItem answer, and the retry found it already submitted
            journal.record_draft(mid, draft_id)
        journal.record_send_requested(mid, _utcnow())
        self._submit(draft_id)

    def _save_draft(self, message: OutboundMessage) -> str | None:
        """CreateItem SaveOnly in Drafts; a retry first looks for the draft a lost answer made."""
        raw = message_bytes(message, sender=self.address)
        drafts = self._drafts()
        tries = 0

        def create() -> str | None:
            from exchangelib import Message

            nonlocal tries
            tries += 1
            if tries > 1:
                where, found = self._locate([message.message_id]).get(
                    message.message_id, (None, None)
                )
                if where is not None:
                    return found if where == "draft" else None
            item = Message(account=self.account, folder=drafts, mime_content=raw)
            item.save()
            return str(item.id)

        return self._call("spara utkastet", create)

    def _submit(self, draft_id: str) -> None:
        """SendItem by id; a retry after a lost answer first asks whether the draft is gone."""
        sent = self._sent()

        def submit() -> None:
            results = self.account.bulk_send(ids=[(draft_id, None)], copy_to_folder=sent)
            for result in results:
                if isinstance(result, Exception):
                    raise result

        self._call("skicka utkastet", submit, already_done=lambda: not self._draft_exists(draft_id))

    def _draft_exists(self, draft_id: str) -> bool:
        drafts = self._drafts()

        def get() -> bool:
            items = list(
                self.account.fetch(
                    ids=[(draft_id, None)], folder=drafts, only_fields=["parent_folder_id"]
                )
            )
            item = items[0] if items else None
            if item is None or type(item).__name__ in _GONE:
                return False
            if isinstance(item, Exception):
                raise item
            parent = getattr(item, "parent_folder_id", None)
            return parent is None or getattr(parent, "id", None) == drafts.id

        return bool(self._call("läsa utkastet", get))

    def _locate(self, message_ids: list[str]) -> dict[str, tuple[str, str]]:
        """Where our Message-IDs are: ("submitted", id) in the Outbox or Sent Items (transport
        has it), or ("draft", id) in Drafts. Ids found nowhere are left out."""
        from exchangelib import FolderCollection

        drafts, outbox, sent = self._drafts(), self._outbox(), self._sent()
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(message_ids), _SEARCH_CHUNK):
            chunk = message_ids[start : start + _SEARCH_CHUNK]

            def search(ids: list[str] = chunk) -> list[tuple[str, str, str]]:
                folders = FolderCollection(account=self.account, folders=[drafts, outbox, sent])
                query = folders.filter(message_id__in=ids).only("message_id", "parent_folder_id")
                return [
                    (str(i.message_id), str(i.id), str(getattr(i.parent_folder_id, "id", "")))
                    for i in query
                ]

            results = self._call("söka efter meddelandet", search) or []
            missing = sorted(set(chunk) - {message_id for message_id, _, _ in results})
            if missing:
                # An item that transport files from the Outbox into Sent Items during the search
                # gets a new ItemId and drops out of the answer; a second search finds it there.
                results += self._call("söka efter meddelandet", partial(search, missing)) or []
            for message_id, item_id, parent in results:
                if parent == drafts.id:
                    found.setdefault(message_id, ("draft", item_id))
                else:
                    found[message_id] = ("submitted", item_id)
        return found

    def was_sent(self, message_id: str) -> bool:
        return self._locate([message_id]).get(message_id, ("", ""))[0] == "submitted"

    def sent_among(self, message_ids: list[str]) -> set[str]:
        """Which of these Message-IDs transport has (Outbox or Sent Items), 50 per search."""
        return {m for m, (where, _) in self._locate(message_ids).items() if where == "submitted"}

    def send_many(self, messages: list[OutboundMessage]) -> dict[str, MailError]:
        """Send many: one search per 50 for those already there, then at most `concurrency`
        requests in flight. Returns the failures by Message-ID."""
        from concurrent.futures import ThreadPoolExecutor

        failures: dict[str, MailError] = {}
        located = self._locate([m.message_id for m in messages])

        def one(message: OutboundMessage) -> None:
            try:
                where = located.get(message.message_id, (None, None))
                self._send_located(message, self._journal, where)
            except MailError as exc:
                failures[message.message_id] = exc

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            list(pool.map(one, messages))
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
        """Every id as a message: its MIME, else rebuilt from its properties, else an unreadable
        entry. Only ids that left the inbox meanwhile are left out. A transient failure raises
        (and the caller keeps its old sync state)."""
        inbox = self._inbox()
        read: dict[str, InboundMessage] = {}
        pending = list(ids)
        while pending:

            def get(batch: list[str] = pending) -> list[tuple[str, Any]]:
                found = self.account.fetch(
                    ids=[(i, None) for i in batch],
                    folder=inbox,
                    only_fields=["mime_content", "datetime_received"],
                )
                return list(zip(batch, found, strict=True))

            answers = self._call("hämta meddelandenas innehåll", get) or []
            again: list[str] = []
            for item_id, item in answers:
                name = type(item).__name__
                if item is None or name in _GONE:
                    log.info("item gone before it could be fetched: %s", name)
                elif name == _BATCH_STOPPED:
                    again.append(item_id)
                elif isinstance(item, Exception):
                    if classify(item) == "transient":
                        again.append(item_id)  # asked for again, within the retry budget
                        continue
                    read[item_id] = self._read_otherwise(item_id, name)
                else:
                    received = (
                        item.datetime_received.isoformat() if item.datetime_received else None
                    )
                    raw = bytes(item.mime_content)
                    read[item_id] = InboundMessage(id=item_id, raw=raw, received=received)
            if len(again) == len(pending):
                raise MailError(
                    "Exchange lämnade inte ut meddelandena (avbruten batch); försöker igen "
                    "vid nästa körning.",
                    transient=True,
                )
            pending = again
        return [read[i] for i in ids if i in read]

    def _read_otherwise(self, item_id: str, reason: str) -> InboundMessage:
        """The item from its properties and file attachments, or an unreadable entry."""
        inbox = self._inbox()
        fields = [
            "subject",
            "author",
            "to_recipients",
            "cc_recipients",
            "message_id",
            "datetime_sent",
            "datetime_received",
            "body",
            "attachments",
            "headers",
        ]

        def get() -> Any:
            items = list(
                self.account.fetch(ids=[(item_id, None)], folder=inbox, only_fields=fields)
            )
            return items[0] if items else None

        item = self._call("läsa meddelandets egenskaper", get)
        name = type(item).__name__
        if item is None or isinstance(item, Exception):
            log.warning("Exchange item unreadable (%s, then %s): %s", reason, name, item_id)
            return InboundMessage(
                id=item_id,
                raw=unreadable_message(
                    mailbox=self.address, item_id=item_id, reason=reason, received=None
                ),
            )
        files = []
        for attachment in item.attachments or []:
            if type(attachment).__name__ != "FileAttachment":
                continue
            content = self._call("hämta bilagan", partial(_content_of, attachment))
            files.append((str(attachment.name or ""), str(attachment.content_type or ""), content))
        author = getattr(item, "author", None)
        body = item.body
        properties = ItemProperties(
            subject=str(item.subject or ""),
            sender=getattr(author, "email_address", None),
            sender_name=getattr(author, "name", None),
            to=tuple(str(r.email_address) for r in item.to_recipients or []),
            cc=tuple(str(r.email_address) for r in item.cc_recipients or []),
            message_id=str(item.message_id) if item.message_id else None,
            sent=item.datetime_sent,
            body=str(body or ""),
            body_is_html=type(body).__name__ == "HTMLBody",
            attachments=attachments_in([(n, t, bytes(c or b"")) for n, t, c in files]),
            headers=tuple(
                (str(h.name), str(h.value or "")) for h in (item.headers or []) if h.name
            ),
        )
        received = item.datetime_received.isoformat() if item.datetime_received else None
        log.info("Exchange item read from its properties (%s): %s", reason, item_id)
        return InboundMessage(
            id=item_id,
            raw=reconstructed_message(properties, reason=f"ews:{reason}"),
            received=received,
        )

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


def _content_of(attachment: Any) -> bytes:
    return bytes(attachment.content or b"")


def _utcnow() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def _oauth2_credentials(base: type, authority: str | None) -> type:
    """exchangelib's OAuth2Credentials, asking `authority` for tokens (default: Entra ID)."""
    if not authority:
        return base
    token_url = authority.rstrip("/") + "/oauth2/v2.0/token"

    class AuthorityCredentials(base):  # type: ignore[misc]
        @property
        def token_url(self) -> str:
            return token_url

    return AuthorityCredentials


def _known_autodiscover_endpoint(address: str, url: str, credentials: Any, auth_type: str) -> None:
    """Point exchangelib's autodiscover at a known SOAP autodiscover URL for this domain.

    exchangelib looks the endpoint up in its autodiscover cache before it tries DNS; an entry
    for (domain, credentials) makes it ask this URL (GetUserSettings) and nothing else."""
    from exchangelib import Configuration, FailFast
    from exchangelib.autodiscover import autodiscover_cache
    from exchangelib.autodiscover.protocol import AutodiscoverProtocol

    domain = address.rpartition("@")[2].lower()
    protocol = AutodiscoverProtocol(
        config=Configuration(
            service_endpoint=url,
            credentials=credentials,
            auth_type=auth_type,
            retry_policy=FailFast(),
        )
    )
    with autodiscover_cache:
        autodiscover_cache[(domain, credentials)] = protocol


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
