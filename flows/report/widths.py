"""Table column widths that never break a word: each column is at least as wide as its longest
word (measured in the table's font) plus the cell margins; the rest of the table's width goes
to the columns in proportion to their nominal widths.

Word and LibreOffice break a word that is wider than its cell in the middle
("Kommunikationsavdelnin|gen"); they never hyphenate unless told to, so a wide enough column
is the fix. `fit` is pure; `Measure` is the one place that reads a font file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from flows.report.wordxml import Column, GroupRow, Row, TotalRow

CELL_MARGINS_CM = 2 * 0.19 + 0.05  # Word's default left/right cell margins, and a little air
POINT_CM = 2.54 / 72

Measure = Callable[[str], float]  # a word's width in cm


# Longer "words" are pasted links or junk: they break anyway, and must not widen the table.
LONGEST_WORD = 32


def words(text: str) -> Iterable[str]:
    return (w for w in text.split() if len(w) <= LONGEST_WORD)


def fit(
    columns: Sequence[Column], rows: Iterable[Row], measure: Measure, total_cm: float | None = None
) -> tuple[Column, ...]:
    """`columns` with widths that hold the longest word of every cell (and of the title).

    `total_cm` is the table's width (default: the sum of the nominal widths). When even the
    minimum widths do not fit, the minimum widths are used (the table grows past the margin
    rather than breaking words).
    """
    need = [max((measure(w) for w in words(c.title)), default=0.0) for c in columns]
    for row in rows:
        if isinstance(row, GroupRow):
            continue
        cells = row.cells if isinstance(row, TotalRow) else row
        for i, text in enumerate(cells):
            longest = max((measure(w) for w in words(text)), default=0.0)
            need[i] = max(need[i], longest)
    minimum = [n + CELL_MARGINS_CM for n in need]
    total = total_cm if total_cm is not None else sum(c.width_cm for c in columns)
    spare = total - sum(minimum)
    if spare <= 0:
        widths = minimum
    else:
        # give each column its nominal share, but never less than its minimum
        widths = [max(m, c.width_cm) for m, c in zip(minimum, columns, strict=True)]
        excess = sum(widths) - total
        if excess > 0:
            slack = [w - m for w, m in zip(widths, minimum, strict=True)]
            room = sum(slack)
            widths = [w - excess * s / room for w, s in zip(widths, slack, strict=True)]
    return tuple(replace(c, width_cm=round(w, 2)) for c, w in zip(columns, widths, strict=True))


@functools.cache
def font_measure(family: str, size_pt: float, bold: bool = False) -> Measure:
    """Measure words in `family` (or its LibreOffice substitute) at `size_pt`."""
    from matplotlib import font_manager
    from PIL import ImageFont

    from flows.report.chart import font_family

    properties = font_manager.FontProperties(
        family=font_family(family), weight="bold" if bold else "normal"
    )
    path = font_manager.findfont(properties)
    # 10x the size for sub-point precision
    font = ImageFont.truetype(path, size=round(size_pt * 10))

    def measure(word: str) -> float:
        return float(font.getlength(word)) / 10 * POINT_CM

    return measure
