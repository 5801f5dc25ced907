"""LibreOffice, headless: a second reader for every document we write, and a converter for
formats boards send that we do not read directly (.doc, .odt, .rtf).

Each call gets its own user profile, so parallel calls (pytest-xdist, concurrent flow runs) do not
fight over LibreOffice's profile lock.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


class LibreOfficeError(RuntimeError):
    pass


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: Sequence[Path], to: str, outdir: Path, *, timeout: float = 180.0) -> list[Path]:
    """Convert `files` to format `to` ("pdf", "docx", "txt:Text"...) into `outdir`.

    Returns the output paths in the order of `files`; raises LibreOfficeError if one is missing.
    """
    binary = soffice_path()
    if binary is None:
        raise LibreOfficeError("LibreOffice (soffice) är inte installerat")
    outdir.mkdir(parents=True, exist_ok=True)
    extension = to.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="followup-lo-") as profile:
        command = [
            binary,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *[str(f) for f in files],
        ]
        try:
            completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"LibreOffice svarade inte inom {timeout:.0f} s") from exc
    outputs = [outdir / f"{Path(f).stem}.{extension}" for f in files]
    missing = [o for o in outputs if not o.exists()]
    if missing:
        detail = completed.stderr.decode(errors="replace").strip()[-500:]
        raise LibreOfficeError(
            f"LibreOffice kunde inte konvertera {', '.join(m.name for m in missing)}: {detail}"
        )
    return outputs
