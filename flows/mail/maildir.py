"""The local mailbox (embedded default): Maildir folders under `$FOLLOWUP_DATA/mail/`.

- `inbox/`: what boards send. Any RFC 5322 file is valid: written by a mail client into
  `inbox/new` or `inbox/cur`, or a plain `.eml` a coordinator drops into `inbox/` itself (moved
  into `inbox/new` on the next fetch).
- `sent/`: every message the system sends, as sent. The file name is derived from the
  Message-ID, so sending the same message twice cannot create a second copy.
- `processed/`: inbound messages after `mark_processed`, with an `X-Followup-Outcome` header.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import mailbox
import os
import re
import secrets
import socket
import time
from datetime import UTC, datetime
from glob import escape as glob_escape
from pathlib import Path

from flows.mail.mime import message_bytes
from flows.mail.port import FetchResult, InboundMessage, MailError, OutboundMessage

log = logging.getLogger(__name__)

_STATE_VERSION = "maildir-v1"
DEFAULT_ADDRESS = "uppfoljning@localhost"
_SUBDIRS = ("new", "cur", "tmp")


class MaildirMailbox:
    """The Mailbox port over three Maildir folders."""

    def __init__(self, root: Path, *, address: str = DEFAULT_ADDRESS) -> None:
        self.root = root
        self.address = address
        self.inbox_dir = root / "inbox"
        self.sent_dir = root / "sent"
        self.processed_dir = root / "processed"
        for folder in (self.inbox_dir, self.sent_dir, self.processed_dir):
            for sub in _SUBDIRS:
                (folder / sub).mkdir(parents=True, exist_ok=True)
        self._inbox = mailbox.Maildir(self.inbox_dir, create=False)
        self._processed = mailbox.Maildir(self.processed_dir, create=False)

    # --- sending -------------------------------------------------------------------------

    def send(self, message: OutboundMessage) -> None:
        raw = message_bytes(message, sender=self.address)
        name = sent_file_name(message.message_id)
        if self._sent_path(name) is not None:
            log.info("already sent, not sending again: %s", message.message_id)
            return
        tmp = self.sent_dir / "tmp" / f"{name}.{os.getpid()}.{time.monotonic_ns()}"
        try:
            tmp.write_bytes(raw)
            # link() fails if the name exists: two concurrent sends of one id give one copy.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, self.sent_dir / "new" / name)
        except OSError as exc:
            raise MailError(
                f"Kunde inte spara det skickade meddelandet: {exc}", transient=True
            ) from exc
        finally:
            tmp.unlink(missing_ok=True)

    def was_sent(self, message_id: str) -> bool:
        return self._sent_path(sent_file_name(message_id)) is not None

    def sent_messages(self) -> list[bytes]:
        """Every sent message, oldest first."""
        paths = [p for sub in ("new", "cur") for p in (self.sent_dir / sub).iterdir()]
        paths = [p for p in paths if p.is_file() and not p.name.startswith(".")]
        paths.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
        return [p.read_bytes() for p in paths]

    def _sent_path(self, name: str) -> Path | None:
        for sub in ("new", "cur"):
            exact = self.sent_dir / sub / name
            if exact.exists():
                return exact
            # A mail client may have marked it read: "<name>:2,S".
            for candidate in (self.sent_dir / sub).glob(f"{name}:*"):
                return candidate
        return None

    # --- receiving -----------------------------------------------------------------------

    def fetch_new(self, state: str | None) -> FetchResult:
        self._adopt_dropped_files()
        seen = _decode_state(state)
        self._inbox.clean()
        # Hidden files (.DS_Store, editors' swap files) are not mail.
        keys = [k for k in self._inbox.iterkeys() if not k.startswith(".")]
        keys.sort(key=self._arrival_order)
        messages: list[InboundMessage] = []
        for key in keys:
            if key in seen:
                continue
            try:
                raw = self._inbox.get_bytes(key)
                received = _mtime_iso(self._inbox_path(key))
            except (KeyError, FileNotFoundError):
                continue  # processed by someone else meanwhile
            messages.append(InboundMessage(id=key, raw=raw, received=received))
        # Only unprocessed messages stay in the inbox, so the state stays small.
        return FetchResult(messages=messages, state=_encode_state(set(keys)))

    def mark_processed(self, message_id: str, outcome: str) -> None:
        try:
            raw = self._inbox.get_bytes(message_id)
        except KeyError:
            if message_id in self._processed:
                return  # already done
            raise MailError(
                f"Meddelandet {message_id} finns inte i inkorgen.", transient=False
            ) from None
        tag = re.sub(r"[\r\n]+", " ", outcome).strip()
        newline = b"\r\n" if b"\r\n" in raw.split(b"\n", 1)[0] + b"\n" else b"\n"
        tagged = f"X-Followup-Outcome: {tag}".encode() + newline + raw
        # Keep the inbox key so a repeated call finds it in processed/.
        tmp = self.processed_dir / "tmp" / f"{message_id}.{os.getpid()}"
        tmp.write_bytes(tagged)
        os.replace(tmp, self.processed_dir / "cur" / f"{message_id}:2,S")
        self._inbox.discard(message_id)

    def deliver(self, raw: bytes) -> str:
        """Put a raw message into the inbox (what a mail server would do). Returns its key."""
        return self._inbox.add(mailbox.MaildirMessage(raw))

    def fetch_raw(self, item_id: str) -> bytes | None:
        """The message's bytes as delivered, from the inbox or (without our outcome header)
        from processed/; None if neither has it. Repairs a damaged archive copy."""
        try:
            return self._inbox.get_bytes(item_id)
        except KeyError:
            pass
        try:
            tagged = self._processed.get_bytes(item_id)
        except KeyError:
            return None
        first, newline, rest = tagged.partition(b"\n")
        return rest if first.startswith(b"X-Followup-Outcome:") and newline else tagged

    def _adopt_dropped_files(self) -> None:
        """Move plain files dropped into `inbox/` itself into `inbox/new`, each under a unique
        Maildir name (two `svar.eml` dropped one after the other are two messages)."""
        for path in sorted(self.inbox_dir.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            try:
                # link() never replaces an existing name; the random part makes it unique.
                key = (
                    f"{time.time_ns()}.{_safe_key(path.name)}.{secrets.token_hex(6)}."
                    f"{socket.gethostname().replace('/', '_').replace(':', '_')}"
                )
                os.link(path, self.inbox_dir / "new" / key)
                path.unlink()
            except OSError as exc:
                log.warning("could not move %s into the inbox: %s", path.name, exc)

    def _arrival_order(self, key: str) -> tuple[int, str]:
        try:
            return (self._inbox_path(key).stat().st_mtime_ns, key)
        except (KeyError, FileNotFoundError):
            return (0, key)

    def _inbox_path(self, key: str) -> Path:
        for sub in ("new", "cur"):
            exact = self.inbox_dir / sub / key
            if exact.exists():
                return exact
            for candidate in (self.inbox_dir / sub).glob(f"{glob_escape(key)}:*"):
                return candidate
        raise KeyError(key)


def sent_file_name(message_id: str) -> str:
    """A Maildir file name for a Message-ID (stable, no ':' or '/')."""
    return "msgid-" + hashlib.sha256(message_id.strip().encode()).hexdigest()[:40]


def _safe_key(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80] or "eml"


def _mtime_iso(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).isoformat()


def _encode_state(keys: set[str]) -> str:
    return json.dumps({"v": _STATE_VERSION, "seen": sorted(keys)}, separators=(",", ":"))


def _decode_state(state: str | None) -> set[str]:
    if not state:
        return set()
    try:
        data = json.loads(state)
    except json.JSONDecodeError:
        return set()
    if not isinstance(data, dict) or data.get("v") != _STATE_VERSION:
        return set()
    return {str(k) for k in data.get("seen", [])}
