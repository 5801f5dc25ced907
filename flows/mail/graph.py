"""The Mailbox port over Microsoft Graph (Exchange Online), with app-only access.

- fetch: a delta query on the inbox; the caller keeps our JSON state (delta link + ids returned
  and not yet processed), so an expired delta token (410) restarts a full sync that skips what
  the caller already has. Raw MIME comes from `/messages/{id}/$value`, which carries file
  attachments and forwarded messages (item attachments) as MIME parts.
- send: a draft with our Message-ID as `internetMessageId`, attachments inline, by POST, or
  through an upload session (3 MB and more), then `send`. Sent Items is checked first, so a
  repeated call (or a retry after a lost answer) does not send twice.
- mark processed: Outlook categories, then a move to the processed folder (created if missing).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from flows.mail.graph_client import DeltaExpired, GraphClient, GraphHttpError
from flows.mail.graph_rules import (
    SyncState,
    apply_delta_page,
    categories_after,
    custom_headers,
    file_attachment,
    message_fields,
    odata_string,
    route_attachments,
    upload_ranges,
)
from flows.mail.graph_settings import GraphSettings
from flows.mail.mime import safe_filename
from flows.mail.port import Attachment, FetchResult, InboundMessage, MailError, OutboundMessage

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
SEARCH_CHUNK = 10  # Message-IDs per Sent Items search (keeps the URL short)


class GraphMailbox:
    """One Exchange Online mailbox through Microsoft Graph."""

    def __init__(self, settings: GraphSettings, client: GraphClient | None = None) -> None:
        self.settings = settings
        self.address = settings.mailbox
        self._client = client or GraphClient(settings)
        self._user = f"/users/{quote(settings.user_id or settings.mailbox, safe='@')}"
        self._processed_folder_id: str | None = None
        self._sent_items_folder_id: str | None = None
        # Categories seen in delta pages, so marking what we fetched needs no extra read.
        self._categories: dict[str, list[str]] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GraphMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # sending -------------------------------------------------------------------------------

    def was_sent(self, message_id: str) -> bool:
        response = self._client.request(
            "GET",
            f"{self._user}/mailFolders/sentitems/messages",
            params={
                "$filter": f"internetMessageId eq {odata_string(message_id)}",
                "$select": "id",
                "$top": "1",
            },
        )
        return bool(response.json().get("value"))

    def send(self, message: OutboundMessage) -> None:
        self._send(message, known_unsent=False)

    def send_many(self, messages: list[OutboundMessage]) -> dict[str, MailError]:
        """Send many: one search per 10 for those already sent, then at most
        `FOLLOWUP_GRAPH_CONCURRENCY` sends in flight. Returns the failures by Message-ID."""
        already = self.sent_among([m.message_id for m in messages])
        failures: dict[str, MailError] = {}

        def one(message: OutboundMessage) -> None:
            try:
                self._send(message, known_unsent=True)
            except MailError as exc:
                failures[message.message_id] = exc

        todo = [m for m in messages if m.message_id not in already]
        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            list(pool.map(one, todo))
        return failures

    def _send(self, message: OutboundMessage, *, known_unsent: bool) -> None:
        _, dropped = custom_headers(message.headers)
        if dropped:
            log.debug("Graph takes only X- headers; left out: %s", ", ".join(dropped))
        for attempt in range(1, SEND_ATTEMPTS + 1):
            checked = known_unsent and attempt == 1
            if not checked and message.message_id in self.sent_among([message.message_id]):
                log.info("Already in Sent Items, not sent again: %s", message.message_id)
                return
            draft_id: str | None = None
            try:
                draft_id = self._compose(message)
                self._client.request(
                    "POST", f"{self._user}/messages/{draft_id}/send", idempotent=False
                )
                return
            except MailError as exc:
                if not exc.transient or attempt == SEND_ATTEMPTS:
                    self._discard(draft_id)
                    raise
                # The send may have reached Exchange even though its answer did not reach us.
                if draft_id is not None and self._appears_in_sent_items(message.message_id):
                    return
                self._discard(draft_id)
                log.warning("Sending %s failed (%s); trying again", message.message_id, exc)

    def sent_among(self, message_ids: list[str]) -> set[str]:
        """Which of these Message-IDs are in Sent Items; drafts of the others left by failed
        attempts are deleted on the way."""
        sent_items = self._sent_items_id()
        found: set[str] = set()
        for start in range(0, len(message_ids), SEARCH_CHUNK):
            chunk = message_ids[start : start + SEARCH_CHUNK]
            clauses = " or ".join(f"internetMessageId eq {odata_string(i)}" for i in chunk)
            response = self._client.request(
                "GET",
                f"{self._user}/messages",
                params={
                    "$filter": clauses,
                    "$select": "id,internetMessageId,isDraft,parentFolderId",
                    "$top": "100",
                },
            )
            for item in response.json().get("value", []):
                if item.get("isDraft"):
                    self._discard(str(item["id"]))
                elif item.get("parentFolderId") == sent_items:
                    found.add(str(item.get("internetMessageId")))
        return found

    def _sent_items_id(self) -> str:
        if self._sent_items_folder_id is None:
            response = self._client.request(
                "GET", f"{self._user}/mailFolders/sentitems", params={"$select": "id"}
            )
            self._sent_items_folder_id = str(response.json()["id"])
        return self._sent_items_folder_id

    def _compose(self, message: OutboundMessage) -> str:
        """Create the draft with all its attachments; returns its id."""
        routes = route_attachments(message.attachments)
        fields = message_fields(message)
        original = self._find_original(message.in_reply_to) if message.in_reply_to else None
        separate = list(routes.separate)
        if original is not None:
            # createReply gives the draft In-Reply-To/References, which Graph does not let us set.
            reply = self._client.request(
                "POST", f"{self._user}/messages/{original}/createReply", json={}
            )
            draft_id = str(reply.json()["id"])
            self._client.request("PATCH", f"{self._user}/messages/{draft_id}", json=fields)
            separate = list(routes.inline) + separate
        else:
            fields["attachments"] = [self._file_json(a) for a in routes.inline]
            created = self._client.request("POST", f"{self._user}/messages", json=fields)
            draft_id = str(created.json()["id"])
        try:
            for attachment in separate:
                self._client.request(
                    "POST",
                    f"{self._user}/messages/{draft_id}/attachments",
                    json=self._file_json(attachment),
                )
            for attachment in routes.upload:
                self._upload(draft_id, attachment)
        except MailError:
            self._discard(draft_id)
            raise
        return draft_id

    @staticmethod
    def _file_json(attachment: Attachment) -> dict[str, Any]:
        return file_attachment(attachment, safe_filename(attachment.filename))

    def _upload(self, draft_id: str, attachment: Attachment) -> None:
        size = len(attachment.data)
        session = self._client.request(
            "POST",
            f"{self._user}/messages/{draft_id}/attachments/createUploadSession",
            json={
                "AttachmentItem": {
                    "attachmentType": "file",
                    "name": safe_filename(attachment.filename),
                    "size": size,
                    "contentType": attachment.content_type,
                }
            },
        ).json()
        upload_url = str(session["uploadUrl"])
        for start, end in upload_ranges(size):
            # The upload URL carries its own authorization: no bearer token may go there.
            self._client.request(
                "PUT",
                upload_url,
                content=attachment.data[start : end + 1],
                headers={
                    "Content-Range": f"bytes {start}-{end}/{size}",
                    "Content-Type": "application/octet-stream",
                },
                authenticated=False,
                idempotent=False,
            )

    def _find_original(self, internet_message_id: str) -> str | None:
        response = self._client.request(
            "GET",
            f"{self._user}/messages",
            params={
                "$filter": f"internetMessageId eq {odata_string(internet_message_id)}",
                "$select": "id,isDraft",
                "$top": "5",
            },
        )
        for item in response.json().get("value", []):
            if not item.get("isDraft"):
                return str(item["id"])
        return None

    def _appears_in_sent_items(self, message_id: str) -> bool:
        # Exchange files the sent copy asynchronously; give it a moment before resending.
        deadline = time.monotonic() + self.settings.sent_settle_seconds
        while True:
            if self.was_sent(message_id):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(1.0, self.settings.sent_settle_seconds))

    def _discard(self, draft_id: str | None) -> None:
        if draft_id is None:
            return
        try:
            self._client.request("DELETE", f"{self._user}/messages/{draft_id}")
        except MailError as exc:
            log.warning("Could not delete the unsent draft %s: %s", draft_id, exc)

    # fetching ------------------------------------------------------------------------------

    def fetch_new(self, state: str | None) -> FetchResult:
        sync = SyncState.decode(state)
        try:
            page = self._delta_page(sync)
        except DeltaExpired:
            log.warning("The inbox delta token has expired; starting a full sync")
            sync = sync.restart()
            page = self._delta_page(sync)
        step = apply_delta_page(sync, page)
        for item in page.get("value", []):
            if "categories" in item:
                self._categories[str(item["id"])] = [str(c) for c in item["categories"]]
        # Up to `concurrency` MIME downloads in flight, as Exchange allows per mailbox.
        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            raws = list(pool.map(self._mime, [message_id for message_id, _ in step.new]))
        messages: list[InboundMessage] = []
        seen = set(step.state.seen)
        for (message_id, received), raw in zip(step.new, raws, strict=True):
            if raw is None:
                log.warning("Message %s left the inbox before it was read", message_id)
                seen.discard(message_id)
                continue
            messages.append(InboundMessage(id=message_id, raw=raw, received=received))
        new_state = SyncState(step.state.link, frozenset(seen), step.state.present)
        return FetchResult(messages=messages, state=new_state.encode(), more=step.more)

    def _mime(self, message_id: str) -> bytes | None:
        """The message as RFC 5322 bytes; None if it is gone (moved or deleted meanwhile)."""
        try:
            return self._client.request("GET", f"{self._user}/messages/{message_id}/$value").content
        except GraphHttpError as exc:
            if exc.status == 404:
                return None
            raise

    def _delta_page(self, sync: SyncState) -> dict[str, Any]:
        prefer = {"Prefer": f'odata.maxpagesize={self.settings.page_size}, IdType="ImmutableId"'}
        if sync.link:
            response = self._client.request("GET", sync.link, headers=prefer)
        else:
            response = self._client.request(
                "GET",
                f"{self._user}/mailFolders/inbox/messages/delta",
                params={"$select": "id,receivedDateTime,internetMessageId,categories"},
                headers=prefer,
            )
        page: dict[str, Any] = response.json()
        return page

    # marking -------------------------------------------------------------------------------

    def mark_processed(self, message_id: str, outcome: str) -> None:
        folder_id = self._processed_folder()
        url = f"{self._user}/messages/{message_id}"
        existing = self._categories.pop(message_id, None)
        if existing is None:
            reply = self._client.request("GET", url, params={"$select": "categories"}).json()
            existing = [str(c) for c in reply.get("categories", [])]
        categories = categories_after(existing, self.settings.category, outcome)
        if categories != existing:
            self._client.request("PATCH", url, json={"categories": categories})
        self._client.request(
            "POST", f"{url}/move", json={"destinationId": folder_id}, idempotent=True
        )

    def _processed_folder(self) -> str:
        if self._processed_folder_id is None:
            self._processed_folder_id = self._find_folder() or self._create_folder()
        return self._processed_folder_id

    def _find_folder(self) -> str | None:
        name = self.settings.processed_folder
        response = self._client.request(
            "GET",
            f"{self._user}/mailFolders",
            params={"$filter": f"displayName eq {odata_string(name)}", "$select": "id"},
        )
        found = response.json().get("value", [])
        return str(found[0]["id"]) if found else None

    def _create_folder(self) -> str:
        try:
            response = self._client.request(
                "POST",
                f"{self._user}/mailFolders",
                json={"displayName": self.settings.processed_folder},
            )
        except GraphHttpError as exc:
            if exc.status != 409:
                raise
            # Another worker created it between our look-up and our create.
            folder_id = self._find_folder()
            if folder_id is None:
                raise
            return folder_id
        return str(response.json()["id"])


def open_graph_mailbox(settings: GraphSettings | None = None) -> GraphMailbox:
    """The Graph mailbox from FOLLOWUP_GRAPH_* settings (the secret is read on first use)."""
    if settings is None:
        try:
            settings = GraphSettings()
        except ValidationError as exc:
            names = ", ".join(
                "FOLLOWUP_GRAPH_" + str(error["loc"][0]).upper() for error in exc.errors()
            )
            raise MailError(
                f"Inställningar för Microsoft Graph saknas eller är felaktiga: {names}. "
                "Se docs/exchange-online.md.",
                transient=False,
            ) from exc
    return GraphMailbox(settings)
