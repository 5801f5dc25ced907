"""The raw mail archive: content-addressed, atomic, idempotent, safe paths."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from flows.archive import Archive, ArchiveError

RAW = b"From: anna@ekeby.se\r\nSubject: Svar\r\n\r\nHej!\r\n"


def test_store_returns_the_sha256_and_load_gives_the_bytes_back(tmp_path: Path) -> None:
    store = Archive(tmp_path)
    sha = store.store(RAW)
    assert sha == hashlib.sha256(RAW).hexdigest()
    assert store.load(sha) == RAW
    assert store.path(sha) == tmp_path / sha[:2] / f"{sha}.eml"
    assert store.contains(sha)


def test_storing_twice_keeps_one_file_and_no_temp_files(tmp_path: Path) -> None:
    store = Archive(tmp_path)
    first = store.store(RAW)
    mtime = store.path(first).stat().st_mtime_ns
    assert store.store(RAW) == first
    assert store.path(first).stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{first}.eml"]


def test_a_damaged_copy_is_replaced_on_store_and_detected_on_load(tmp_path: Path) -> None:
    store = Archive(tmp_path)
    sha = store.store(RAW)
    target = store.path(sha)
    os.chmod(target, 0o640)
    target.write_bytes(b"X" * len(RAW))
    with pytest.raises(ArchiveError, match="corrupt"):
        store.load(sha)
    assert store.store(RAW) == sha
    assert store.load(sha) == RAW


def test_missing_message(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not in the archive"):
        Archive(tmp_path).load("0" * 64)


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "a" * 63, "A" * 64, "a" * 64 + "/", "a" * 62 + "..", ""]
)
def test_paths_come_only_from_hex_digests(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        Archive(tmp_path).path(bad)
    with pytest.raises(ValueError):
        Archive(tmp_path).load(bad)


def test_the_runtime_archive_lives_in_the_data_dir(tmp_path: Path) -> None:
    from flows.runtime import Runtime
    from flows.settings import Settings
    from tests.conftest import CONFIG_DIR

    runtime = Runtime.from_settings(Settings(config=CONFIG_DIR, data=tmp_path / "var"))
    sha = runtime.archive.store(RAW)
    assert runtime.archive.path(sha) == tmp_path / "var" / "archive" / sha[:2] / f"{sha}.eml"
    assert runtime.archive.load(sha) == RAW


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Archive(tmp_path)
    sha = hashlib.sha256(RAW).hexdigest()
    (tmp_path / sha[:2]).mkdir()
    (tmp_path / sha[:2] / f"{sha}.eml").mkdir()  # a directory where the file should go
    with pytest.raises(OSError):
        store.store(RAW)
    assert [p.name for p in (tmp_path / sha[:2]).iterdir()] == [f"{sha}.eml"]
