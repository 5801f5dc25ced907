"""Does Word open it without repair? Checked with openxml-audit, a pure-Python port of the Open XML
SDK's validator (ECMA-376 schemas as the SDK ships them plus its semantic rules: required
relationships, unique ids, part constraints), for Office 2016 and later.

Chosen over the alternatives on PyPI: ooxml-integrity checks comment anchors and tracked changes
after editing, not the schemas, and has no .xlsx support; plain lxml against the transitional XSDs
would check the schemas but none of the semantic rules (the missing theme and font table, duplicate
drawing ids and the stylesWithEffects mismatch it found are all semantic). Warnings count as
findings too: "clean" means none of either.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from openxml_audit import FileFormat, OpenXmlValidator


@functools.cache
def _validator() -> OpenXmlValidator:
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2016, max_errors=0)


def findings(data: bytes, suffix: str = ".docx") -> list[str]:
    """Every error and warning, as `part: description` lines."""
    with tempfile.TemporaryDirectory(prefix="followup-validate-") as tmp:
        path = Path(tmp) / f"document{suffix}"
        path.write_bytes(data)
        result = _validator().validate(path)
    return [
        f"{e.severity.value} {e.part_uri or '-'} {e.path or ''}: {e.description}"
        for e in result.errors
    ]
