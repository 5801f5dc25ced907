"""Every file compile writes for a cycle, side by side: the council document (.docx and its
accessible .pdf), the Excel export, and the coordinator's working list (.docx).

    uppfoljning-<cycle>.docx / .pdf / .xlsx, uppfoljning-<cycle>-arbetslista.docx
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from flows.documents.libreoffice import LibreOfficeError
from flows.model import Config, Cycle
from flows.report.document import build_report
from flows.report.excel import build_export
from flows.report.frame import Frames
from flows.report.pdf import export_pdf
from flows.report.report_file import load_report_file
from flows.report.working_list import build_working_list


@dataclass(frozen=True)
class OutputPaths:
    docx: Path
    pdf: Path
    xlsx: Path
    working_list: Path

    @classmethod
    def beside(cls, docx: Path) -> OutputPaths:
        if docx.suffix.lower() != ".docx":
            docx = docx.with_suffix(".docx")
        return cls(
            docx=docx,
            pdf=docx.with_suffix(".pdf"),
            xlsx=docx.with_suffix(".xlsx"),
            working_list=docx.with_name(f"{docx.stem}-arbetslista.docx"),
        )


@dataclass(frozen=True)
class Written:
    paths: OutputPaths
    pdf_error: str | None = None  # why there is no PDF (the other files are written)

    @property
    def pdf(self) -> Path | None:
        return None if self.pdf_error else self.paths.pdf


def earlier_cycles(config: Config, cycle: Cycle) -> list[Cycle]:
    """The strategy's cycles before `cycle`, oldest first (for the year views and look back)."""
    return sorted(
        (c for c in config.cycles.values() if c.strategy == cycle.strategy and c.year < cycle.year),
        key=lambda c: c.year,
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` so readers never see half a file (a Word file open elsewhere stays intact)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(
    config: Config,
    config_dir: Path,
    frames: Frames,
    previous: Frames | None,
    paths: OutputPaths,
    *,
    report_date: dt.date,
    reference: Path | None = None,
    planned: pd.DataFrame | None = None,
    history: Sequence[Frames] = (),
    pdf: bool = True,
) -> Written:
    """Write the four files; a PDF that cannot be made is reported, not raised."""
    strategy = config.strategy_of(frames.cycle)
    notes = load_report_file(config_dir, frames.cycle, strategy)
    report = build_report(
        config,
        frames,
        previous,
        reference=reference,
        report_date=report_date,
        planned=planned,
        notes=notes,
        history=history,
    )
    write_atomically(paths.docx, report)
    write_atomically(paths.xlsx, build_export(frames, strategy))
    write_atomically(
        paths.working_list,
        build_working_list(
            config,
            frames,
            notes=notes,
            config_dir=config_dir,
            reference=reference,
            report_date=report_date,
        ),
    )
    if not pdf:
        return Written(paths, pdf_error="ingen PDF begärdes")
    try:
        export_pdf(paths.docx, paths.pdf)
    except LibreOfficeError as exc:
        return Written(paths, pdf_error=str(exc))
    return Written(paths)
