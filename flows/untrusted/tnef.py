"""winmail.dat (TNEF) from Outlook, unpacked in a child process with memory and CPU limits.

tnefparse trusts the lengths written in the file: 53 bytes can make it allocate gigabytes. So it
never runs in the collect process: `tnef_child.py` runs under RLIMIT_AS and RLIMIT_CPU and a
wall-clock timeout, and whatever it returns is checked again here.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from flows.untrusted.limits import LIMITS, LimitExceeded, Limits

_CHILD = Path(__file__).with_name("tnef_child.py")


class NotTnef(Exception):
    """The bytes are not TNEF tnefparse can read."""


def unpack(data: bytes, limits: Limits = LIMITS) -> list[tuple[str, bytes]]:
    """(name, content) of every file inside a winmail.dat; raises NotTnef or LimitExceeded."""
    if len(data) > limits.tnef_bytes:
        raise LimitExceeded("winmail.dat är för stor")
    command = [
        sys.executable,
        "-I",
        str(_CHILD),
        str(limits.tnef_memory_bytes),
        str(max(1, int(limits.tnef_seconds))),
        str(limits.tnef_attachments),
    ]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=limits.tnef_seconds, check=False
        )
    except subprocess.TimeoutExpired:
        raise LimitExceeded("winmail.dat tog för lång tid att läsa") from None
    if done.returncode == 3:
        raise NotTnef("not TNEF")
    if done.returncode == 4:
        raise LimitExceeded("winmail.dat innehåller för många eller för stora filer")
    if done.returncode != 0:
        # Killed by its limits (MemoryError, SIGXCPU) or crashed: the file is hostile or broken.
        raise LimitExceeded("winmail.dat kunde inte läsas inom gränserna för minne och tid")
    return _frames(done.stdout, limit=len(data))


def _frames(out: bytes, *, limit: int) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    at = 0
    total = 0
    try:
        while at < len(out):
            (name_len,) = struct.unpack_from(">I", out, at)
            name = out[at + 4 : at + 4 + name_len].decode("utf-8", "replace")
            at += 4 + name_len
            (size,) = struct.unpack_from(">Q", out, at)
            content = out[at + 8 : at + 8 + size]
            at += 8 + size
            total += size
            if len(content) != size or total > limit:
                raise NotTnef("inconsistent output")
            files.append((name, content))
    except struct.error:
        raise NotTnef("truncated output") from None
    return files
