"""Read a board's filled-in template: `read_template(data, filename, config)` and
`read_file(path, config)` give a `ParsedTemplate` (the `followup parse --json` contract).

The steps: what kind of file it is (flows.documents.filetype); .doc, .odt and .rtf are converted
to .docx with LibreOffice first, with a warning; the package is opened within size limits and
its XML parsed without DTDs or entities (read_package); the body is normalised to paragraphs and
tables as a reader sees them (docx_xml); the template is identified (identify) and its sections
read (read_sections). A file that cannot be read gives one `file.*` error problem, never an
exception.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flows.documents import libreoffice
from flows.documents.docx_xml import Block, Paragraph, clean, read_body, read_text
from flows.documents.filetype import CONVERTIBLE, FileKind, sniff
from flows.documents.identify import custom_properties, identify
from flows.documents.problems import problem
from flows.documents.read_package import MAX_FILE_BYTES, PackageError, open_word_package
from flows.documents.read_sections import read_sections
from flows.documents.template import guidance_texts
from flows.model import Config, ParsedTemplate, Problem

_UNREADABLE: dict[FileKind, str] = {
    FileKind.PDF: "file.pdf",
    FileKind.ENCRYPTED: "file.encrypted",
    FileKind.LOCKFILE: "file.lockfile",
    FileKind.EMPTY: "file.empty",
    FileKind.TRUNCATED: "file.truncated",
    FileKind.UNSAFE: "file.zip_bomb",
    FileKind.OTHER: "file.not_template",
    FileKind.DOC: "file.doc",
    FileKind.ODT: "file.odt",
    FileKind.RTF: "file.rtf",
}
log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(filename: str) -> str:
    """The file's own name, without folders or control characters, for messages."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return _CONTROL.sub("", name)[:200] or "bilagan"


def read_file(path: Path, config: Config, *, expected_cycle: str | None = None) -> ParsedTemplate:
    """Read the file at `path` (never more than the size limit)."""
    name = display_name(path.name)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _rejected(name, "file.too_large", size=f"{size / 2**20:.0f} MB")
        data = path.read_bytes()
    except OSError:
        return _rejected(
            name, "file.not_template", detail="filen finns inte eller kunde inte öppnas"
        )
    return read_template(data, path.name, config, expected_cycle=expected_cycle)


def read_template(
    data: bytes,
    filename: str,
    config: Config,
    *,
    expected_cycle: str | None = None,
    convert: bool = True,
) -> ParsedTemplate:
    """Read a filled-in template from its bytes. `filename` is only shown and used to spot Office
    lock files; it never becomes a path. With `convert=False`, .doc/.odt/.rtf are rejected
    instead of converted with LibreOffice."""
    name = display_name(filename)
    if len(data) > MAX_FILE_BYTES:
        return _rejected(name, "file.too_large", size=f"{len(data) / 2**20:.0f} MB")
    kind, detail = sniff(data, filename)
    notes: list[Problem] = []
    if kind in CONVERTIBLE:
        if not convert or libreoffice.soffice_path() is None:
            return _rejected(name, _UNREADABLE[kind])
        try:
            data = _convert_to_docx(data, kind)
        except libreoffice.LibreOfficeError as exc:
            # str(exc) is short Swedish; LibreOffice's own (English) output stays in the log.
            log.info("conversion of %s failed: %s", name, exc.diagnostics[-500:])
            return _rejected(name, "file.conversion_failed", detail=str(exc)[:200])
        notes.append(problem("format.converted", name=name, format=CONVERTIBLE[kind]))
        kind, detail = sniff(data)
    if kind is not FileKind.DOCX:
        return _rejected(name, _UNREADABLE[kind], detail=detail)
    try:
        package = open_word_package(data)
        blocks = read_body(package.document)
        footer_texts = [read_text(part) for part in package.headers_footers]
    except PackageError as exc:
        return _rejected(name, exc.code, detail=exc.detail, size=exc.detail)
    except (RecursionError, MemoryError):
        return _rejected(name, "file.zip_bomb", detail="för djupt nästlad")

    identity = identify(
        config,
        custom_properties(package.custom_properties),
        _texts(footer_texts, blocks),
        expected_cycle=expected_cycle,
    )
    cycle = config.cycles.get(identity.cycle or "") or config.cycles.get(expected_cycle or "")
    strategy = config.strategy_of(cycle) if cycle is not None else None
    sections = read_sections(blocks, strategy, guidance_texts(config))
    problems = [*notes, *identity.problems]
    if sections.activity_tables == 0:
        problems.append(problem("template.no_activities"))
    problems.extend(sections.problems)
    return ParsedTemplate(
        file=name,
        board=identity.board,
        cycle=identity.cycle,
        template_version=identity.template_version,
        activities=sections.activities,
        indicators=sections.indicators,
        texts=sections.texts,
        decision=sections.decision,
        problems=problems,
    )


def _texts(footers: list[str], blocks: list[Block]) -> Iterator[str]:
    """Where a reference code may be: footers and headers first, then the body."""
    yield from footers
    for block in blocks:
        if isinstance(block, Paragraph):
            yield clean(block.text)
        else:
            for row in block.rows:
                for cell in row.cells:
                    yield cell.text


def _rejected(name: str, code: str, *, detail: str = "", size: str = "") -> ParsedTemplate:
    return ParsedTemplate(file=name, problems=[problem(code, name=name, detail=detail, size=size)])


def _convert_to_docx(data: bytes, kind: FileKind) -> bytes:
    with tempfile.TemporaryDirectory(prefix="followup-convert-") as tmp:
        source = Path(tmp) / f"bilaga.{kind.value}"
        source.write_bytes(data)
        output = libreoffice.convert_untrusted(source, "docx", Path(tmp) / "out")
        return output.read_bytes()
