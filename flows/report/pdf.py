"""The council document as an accessible PDF, made by LibreOffice after the indexes are updated.

LibreOffice's `--convert-to pdf` leaves the table of contents as the .docx caches it (without
page numbers) and cannot be given the tagged-PDF options on every version, so the export runs
`flows/report/uno_export.py` under the Python that has LibreOffice's UNO bridge (Debian's
python3-uno): open the document hidden, update every index and field, export with
writer_pdf_Export's UseTaggedPDF and PDFUACompliance. The PDF is tagged (headings, tables with
header cells, figures with their alternative text), has the document language sv-SE from the
document's styles, its title from the core properties, and bookmarks from the headings.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from flows.documents.libreoffice import LibreOfficeError, soffice_path

SCRIPT = Path(__file__).with_name("uno_export.py")
# Where a Python with LibreOffice's `uno` module is found (Debian: python3-uno).
UNO_PYTHONS = ("/usr/bin/python3", "/usr/local/bin/python3", "/usr/lib/libreoffice/program/python")


@functools.cache
def uno_python() -> str | None:
    """The first interpreter that can import `uno`, or None."""
    for candidate in UNO_PYTHONS:
        if not Path(candidate).is_file():
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import uno"], capture_output=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


def available() -> bool:
    return soffice_path() is not None and uno_python() is not None


def export_pdf(source: Path, target: Path, *, timeout: float = 240.0) -> Path:
    """Write `target` (.pdf) from `source` (.docx); raises LibreOfficeError with a Swedish line."""
    python = uno_python()
    if soffice_path() is None or python is None:
        raise LibreOfficeError(
            "PDF kunde inte skapas: LibreOffice med Python-bryggan (python3-uno) är inte "
            "installerat"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="followup-pdf-") as tmp:
        work = Path(tmp)
        staged = work / "out.pdf"
        try:
            done = subprocess.run(
                [
                    python,
                    "-I",
                    str(SCRIPT),
                    str(source),
                    str(staged),
                    str(work / "profile"),
                    str(timeout),
                ],
                capture_output=True,
                timeout=timeout + 30,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"PDF kunde inte skapas inom {timeout:.0f} s") from exc
        if done.returncode != 0 or not staged.is_file():
            reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["okänt fel"]
            raise LibreOfficeError(f"PDF kunde inte skapas: {reason[0]}")
        tmp_target = target.with_name(f".{target.name}.tmp")
        shutil.move(staged, tmp_target)
        tmp_target.replace(target)
    return target
