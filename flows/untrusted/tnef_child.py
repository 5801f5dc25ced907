"""Parse one winmail.dat from stdin in a process of its own, with limits set before reading.

Run by `flows.untrusted.tnef` as `python -I tnef_child.py MEMORY_BYTES CPU_SECONDS MAX_FILES`;
imports only the standard library and tnefparse. Output on stdout, one frame per attached file:
4-byte name length, UTF-8 name, 8-byte data length, data (big-endian). Exit 3 when the input is
not TNEF, 4 when it holds more files or bytes than allowed.
"""

from __future__ import annotations

import resource
import struct
import sys


def _name(item: object) -> str:
    try:
        name = item.long_filename()  # type: ignore[attr-defined]
    except UnicodeDecodeError:
        # The 8.3 title is in the sender's code page, not UTF-8 as tnefparse assumes.
        name = item._name  # type: ignore[attr-defined]
    if isinstance(name, list):
        name = name[0] if name else ""
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError:
            name = name.decode("cp1252", errors="replace")
    return str(name).strip("\x00").strip()


def main() -> int:
    memory, seconds, max_files = (int(v) for v in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    data = sys.stdin.buffer.read()
    from tnefparse import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError, struct.error):
        return 3
    out = sys.stdout.buffer
    total = 0
    files = [item for item in tnef.attachments if item.data]
    if len(files) > max_files:
        return 4
    for item in files:
        content = item.data if isinstance(item.data, bytes) else bytes(item.data)
        total += len(content)
        if total > len(data):  # files inside TNEF are stored, never compressed
            return 4
        name = _name(item).encode("utf-8", "replace")
        out.write(struct.pack(">I", len(name)) + name + struct.pack(">Q", len(content)) + content)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
