"""The mailbox behind the test Graph endpoint: folders, messages, change log for delta queries.

Messages carry a change sequence number; leaving a folder leaves a tombstone. A delta token is
(folder, generation, sequence): expiring tokens bumps the generation, as Exchange does when its
delta token cache drops old sync states.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import html
import itertools
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

WELL_KNOWN = ("inbox", "drafts", "sentitems", "deleteditems")
UPLOAD_MIN_BYTES = 3 * 1024 * 1024  # Graph: attachments of 3 MB and more go through a session


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_id(prefix: str) -> str:
    # Graph ids are long opaque base64url strings; ours are shorter but just as opaque.
    return prefix + secrets.token_urlsafe(18)


@dataclass
class StoredAttachment:
    id: str
    name: str
    content_type: str
    data: bytes
    is_inline: bool = False

    def json(self, *, with_content: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "id": self.id,
            "name": self.name,
            "contentType": self.content_type,
            "size": len(self.data),
            "isInline": self.is_inline,
            "lastModifiedDateTime": now_iso(),
        }
        if with_content:
            body["contentBytes"] = base64.b64encode(self.data).decode("ascii")
        return body


@dataclass
class StoredMessage:
    id: str
    folder_id: str
    seq: int
    is_draft: bool
    internet_message_id: str
    subject: str = ""
    body: dict[str, str] = field(default_factory=lambda: {"contentType": "text", "content": ""})
    sender: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    attachments: list[StoredAttachment] = field(default_factory=list)
    in_reply_to: str | None = None
    raw: bytes | None = None  # inbound messages keep their MIME as delivered
    received: str = field(default_factory=now_iso)
    sent: str | None = None
    created: str = field(default_factory=now_iso)
    modified: str = field(default_factory=now_iso)


@dataclass
class UploadSession:
    message_id: str
    name: str
    content_type: str
    size: int
    data: bytearray = field(default_factory=bytearray)


@dataclass
class Folder:
    id: str
    display_name: str
    parent_id: str


class GraphStore:
    """All state of one test mailbox; every method holds the lock."""

    def __init__(self, mailbox: str) -> None:
        self.mailbox = mailbox
        self.lock = threading.RLock()
        self._seq = itertools.count(1)
        self.generation = 1
        self.root_id = _new_id("root-")
        self.folders: dict[str, Folder] = {}
        self.well_known: dict[str, str] = {}
        for name, display in zip(
            WELL_KNOWN, ("Inkorgen", "Utkast", "Skickat", "Borttaget"), strict=True
        ):
            folder = Folder(_new_id("fld-"), display, self.root_id)
            self.folders[folder.id] = folder
            self.well_known[name] = folder.id
        self.messages: dict[str, StoredMessage] = {}
        self.tombstones: list[tuple[int, str, str]] = []  # (seq, message id, folder left)
        self.sent_log: list[dict[str, Any]] = []  # what went out, as it went out
        self.uploads: dict[str, UploadSession] = {}
        # Drafts whose /send was accepted (202) but not yet carried out: (due, id, snapshot).
        self.sending: list[tuple[float, str, dict[str, Any]]] = []

    def next_seq(self) -> int:
        return next(self._seq)

    def current_seq(self) -> int:
        with self.lock:
            value = self.next_seq()
            return value

    # folders -------------------------------------------------------------------------------

    def folder_id(self, ref: str) -> str | None:
        ref_l = ref.lower()
        if ref_l in self.well_known:
            return self.well_known[ref_l]
        if ref_l == "msgfolderroot":
            return self.root_id
        return ref if ref in self.folders else None

    def create_folder(self, display_name: str, parent_id: str) -> Folder | None:
        with self.lock:
            for folder in self.folders.values():
                same_name = folder.display_name.lower() == display_name.lower()
                if same_name and folder.parent_id == parent_id:
                    return None
            folder = Folder(_new_id("fld-"), display_name, parent_id)
            self.folders[folder.id] = folder
            return folder

    def folder_json(self, folder: Folder) -> dict[str, Any]:
        inside = [m for m in self.messages.values() if m.folder_id == folder.id]
        return {
            "id": folder.id,
            "displayName": folder.display_name,
            "parentFolderId": folder.parent_id,
            "childFolderCount": sum(1 for f in self.folders.values() if f.parent_id == folder.id),
            "unreadItemCount": len(inside),
            "totalItemCount": len(inside),
            "isHidden": False,
        }

    # messages ------------------------------------------------------------------------------

    def deliver(self, raw: bytes, folder: str = "inbox") -> StoredMessage:
        """Put an inbound RFC 5322 message into a folder, as the transport would."""
        headers = BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)
        with self.lock:
            message = StoredMessage(
                id=_new_id("msg-"),
                folder_id=self.well_known[folder],
                seq=self.next_seq(),
                is_draft=False,
                internet_message_id=str(headers.get("Message-ID", "")).strip()
                or make_msgid(domain="graph.test"),
                subject=str(headers.get("Subject", "")),
                sender=_first_address(str(headers.get("From", ""))),
                to=_addresses(str(headers.get("To", ""))),
                cc=_addresses(str(headers.get("Cc", ""))),
                raw=raw,
            )
            self.messages[message.id] = message
            return message

    def create_draft(self) -> StoredMessage:
        with self.lock:
            message = StoredMessage(
                id=_new_id("msg-"),
                folder_id=self.well_known["drafts"],
                seq=self.next_seq(),
                is_draft=True,
                internet_message_id=make_msgid(domain="graph.test"),
                sender=self.mailbox,
            )
            self.messages[message.id] = message
            return message

    def touch(self, message: StoredMessage) -> None:
        message.seq = self.next_seq()
        message.modified = now_iso()

    def move(self, message: StoredMessage, folder_id: str) -> None:
        with self.lock:
            if message.folder_id != folder_id:
                self.tombstones.append((self.next_seq(), message.id, message.folder_id))
                message.folder_id = folder_id
            self.touch(message)

    def delete(self, message: StoredMessage) -> None:
        with self.lock:
            self.tombstones.append((self.next_seq(), message.id, message.folder_id))
            del self.messages[message.id]

    def send(self, message: StoredMessage, window: float = 0.0) -> None:
        """Accept a draft for sending. Exchange works asynchronously: the draft stays in Drafts
        (isDraft) for `window` seconds; then the message goes out as it was when accepted, and
        moves to Sent Items. Deleting the draft meanwhile does not stop it; a second /send in
        the window sends it again (the worst case; the documentation does not promise better)."""
        with self.lock:
            snapshot = {
                "id": message.id,
                "recipients": message.to + message.cc,
                "message_id": message.internet_message_id,
                "subject": message.subject,
                "mime": self.mime(message),
            }
            self.sending.append((time.monotonic() + window, message.id, snapshot))
            self.advance()

    def advance(self) -> None:
        """Carry out the sends whose time has come."""
        now = time.monotonic()
        with self.lock:
            due = [entry for entry in self.sending if entry[0] <= now]
            self.sending = [entry for entry in self.sending if entry[0] > now]
            for _, message_id, snapshot in due:
                message = self.messages.get(message_id)
                if message is not None and message.is_draft:
                    message.is_draft = False
                    message.sent = now_iso()
                    self.move(message, self.well_known["sentitems"])
                self.sent_log.append(snapshot)
                recipients = (a.lower() for a in snapshot["recipients"])
                if self.mailbox.lower() in recipients:
                    self.deliver(snapshot["mime"])

    def attachments_of(self, message: StoredMessage) -> list[StoredAttachment]:
        """File attachments: those added through the API, or those in the delivered MIME."""
        if message.raw is None:
            return list(message.attachments)
        parsed = BytesParser(policy=email.policy.default).parsebytes(message.raw)
        found = []
        for index, part in enumerate(parsed.walk()):
            name = part.get_filename()
            if not name or part.is_multipart():
                continue
            data = part.get_payload(decode=True)
            found.append(
                StoredAttachment(
                    f"att-{message.id[-8:]}-{index}",
                    str(name),
                    part.get_content_type(),
                    data if isinstance(data, bytes) else b"",
                )
            )
        return found

    def find(self, internet_message_id: str, folder_id: str | None) -> list[StoredMessage]:
        with self.lock:
            return [
                m
                for m in self.messages.values()
                if m.internet_message_id == internet_message_id
                and (folder_id is None or m.folder_id == folder_id)
            ]

    # delta ---------------------------------------------------------------------------------

    def delta(
        self, folder_id: str, since: int, upto: int, after: int, page_size: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Changes in (since, upto] ordered by sequence, starting after `after`.

        Returns the page and the sequence to continue after, or None when the range is done.
        A message changed while a client pages gets a sequence beyond `upto` and comes in the
        next round, so paging never skips one.
        """
        with self.lock:
            changes: list[tuple[int, dict[str, Any]]] = []
            for message in self.messages.values():
                if message.folder_id == folder_id and max(since, after) < message.seq <= upto:
                    changes.append((message.seq, {"message": message.id}))
            if since > 0:
                for seq, message_id, left in self.tombstones:
                    if left == folder_id and max(since, after) < seq <= upto:
                        still_here = message_id in self.messages and (
                            self.messages[message_id].folder_id == folder_id
                        )
                        if not still_here:
                            changes.append((seq, {"removed": message_id}))
            changes.sort(key=lambda change: change[0])
            page = changes[:page_size]
            more = len(changes) > page_size
            items: list[dict[str, Any]] = []
            for _, change in page:
                if "removed" in change:
                    items.append(
                        {
                            "@odata.type": "#microsoft.graph.message",
                            "id": change["removed"],
                            "@removed": {"reason": "deleted"},
                        }
                    )
                else:
                    items.append({"message": change["message"]})
            return items, (page[-1][0] if more and page else None)

    # representation ------------------------------------------------------------------------

    def message_json(self, message: StoredMessage) -> dict[str, Any]:
        return {
            "@odata.type": "#microsoft.graph.message",
            "@odata.etag": f'W/"{message.seq}"',
            "id": message.id,
            "createdDateTime": message.created,
            "lastModifiedDateTime": message.modified,
            "receivedDateTime": message.received,
            "sentDateTime": message.sent,
            "hasAttachments": bool(message.attachments)
            or (message.raw is not None and b"Content-Disposition: attachment" in message.raw),
            "internetMessageId": message.internet_message_id,
            "subject": message.subject,
            "bodyPreview": message.body.get("content", "")[:255],
            "importance": "normal",
            "parentFolderId": message.folder_id,
            "conversationId": "conv-" + message.id[-12:],
            "isDeliveryReceiptRequested": False,
            "isReadReceiptRequested": False,
            "isRead": not message.is_draft,
            "isDraft": message.is_draft,
            "webLink": f"https://outlook.office365.com/owa/?ItemID={message.id}",
            "inferenceClassification": "focused",
            "body": message.body,
            "sender": _recipient(message.sender),
            "from": _recipient(message.sender),
            "toRecipients": [_recipient(a) for a in message.to],
            "ccRecipients": [_recipient(a) for a in message.cc],
            "bccRecipients": [],
            "replyTo": [_recipient(a) for a in message.reply_to],
            "categories": list(message.categories),
            "flag": {"flagStatus": "notFlagged"},
        }

    def mime(self, message: StoredMessage) -> bytes:
        """The message as MIME: as delivered for inbound mail, rendered for what we wrote."""
        if message.raw is not None:
            return message.raw
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = message.sender
        if message.to:
            msg["To"] = ", ".join(message.to)
        if message.cc:
            msg["Cc"] = ", ".join(message.cc)
        if message.reply_to:
            msg["Reply-To"] = ", ".join(message.reply_to)
        msg["Subject"] = message.subject
        msg["Message-ID"] = message.internet_message_id
        msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        if message.in_reply_to:
            msg["In-Reply-To"] = message.in_reply_to
            msg["References"] = message.in_reply_to
        for header in message.headers:
            msg[header["name"]] = header["value"]
        content = message.body.get("content", "")
        if message.body.get("contentType", "").lower() == "html":
            # Exchange sends an HTML body with a plain-text alternative it derives itself.
            plain = html.unescape(
                re.sub(r"<[^>]+>", "", re.sub(r"(?i)</p>|<br\s*/?>", "\n", content))
            )
            msg.set_content(plain.strip() + "\n", subtype="plain", charset="utf-8")
            msg.add_alternative(content, subtype="html", charset="utf-8")
        else:
            msg.set_content(content, subtype="plain", charset="utf-8")
        for attachment in message.attachments:
            maintype, _, sub = attachment.content_type.partition("/")
            msg.add_attachment(
                attachment.data,
                maintype=maintype or "application",
                subtype=sub or "octet-stream",
                filename=attachment.name,
            )
        return msg.as_bytes()


def recipient_addresses(value: Any) -> list[str]:
    """Addresses from a Graph recipient collection."""
    if not isinstance(value, list):
        return []
    result = []
    for item in value:
        address = (item or {}).get("emailAddress", {}).get("address")
        if isinstance(address, str) and address:
            result.append(address)
    return result


def _recipient(address: str) -> dict[str, Any]:
    return {"emailAddress": {"name": address, "address": address}}


def _addresses(value: str) -> list[str]:
    return [addr for _, addr in getaddresses([value]) if addr]


def _first_address(value: str) -> str:
    found = _addresses(value)
    return found[0] if found else ""
