"""Export a .docx to an accessible PDF through LibreOffice's UNO API (run by `flows.report.pdf`).

This file is a standalone script for the Python that has LibreOffice's `uno` module (Debian's
python3-uno, i.e. /usr/bin/python3), not for the project's virtual environment; it imports
nothing of `flows`. `soffice --convert-to pdf` cannot be used alone because it does not update the
table of contents: the PDF would show the cached entries without page numbers. Here the document
is opened hidden, every index (the TOC) and field is updated twice (the first update can move
text), and the PDF is written with the tagged-PDF (PDF/UA) options of the writer_pdf_Export
filter: https://help.libreoffice.org/latest/en-US/text/shared/guide/pdf_params.html

Usage: python3 uno_export.py SOURCE.docx TARGET.pdf PROFILE_DIR TIMEOUT_SECONDS
Exit 0 on success; otherwise a one-line reason on stderr and exit 1.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

# writer_pdf_Export's FilterData (names from the page cited above)
PDF_OPTIONS: dict[str, object] = {
    "UseTaggedPDF": True,
    "PDFUACompliance": True,
    "ExportBookmarks": True,
    "DisplayPDFDocumentTitle": True,
    "ExportNotes": False,
    "ExportFormFields": False,
    "UseLosslessCompression": True,
    "SelectPdfVersion": 0,
}


def _props(**values: object) -> tuple[Any, ...]:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        out.append(prop)
    return tuple(out)


def _connect(pipe: str, deadline: float, process: subprocess.Popen[bytes]) -> Any:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if process.poll() is not None:
                raise RuntimeError("LibreOffice avslutades innan exporten kunde börja") from None
            if time.monotonic() > deadline:
                raise RuntimeError("LibreOffice startade inte i tid") from None
            time.sleep(0.25)


def export(source: Path, target: Path, profile: Path, timeout: float) -> None:
    pipe = f"followup-{uuid.uuid4().hex}"
    deadline = time.monotonic() + timeout
    process = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    desktop = None
    try:
        context = _connect(pipe, deadline, process)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        doc = desktop.loadComponentFromURL(
            source.resolve().as_uri(), "_blank", 0, _props(Hidden=True, UpdateDocMode=0)
        )
        if doc is None:
            raise RuntimeError("LibreOffice kunde inte öppna dokumentet")
        try:
            for _ in range(2):
                indexes = doc.getDocumentIndexes()
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
                doc.getTextFields().refresh()
                doc.refresh()
            filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**PDF_OPTIONS))
            doc.storeToURL(
                target.resolve().as_uri(),
                _props(FilterName="writer_pdf_Export", FilterData=filter_data),
            )
        finally:
            doc.close(True)
    finally:
        if desktop is not None:
            # the bridge may close under us as LibreOffice quits
            with contextlib.suppress(Exception):
                desktop.terminate()
        try:
            process.wait(timeout=max(5.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str]) -> int:
    source, target, profile, timeout = argv
    try:
        export(Path(source), Path(target), Path(profile), float(timeout))
    except Exception as exc:  # one line for the caller, whatever went wrong
        print(f"{type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    return 0 if Path(target).is_file() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
