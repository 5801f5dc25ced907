"""Raw inbound mail, stored content-addressed by SHA-256 before anything parses it.

Layout: `<archive_dir>/<sha[:2]>/<sha>.eml`. Writes are atomic (temp file, fsync, rename,
fsync of the directory) and idempotent: storing the same bytes twice keeps one file. Paths are
only ever built from a validated hex digest, never from anything a sender controls.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class ArchiveError(Exception):
    """An archived message is missing or does not match its digest."""


def digest(raw: bytes) -> str:
    """The lower-case hex SHA-256 of `raw` (the message's archive key)."""
    return hashlib.sha256(raw).hexdigest()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Archive:
    """A content-addressed store of raw messages under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha: str) -> Path:
        """Where the message with digest `sha` lives; rejects anything but a SHA-256 hex digest."""
        if not SHA256_RE.match(sha):
            raise ValueError(f"not a lower-case SHA-256 hex digest: {sha!r}")
        return self.root / sha[:2] / f"{sha}.eml"

    def store(self, raw: bytes) -> str:
        """Archive `raw` durably and return its SHA-256; a no-op if it is already stored."""
        sha = digest(raw)
        target = self.path(sha)
        if target.is_file() and digest(target.read_bytes()) == sha:
            return sha  # already archived intact
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
            _fsync_dir(self.root)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o440)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return sha

    def contains(self, sha: str) -> bool:
        """True if a message with this digest is archived."""
        return self.path(sha).is_file()

    def load(self, sha: str) -> bytes:
        """The archived bytes of `sha`, verified against the digest."""
        try:
            raw = self.path(sha).read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"message {sha} is not in the archive") from None
        if digest(raw) != sha:
            raise ArchiveError(f"archived message {sha} is corrupt (digest mismatch)")
        return raw
