"""The Mailbox port over Microsoft Graph (Exchange Online), with app-only access.

- fetch: a delta query on the inbox; the caller keeps our JSON state (delta link + ids returned
  and not yet processed), so an expired delta token (410, or 400/404 with syncStateNotFound /
  resyncRequired) restarts a full sync that skips what the caller already has. Raw MIME comes
  from `/messages/{id}/$value`, which carries file attachments and forwarded messages (item
  attachments) as MIME parts. Exchange answers 500 ErrorMimeContentConversionFailed for some
  items (S/MIME) every time: those are rebuilt from the message's JSON and its /attachments
  (flows.mail.reconstruct), or become an unreadable entry; the poll goes on.
- send, idempotent without timing: a draft with our Message-ID as `internetMessageId` and our
  X- headers (Graph takes them only at create), its id noted in the caller's journal, the
  attachments inline, by POST or through an upload session, then `/send`. `/send` answers 202
  and Exchange acts later; the draft stays in Drafts meanwhile. So a retry asks about the draft
  by id (ids are immutable): no longer a draft, it was sent; still a draft and never asked to
  send, it is sent now; still a draft after a send request whose answer was lost, it is left
  alone (SendPending) until `send_window_seconds` have passed since that request. A draft that
  may be in flight is never deleted, and a complete draft is never composed again.
- retries: the client (graph_client) is the only layer that retries; a Retry-After longer than
  the budget raises MailDeferred, and so does every request until then.
- mark processed: Outlook categories, then a move to the processed folder (created if missing).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from flows.mail.graph_client import DeltaExpired, GraphClient, GraphHttpError
from flows.mail.graph_rules import (
    THROTTLED,
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
from flows.mail.port import (
    Attachment,
    FetchResult,
    InboundMessage,
    MailDeferred,
    MailError,
    MemoryJournal,
    OutboundMessage,
    SendJournal,
    SendPending,
)
from flows.mail.reconstruct import (
    ItemProperties,
    attachments_in,
    reconstructed_message,
    unreadable_message,
)

log = logging.getLogger(__name__)

SEARCH_CHUNK = 10  # Message-IDs per search (keeps the URL short)
MIME_UNAVAILABLE = "ErrorMimeContentConversionFailed"


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
        self._journal = MemoryJournal()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> GraphMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # sending -------------------------------------------------------------------------------

    def was_sent(self, message_id: str) -> bool:
        return message_id in self.sent_among([message_id])

    def send(self, message: OutboundMessage) -> None:
        self.send_recorded(message, self._journal)

    def send_many(self, messages: list[OutboundMessage]) -> dict[str, MailError]:
        """Send many, at most `FOLLOWUP_GRAPH_CONCURRENCY` in flight (Exchange allows 4 per
        mailbox). Returns the failures by Message-ID."""
        failures: dict[str, MailError] = {}

        def one(message: OutboundMessage) -> None:
            try:
                self.send(message)
            except MailError as exc:
                failures[message.message_id] = exc

        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            list(pool.map(one, messages))
        return failures

    def send_recorded(self, message: OutboundMessage, journal: SendJournal) -> None:
        """Send once, whatever happened to earlier attempts (see the module docstring)."""
        mid = message.message_id
        _, dropped = custom_headers(message.headers)
        if dropped:
            log.debug("Graph takes only X- headers; left out: %s", ", ".join(dropped))
        draft_id = journal.draft_of(mid)
        if draft_id is not None:
            state = self._draft_state(draft_id)
            if state == "sent":
                return
            if state == "gone":
                draft_id = None  # deleted by a person: look again below
            elif journal.send_requested_at(mid) is None:
                # An attempt may have stopped half-way through the attachments (throttled).
                self._complete(draft_id, message)
        if draft_id is None:
            found = self._find_own(mid, message, may_delete=journal.send_requested_at(mid) is None)
            if found == "sent":
                log.info("Already sent, not sent again: %s", mid)
                return
            draft_id = found
        if draft_id is None:
            draft_id = self._compose(message, journal)
        requested = journal.send_requested_at(mid)
        if requested is not None:
            age = (_utcnow() - requested).total_seconds()
            if age < self.settings.send_window_seconds:
                raise SendPending(
                    f"Microsoft Graph har ännu inte skickat {mid} som begärdes för "
                    f"{age:.0f} s sedan; det kontrolleras vid nästa körning."
                )
            log.warning("A send request for %s was not carried out; asking again", mid)
        self._request_send(mid, draft_id, journal)

    def _request_send(self, mid: str, draft_id: str, journal: SendJournal) -> None:
        journal.record_send_requested(mid, _utcnow())
        try:
            self._client.request("POST", f"{self._user}/messages/{draft_id}/send", idempotent=False)
        except MailDeferred:
            journal.record_send_requested(mid, None)  # throttled: Exchange did not act
            raise
        except GraphHttpError as exc:
            if exc.status in THROTTLED or not exc.transient:
                if self._draft_state(draft_id) == "sent":
                    return  # an earlier request was carried out meanwhile ("only a draft ...")
                journal.record_send_requested(mid, None)  # refused: nothing was sent
                raise
            self._after_lost_answer(mid, draft_id, exc)
        except MailError as exc:
            self._after_lost_answer(mid, draft_id, exc)

    def _after_lost_answer(self, mid: str, draft_id: str, exc: MailError) -> None:
        """The /send may have been accepted; ask once, never send again on a guess."""
        if self._draft_state(draft_id) != "draft":
            return
        raise SendPending(
            f"Svaret på sändningen av {mid} kom bort ({exc}); Exchange kan ha tagit emot den. "
            "Det kontrolleras vid nästa körning."
        ) from exc

    def _draft_state(self, draft_id: str) -> str:
        """ "draft" (still in Drafts, unsent), "sent", or "gone" (deleted)."""
        try:
            item = self._client.request(
                "GET",
                f"{self._user}/messages/{quote(draft_id, safe='')}",
                params={"$select": "id,isDraft"},
            ).json()
        except GraphHttpError as exc:
            if exc.status == 404 or (exc.status == 400 and not exc.transient):
                return "gone"  # deleted, or an id of another transport (a switch from EWS)
            raise
        return "draft" if item.get("isDraft") else "sent"

    def _find_own(self, mid: str, message: OutboundMessage, *, may_delete: bool) -> str | None:
        """ "sent", the id of a complete draft of ours to send, or None (compose it)."""
        response = self._client.request(
            "GET",
            f"{self._user}/messages",
            params={
                "$filter": f"internetMessageId eq {odata_string(mid)}",
                "$select": "id,isDraft,hasAttachments",
                "$top": "10",
            },
        )
        items = response.json().get("value", [])
        if any(not item.get("isDraft") for item in items):
            return "sent"
        if not items:
            return None
        if not may_delete:
            if len(items) > 1:
                # A send was requested for one of these and we cannot tell which: do not guess.
                raise SendPending(f"Flera utkast av {mid} finns; det kontrolleras senare.")
            return str(items[0]["id"])
        # Never asked to send: drafts failed attempts left behind. Keep one, complete it.
        chosen = str(items[0]["id"])
        for item in items[1:]:
            self._discard(str(item["id"]))
        self._complete(chosen, message)
        return chosen

    def _complete(self, draft_id: str, message: OutboundMessage) -> None:
        """Add the attachments an earlier attempt did not get onto the draft (only those)."""
        if not message.attachments:
            return
        response = self._client.request(
            "GET",
            f"{self._user}/messages/{draft_id}/attachments",
            params={"$select": "id,name"},
        )
        present = Counter(str(a.get("name", "")) for a in response.json().get("value", []))
        missing = []
        for attachment in message.attachments:
            name = safe_filename(attachment.filename)
            if present[name] > 0:
                present[name] -= 1
            else:
                missing.append(attachment)
        self._attach(draft_id, missing)

    def _attach(self, draft_id: str, attachments: list[Attachment]) -> None:
        routes = route_attachments(attachments)
        for attachment in (*routes.inline, *routes.separate):
            self._client.request(
                "POST",
                f"{self._user}/messages/{draft_id}/attachments",
                json=self._file_json(attachment),
            )
        for attachment in routes.upload:
            self._upload(draft_id, attachment)

    def sent_among(self, message_ids: list[str]) -> set[str]:
        """Which of these Message-IDs were sent (a copy that is no longer a draft exists)."""
        found: set[str] = set()
        for start in range(0, len(message_ids), SEARCH_CHUNK):
            chunk = message_ids[start : start + SEARCH_CHUNK]
            clauses = " or ".join(f"internetMessageId eq {odata_string(i)}" for i in chunk)
            response = self._client.request(
                "GET",
                f"{self._user}/messages",
                params={
                    "$filter": clauses,
                    "$select": "id,internetMessageId,isDraft",
                    "$top": "100",
                },
            )
            for item in response.json().get("value", []):
                if not item.get("isDraft"):
                    found.add(str(item.get("internetMessageId")))
        return found

    def _compose(self, message: OutboundMessage, journal: SendJournal) -> str:
        """Create the draft (noted in the journal at once) with all its attachments."""
        routes = route_attachments(message.attachments)
        fields = message_fields(message)
        original = self._find_original(message.in_reply_to) if message.in_reply_to else None
        separate = list(routes.separate)
        if original is not None:
            # createReply gives the draft In-Reply-To/References, which Graph does not let us
            # set; our fields go in its `message`, as headers may be set only at create.
            reply = self._client.request(
                "POST",
                f"{self._user}/messages/{original}/createReply",
                json={"message": fields},
            )
            draft_id = str(reply.json()["id"])
            separate = list(routes.inline) + separate
        else:
            fields["attachments"] = [self._file_json(a) for a in routes.inline]
            created = self._client.request("POST", f"{self._user}/messages", json=fields)
            draft_id = str(created.json()["id"])
        journal.record_draft(message.message_id, draft_id)
        try:
            for attachment in separate:
                self._client.request(
                    "POST",
                    f"{self._user}/messages/{draft_id}/attachments",
                    json=self._file_json(attachment),
                )
            for attachment in routes.upload:
                self._upload(draft_id, attachment)
        except MailError as exc:
            # Transient (throttled, a lost answer): keep the draft; the retry adds only what
            # is missing. Permanent: the draft was never asked to send, so it may go.
            if not exc.transient:
                self._discard(draft_id)
                journal.record_draft(message.message_id, None)
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
            if exc.transient and exc.code != MIME_UNAVAILABLE:
                raise
            return self._read_otherwise(message_id, exc.code or str(exc.status))

    def _read_otherwise(self, message_id: str, reason: str) -> bytes | None:
        """The message from its JSON and file attachments, or an unreadable entry."""
        url = f"{self._user}/messages/{message_id}"
        try:
            item = self._client.request(
                "GET",
                url,
                params={
                    "$select": "subject,from,toRecipients,ccRecipients,internetMessageId,"
                    "sentDateTime,receivedDateTime,body,internetMessageHeaders"
                },
            ).json()
            listed = self._client.request("GET", f"{url}/attachments").json().get("value", [])
        except GraphHttpError as exc:
            if exc.status == 404:
                return None
            if exc.transient:
                raise
            log.warning("Graph message unreadable (%s, then %s): %s", reason, exc.code, message_id)
            return unreadable_message(
                mailbox=self.address, item_id=message_id, reason=reason, received=None
            )
        files = [
            (
                str(a.get("name", "")),
                str(a.get("contentType", "")),
                base64.b64decode(a.get("contentBytes") or ""),
            )
            for a in listed
            if a.get("@odata.type") == "#microsoft.graph.fileAttachment"
        ]
        sender = (item.get("from") or {}).get("emailAddress", {})
        body = item.get("body") or {}
        properties = ItemProperties(
            subject=str(item.get("subject") or ""),
            sender=sender.get("address"),
            sender_name=sender.get("name"),
            to=_addresses(item.get("toRecipients")),
            cc=_addresses(item.get("ccRecipients")),
            message_id=item.get("internetMessageId"),
            sent=_parse_time(item.get("sentDateTime")),
            body=str(body.get("content") or ""),
            body_is_html=str(body.get("contentType", "")).lower() == "html",
            attachments=attachments_in(files),
            headers=tuple(
                (str(h.get("name", "")), str(h.get("value", "")))
                for h in item.get("internetMessageHeaders") or []
                if h.get("name")
            ),
        )
        log.info("Graph message read from its properties (%s): %s", reason, message_id)
        return reconstructed_message(properties, reason=f"graph:{reason}")

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


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _addresses(recipients: Any) -> tuple[str, ...]:
    found = []
    for recipient in recipients or []:
        address = (recipient or {}).get("emailAddress", {}).get("address")
        if address:
            found.append(str(address))
    return tuple(found)


def open_graph_mailbox(settings: GraphSettings) -> GraphMailbox:
    """The Graph mailbox for these settings (the secret is read on first use)."""
    return GraphMailbox(settings)
