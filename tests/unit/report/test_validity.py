"""The report's reference document and the Excel export validate clean
(tests/support/ooxml_validation.py); the compiled report itself is checked in test_document.py."""

from __future__ import annotations

import io

import docx

from flows.model import Config
from flows.report.excel import build_export
from flows.report.frame import Frames
from flows.report.reference import REFERENCE_PATH, Profile, build_reference
from flows.report.validity import PPR_ORDER, insert_in_order
from flows.report.wordxml import w
from tests.support.ooxml_validation import findings


def test_reference_of_another_profile_validates_clean() -> None:
    reference = build_reference(Profile(municipality="Norrby kommun", body_font="Georgia"))
    assert findings(reference) == []


def test_committed_reference_validates_clean() -> None:
    assert findings(REFERENCE_PATH.read_bytes()) == []


def test_excel_export_validates_clean(config: Config, frames: Frames) -> None:
    export = build_export(frames, config.strategy_of(frames.cycle))
    assert findings(export, ".xlsx") == []


def test_paragraph_properties_go_where_the_schema_puts_them() -> None:
    doc = docx.Document(io.BytesIO(build_reference()))
    ppr = doc.styles["Mål"].element.pPr
    assert ppr is not None
    tags = [child.tag for child in ppr]
    assert tags == sorted(tags, key=PPR_ORDER.index)
    insert_in_order(ppr, ppr.makeelement(w("keepNext"), {}), PPR_ORDER)
    assert ppr[0].tag == w("keepNext")
