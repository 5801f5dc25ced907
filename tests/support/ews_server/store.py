"""The in-memory mailbox behind the test EWS endpoint: folders, items, per-folder change logs."""

from __future__ import annotations

import base64
import bisect
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses

DISTINGUISHED = {
    "root": ("Top of Information Store", None),
    "msgfolderroot": ("Top of Information Store", "root"),
    "inbox": ("Inkorgen", "msgfolderroot"),
    "sentitems": ("Skickat", "msgfolderroot"),
    "drafts": ("Utkast", "msgfolderroot"),
    "deleteditems": ("Borttaget", "msgfolderroot"),
    "outbox": ("Utkorgen", "msgfolderroot"),
}


def new_id(prefix: bytes = b"\x00\x00\x00\x00") -> str:
    return base64.b64encode(prefix + secrets.token_bytes(42)).decode()


@dataclass
class Folder:
    id: str
    name: str
    parent_id: str | None
    distinguished: str | None = None
    folder_class: str = "IPF.Note"
    changekey: str = field(default_factory=lambda: new_id(b"\x01\x00\x00\x00")[:40])
    # change log: (seq, item_id), appended on every change; entries: item_id -> ChangeEntry
    log: list[tuple[int, str]] = field(default_factory=list)
    entries: dict[str, ChangeEntry] = field(default_factory=dict)
    item_ids: dict[str, None] = field(default_factory=dict)  # present items, arrival order


@dataclass
class ChangeEntry:
    added_seq: int
    last_seq: int
    present: bool


@dataclass
class Item:
    id: str
    changekey: str
    folder_id: str
    mime: bytes
    subject: str
    message_id: str | None
    sender: str | None
    to: tuple[str, ...]
    cc: tuple[str, ...]
    received: datetime
    categories: list[str] = field(default_factory=list)
    is_read: bool = False
    item_class: str = "IPM.Note"
    corrupt: bool = False  # every read of its content fails with ErrorItemCorrupt


@dataclass(frozen=True)
class SentMessage:
    mime: bytes
    recipients: tuple[str, ...]
    message_id: str | None
    at: datetime


@dataclass(frozen=True)
class Change:
    kind: str  # "Create", "Update", "Delete"
    item_id: str
    item: Item | None


class Store:
    """Thread-safe in-memory Exchange mailbox."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.lock = threading.RLock()
        self._seq = itertools.count(1)
        self.folders: dict[str, Folder] = {}
        self.items: dict[str, Item] = {}
        self.sent: list[SentMessage] = []
        # Submitted items waiting in the Outbox: (due, item id, folder the copy is filed in).
        self.pending: list[tuple[float, str, str | None]] = []
        for name, (display, parent) in DISTINGUISHED.items():
            parent_id = self.folders_by_name(parent).id if parent else None
            folder = Folder(id=new_id(), name=display, parent_id=parent_id, distinguished=name)
            self.folders[folder.id] = folder

    def folders_by_name(self, distinguished: str) -> Folder:
        for folder in self.folders.values():
            if folder.distinguished == distinguished:
                return folder
        raise KeyError(distinguished)

    def folder(self, folder_id: str) -> Folder:
        return self.folders[folder_id]

    def children(self, parent_id: str) -> list[Folder]:
        return [f for f in self.folders.values() if f.parent_id == parent_id]

    def create_folder(self, parent_id: str, name: str, folder_class: str = "IPF.Note") -> Folder:
        with self.lock:
            if any(f.name == name for f in self.children(parent_id)):
                raise FileExistsError(name)
            folder = Folder(id=new_id(), name=name, parent_id=parent_id, folder_class=folder_class)
            self.folders[folder.id] = folder
            return folder

    # --- items ---------------------------------------------------------------------------

    def add_item(
        self,
        folder_id: str,
        mime: bytes,
        *,
        received: datetime | None = None,
        corrupt: bool = False,
    ) -> Item:
        headers = _headers(mime)
        item = Item(
            id=new_id(),
            changekey=new_id(b"\x09\x00\x00\x00")[:40],
            folder_id=folder_id,
            mime=mime,
            subject=headers.subject,
            message_id=headers.message_id,
            sender=_first(headers.get_all("From")),
            to=_addresses(headers.get_all("To")),
            cc=_addresses(headers.get_all("Cc")),
            received=received or datetime.now(UTC).replace(microsecond=0),
            corrupt=corrupt,
        )
        with self.lock:
            self.items[item.id] = item
            self._record(self.folders[folder_id], item.id, present=True)
        return item

    def deliver(self, mime: bytes, *, corrupt: bool = False) -> Item:
        return self.add_item(self.folders_by_name("inbox").id, mime, corrupt=corrupt)

    def touch(self, item: Item) -> None:
        with self.lock:
            item.changekey = new_id(b"\x09\x00\x00\x00")[:40]
            self._record(self.folders[item.folder_id], item.id, present=True)

    def move(self, item_id: str, target_id: str) -> Item:
        """Move an item; as in Exchange, it gets a new ItemId in the target folder."""
        with self.lock:
            item = self.items.pop(item_id)
            self._record(self.folders[item.folder_id], item_id, present=False)
            moved = Item(**{**item.__dict__, "id": new_id(), "folder_id": target_id})
            self.items[moved.id] = moved
            self._record(self.folders[target_id], moved.id, present=True)
            return moved

    def send(
        self, mime: bytes, recipients: tuple[str, ...], save_in: str | None, delay: float = 0.0
    ) -> Item | None:
        """CreateItem SendAndSaveCopy/SendOnly: transport takes the message at once; the copy
        waits in the Outbox until it is filed in `save_in` after `delay` seconds."""
        mid = _headers(mime).message_id
        with self.lock:
            self.sent.append(SentMessage(mime, recipients, mid, datetime.now(UTC)))
            item = self.add_item(self.folders_by_name("outbox").id, mime)
            self.pending.append((time.monotonic() + delay, item.id, save_in))
            self.file_due()
            return item

    def submit(self, item_id: str, save_in: str | None, delay: float = 0.0) -> None:
        """SendItem: the draft moves to the Outbox (a new ItemId), transport sends it, and the
        copy is filed after `delay` seconds (or deleted if no copy is kept)."""
        with self.lock:
            moved = self.move(item_id, self.folders_by_name("outbox").id)
            recipients = moved.to + moved.cc
            self.sent.append(
                SentMessage(moved.mime, recipients, moved.message_id, datetime.now(UTC))
            )
            self.pending.append((time.monotonic() + delay, moved.id, save_in))
            self.file_due()

    def file_due(self) -> None:
        """Move the Outbox items whose time has come to their Sent Items folder."""
        now = time.monotonic()
        with self.lock:
            waiting = []
            for due, item_id, save_in in self.pending:
                if due > now:
                    waiting.append((due, item_id, save_in))
                elif item_id in self.items:
                    if save_in is None:
                        self.delete(item_id)
                    else:
                        self.move(item_id, save_in)
            self.pending = waiting

    def delete(self, item_id: str) -> None:
        with self.lock:
            item = self.items.pop(item_id)
            self._record(self.folders[item.folder_id], item_id, present=False)

    def _record(self, folder: Folder, item_id: str, *, present: bool) -> None:
        seq = next(self._seq)
        folder.log.append((seq, item_id))
        entry = folder.entries.get(item_id)
        if entry is None:
            folder.entries[item_id] = ChangeEntry(added_seq=seq, last_seq=seq, present=present)
        else:
            entry.last_seq = seq
            entry.present = present
        if present:
            folder.item_ids.setdefault(item_id, None)
        else:
            folder.item_ids.pop(item_id, None)

    # --- sync ----------------------------------------------------------------------------

    def sync(self, folder_id: str, state: str | None, limit: int) -> tuple[list[Change], str, bool]:
        """Changes since `state` (compacted per item), the new state, and whether that is all."""
        with self.lock:
            folder = self.folders[folder_id]
            since = _decode_state(state, folder.id)
            start = bisect.bisect_right(folder.log, (since, "\U0010ffff"))
            changes: list[Change] = []
            last = since
            index = start
            for index in range(start, len(folder.log)):
                if len(changes) >= limit:
                    break
                seq, item_id = folder.log[index]
                last = seq
                entry = folder.entries[item_id]
                if entry.last_seq != seq:
                    continue  # a later change to this item follows
                if entry.present:
                    kind = "Create" if entry.added_seq > since else "Update"
                    changes.append(Change(kind, item_id, self.items[item_id]))
                elif entry.added_seq <= since:
                    changes.append(Change("Delete", item_id, None))
            else:
                index = len(folder.log)
            done = index >= len(folder.log)
            if done and folder.log:
                last = max(last, folder.log[-1][0])
            return changes, _encode_state(folder.id, last), done

    def find_in_folder(self, folder_id: str) -> list[Item]:
        with self.lock:
            folder = self.folders[folder_id]
            return [self.items[i] for i in folder.item_ids]


def _encode_state(folder_id: str, seq: int) -> str:
    return base64.b64encode(f"{folder_id}|{seq}".encode()).decode()


def _decode_state(state: str | None, folder_id: str) -> int:
    if not state:
        return 0
    try:
        owner, _, seq = base64.b64decode(state).decode().rpartition("|")
        if owner != folder_id:
            raise ValueError("sync state of another folder")
        return int(seq)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSyncState(str(exc)) from exc


class InvalidSyncState(ValueError):
    pass


class _Headers:
    """The few headers the server needs, parsed the cheap way (compat32)."""

    def __init__(self, mime: bytes) -> None:
        self._message = BytesParser(policy=policy.compat32).parsebytes(mime, headersonly=True)

    def get_all(self, name: str) -> list[str]:
        return [str(v) for v in self._message.get_all(name) or []]

    @property
    def subject(self) -> str:
        value = self._message.get("Subject")
        return str(make_header(decode_header(str(value)))) if value else ""

    @property
    def message_id(self) -> str | None:
        value = self._message.get("Message-ID")
        return str(value).strip() if value else None


def _headers(mime: bytes) -> _Headers:
    return _Headers(mime)


def _addresses(values: list[str] | None) -> tuple[str, ...]:
    return tuple(addr.lower() for _, addr in getaddresses([str(v) for v in values or []]) if addr)


def _first(values: list[str] | None) -> str | None:
    found = _addresses(values)
    return found[0] if found else None
