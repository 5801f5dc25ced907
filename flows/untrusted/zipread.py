"""A zip reader for archives a sender made (.docx, .odt): bounded before, while and after it reads.

- before zipfile parses anything, the end-of-central-directory record is read by hand: the
  declared entry count and the size of the central directory must be within the limits (the
  central directory is what zipfile turns into objects, so its size bounds that memory);
- every member is read in small chunks, never with an unbounded `.read()`: zipfile's one-shot
  read asks zlib for up to 2 GB at once whatever the member declares;
- the bytes actually inflated are counted against the member limit, the ratio limit and the
  archive's total budget, since declared sizes can lie.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from flows.untrusted.limits import LIMITS, MB, LimitExceeded, Limits

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_EOCD_MAX_COMMENT = 65535
_CENTRAL_ENTRY_MIN = 46
# Central directory bytes allowed per permitted entry: a header, a name, an extra field.
_CENTRAL_BYTES_PER_ENTRY = 1024
_CHUNK = 64 * 1024
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

# What zipfile and zlib raise on damaged archives (a flipped byte can make any of them).
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


class ArchiveUnreadable(Exception):
    """Not a readable zip archive (truncated, damaged, an unsupported method)."""


def central_directory(data: bytes) -> tuple[int, int]:
    """(declared entry count, central directory size) from the end-of-central-directory record
    (and its zip64 twin when the classic fields overflow)."""
    start = max(0, len(data) - 22 - _EOCD_MAX_COMMENT)
    at = data.rfind(_EOCD, start)
    if at < 0 or len(data) < at + 22:
        raise ArchiveUnreadable("inget zip-arkiv (slutposten saknas)")
    _sig, _disk, _cd_disk, _here, total, size, _offset, _comment = struct.unpack(
        "<4s4H2LH", data[at : at + 22]
    )
    if total != 0xFFFF and size != 0xFFFFFFFF:
        return total, size
    locator = at - 20
    if locator < 0 or data[locator : locator + 4] != _ZIP64_LOCATOR:
        return total, size
    (record,) = struct.unpack("<Q", data[locator + 8 : locator + 16])
    if record + 56 > len(data) or data[record : record + 4] != _ZIP64_EOCD:
        raise ArchiveUnreadable("zip64-posten pekar utanför filen")
    total64, size64 = struct.unpack("<QQ", data[record + 32 : record + 48])
    return int(total64), int(size64)


class BoundedZip:
    """Read members of one untrusted zip archive within `limits`."""

    def __init__(self, data: bytes, limits: Limits = LIMITS) -> None:
        self.limits = limits
        if len(data) > limits.zip_bytes:
            raise LimitExceeded(f"filen är för stor ({len(data) / MB:.0f} MB)")
        try:
            entries, size = central_directory(data)
        except struct.error as exc:
            raise ArchiveUnreadable(str(exc)) from None
        if entries > limits.zip_entries:
            raise LimitExceeded(f"arkivet har för många delar ({entries})")
        if size > limits.zip_entries * _CENTRAL_BYTES_PER_ENTRY or (
            size // _CENTRAL_ENTRY_MIN > limits.zip_entries
        ):
            raise LimitExceeded("arkivets innehållsförteckning är för stor")
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self._archive.infolist()
        except ZIP_ERRORS as exc:
            raise ArchiveUnreadable(str(exc)) from None
        if len(infos) > limits.zip_entries:
            raise LimitExceeded(f"arkivet har för många delar ({len(infos)})")
        self._infos = {info.filename: info for info in infos}
        self.inflated = 0  # bytes inflated so far, all members

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def declared_size(self, name: str) -> int:
        return self._infos[name].file_size

    def read(self, name: str, *, max_bytes: int | None = None) -> bytes | None:
        """The inflated member `name` (None if absent); raises LimitExceeded past any limit.
        `max_bytes` lowers the member limit for this read (e.g. a `mimetype` of a few bytes)."""
        info = self._infos.get(name)
        if info is None:
            return None
        cap = min(self.limits.zip_member_bytes, max_bytes or self.limits.zip_member_bytes)
        if info.file_size > cap:
            raise LimitExceeded(f"{name}: för stor ({info.file_size / MB:.1f} MB)")
        if info.compress_type not in _METHODS:
            # bzip2 and lzma inflate a whole compressed chunk at once; Office never uses them.
            raise ArchiveUnreadable(f"{name}: komprimeringsmetod {info.compress_type}")
        self._check_ratio(name, info.file_size, info.compress_size)
        chunks: list[bytes] = []
        total = 0
        try:
            with self._archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    self.inflated += len(chunk)
                    if total > cap or total > info.file_size:
                        raise LimitExceeded(f"{name}: större än angivet")
                    if self.inflated > self.limits.zip_total_bytes:
                        raise LimitExceeded("arkivet packas upp till för mycket data")
                    self._check_ratio(name, total, info.compress_size)
                    chunks.append(chunk)
        except LimitExceeded:
            raise
        except ZIP_ERRORS as exc:
            raise ArchiveUnreadable(f"{name}: {exc}") from None
        return b"".join(chunks)

    def _check_ratio(self, name: str, inflated: int, compressed: int) -> None:
        limits = self.limits
        if inflated > limits.zip_ratio_floor_bytes and inflated > limits.zip_ratio * max(
            compressed, 1
        ):
            raise LimitExceeded(f"{name}: packad {inflated // max(compressed, 1)} gånger")

    def close(self) -> None:
        self._archive.close()


def open_zip(data: bytes, limits: Limits = LIMITS) -> BoundedZip | None:
    """The archive, or None when it is not a readable zip (limits still raise)."""
    try:
        return BoundedZip(data, limits)
    except ArchiveUnreadable:
        return None
