"""Text from outside, made safe to show: no bidirectional control characters.

U+202E (RIGHT-TO-LEFT OVERRIDE) and its relatives make "Genomförd" display as something else, or
`rapport\u202excod.exe` as `rapportexe.docx`. They are removed wherever sender text enters the
system (headers, bodies, file names, document XML), so no receipt, report, status or Excel
export can show them.
"""

from __future__ import annotations

import re

from lxml import etree

BIDI_CONTROLS = (
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT / RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides, POP DIRECTIONAL FORMATTING
    "\u2066\u2067\u2068\u2069"  # isolates, POP DIRECTIONAL ISOLATE
)
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def strip_bidi(text: str) -> str:
    """`text` without bidirectional control characters."""
    return _BIDI.sub("", text)


def has_bidi(text: str) -> bool:
    return _BIDI.search(text) is not None


def strip_bidi_tree(root: etree._Element) -> None:
    """Remove bidi controls from every text, tail and attribute value of an XML tree, in place."""
    for element in root.iter():
        if element.text and _BIDI.search(element.text):
            element.text = strip_bidi(element.text)
        if element.tail and _BIDI.search(element.tail):
            element.tail = strip_bidi(element.tail)
        for name, value in element.attrib.items():
            if isinstance(value, str) and _BIDI.search(value):
                element.attrib[name] = strip_bidi(value)
