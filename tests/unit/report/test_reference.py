from __future__ import annotations

import io
import zipfile

import docx

from flows.report.figures import STATE_LABELS
from flows.report.reference import REFERENCE_PATH, Profile, ascii_id, build_reference
from flows.report.styles import REQUIRED, ensure_styles
from flows.status import STATE_LABELS as STATUS_LABELS
from flows.status import STATES


def test_committed_reference_has_every_style_the_report_uses() -> None:
    document = docx.Document(str(REFERENCE_PATH))
    names = {s.name for s in document.styles}
    assert set(REQUIRED) <= names | {"Heading 1", "Heading 2", "Heading 3", "Title", "Subtitle"}
    ids = ensure_styles(document, REFERENCE_PATH)
    assert ids.goal == "Mal" and ids.table == "Uppfoljningstabell"
    assert all(i.isascii() for i in vars(ids).values())


def test_a_profile_changes_fonts_colours_and_logo() -> None:
    default = build_reference()
    other = build_reference(Profile(municipality="Norrby kommun", body_font="Georgia"))
    with zipfile.ZipFile(io.BytesIO(default)) as a, zipfile.ZipFile(io.BytesIO(other)) as b:
        assert a.read("word/styles.xml") != b.read("word/styles.xml")
        assert b"Georgia" in b.read("word/styles.xml")
        logos = [n for n in b.namelist() if n.startswith("word/media/")]
        assert logos and a.read(logos[0]) != b.read(logos[0])


def test_ascii_id() -> None:
    assert ascii_id("Nämndrad") == "Namndrad"
    assert ascii_id("Heading 1") == "Heading1"


def test_state_words_are_those_of_followup_status() -> None:
    for state in STATES:
        assert STATE_LABELS[state] == STATUS_LABELS[state][0].capitalize()
