"""Every resource limit on what a sender controls, in one place.

A message or file over a limit is not an error of the program: the reader that hits it raises
`LimitExceeded` (or reports a `file.*` problem) and the message gets a Swedish answer or a
quarantine entry. The budgets these defaults keep (measured by `benchmarks/hostile.py`, not
asserted in tests): no single message costs collect more than 512 MB RSS or 30 s CPU, and
`followup parse` of any file stays under 300 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # --- one inbound message (RFC 5322 / MIME) ------------------------------------------------
    message_bytes: int = 40 * MB
    """A whole raw message; Exchange's own default limit is 35 MB after base64."""
    header_block_bytes: int = 256 * 1024
    """The top-level header block (everything before the first empty line)."""
    header_count: int = 1000
    """Header fields in the top-level header block."""
    header_value_chars: int = 16 * 1024
    """One header value as we read it (longer values are cut before parsing)."""
    mime_depth: int = 10
    """Nesting of multiparts and forwarded messages."""
    mime_parts: int = 200
    """MIME parts of the whole message, nested ones included."""
    attachments: int = 20
    """Files attached to one message; beyond this the sender gets one Swedish reply."""
    documents_read: int = 10
    """Attachments read as templates per message (the rest are named in a note)."""

    # --- zip archives (.docx, .odt) -----------------------------------------------------------
    zip_bytes: int = 50 * MB
    """A whole archive as attached."""
    zip_entries: int = 2000
    """Members of one archive (checked in the end-of-central-directory record first)."""
    zip_member_bytes: int = 10 * MB
    """One member, inflated: declared size and bytes actually inflated (streamed)."""
    zip_total_bytes: int = 64 * MB
    """All members read from one archive, inflated."""
    zip_ratio: int = 150
    """Inflated / compressed size of one member, above `zip_ratio_floor_bytes`."""
    zip_ratio_floor_bytes: int = 2 * MB
    """Members smaller than this may compress as well as they like (runs of spaces, markup)."""

    # --- TNEF (winmail.dat), parsed in a child process ------------------------------------------
    tnef_bytes: int = 25 * MB
    tnef_memory_bytes: int = 384 * MB
    """RLIMIT_AS of the child process that parses TNEF."""
    tnef_seconds: float = 5.0
    """Wall-clock and CPU limit of that child process."""
    tnef_attachments: int = 50

    # --- LibreOffice conversions (.doc, .odt, .rtf) --------------------------------------------
    conversions_per_message: int = 3
    conversion_seconds: float = 60.0
    """Wall-clock limit of one conversion (CPU limit: the same)."""
    conversion_memory_bytes: int = 3 * 1024 * MB
    """RLIMIT_AS of soffice: its address space, mapped libraries included, not its RSS."""

    # --- collect ------------------------------------------------------------------------------
    interrupted_attempts: int = 3
    """Runs that may die (killed, out of memory) while processing one message before it is
    parked in quarantine instead of being tried again. An exception parks it at once; a dead
    process is rarer (TNEF and LibreOffice run in child processes) and may be a restart."""


LIMITS = Limits()
"""The limits used unless a caller passes others (tests and benchmarks pass smaller ones)."""


class LimitExceeded(Exception):
    """Input over one of the `Limits`; `what` says which, in Swedish, for the sender."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
