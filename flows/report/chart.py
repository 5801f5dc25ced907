"""The report's charts as PNGs, each with its alt text: activities per area and status, and one
area's statuses over the years of the strategy period.

Charts are drawn in the report profile's font. Word documents name fonts such as Arial that a
Linux machine does not have; LibreOffice then uses the metric-compatible Liberation fonts
(Debian's fonts-liberation2, which LibreOffice depends on), and so do the charts, so text in
the chart and in the PDF around it look the same.
"""

from __future__ import annotations

import functools
import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib import font_manager
from matplotlib import pyplot as plt

from flows.report.figures import NO_STATUS, STATUS_LABELS, TOTAL

# Okabe–Ito colours: distinguishable with the common forms of colour blindness.
COLOURS = {
    "Genomförd": "#009E73",
    "Pågående": "#56B4E9",
    "Ej påbörjad": "#E69F00",
    "Utgår": "#7F7F7F",
    NO_STATUS: "#D9D9D9",
}
_SPARE_COLOURS = ("#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")

# What LibreOffice shows for a font a Word profile names (its metric-compatible substitutes).
SUBSTITUTES = {
    "arial": "Liberation Sans",
    "helvetica": "Liberation Sans",
    "times new roman": "Liberation Serif",
    "courier new": "Liberation Mono",
    "calibri": "Carlito",
    "cambria": "Caladea",
}


@functools.cache
def font_family(profile_font: str) -> str:
    """The installed family to draw with for the profile's font (DejaVu Sans if none fits)."""
    for name in (profile_font, SUBSTITUTES.get(profile_font.casefold(), "")):
        if not name:
            continue
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=name), fallback_to_default=False
            )
        except ValueError:
            continue
        return str(font_manager.FontProperties(fname=path).get_name())
    return "DejaVu Sans"


def _colour(status: str, index: int) -> str:
    return COLOURS.get(status, _SPARE_COLOURS[index % len(_SPARE_COLOURS)])


def _stacked(
    labels: list[str], table: pd.DataFrame, statuses: list[str], font: str, xlabel: str
) -> bytes:
    with plt.rc_context({"font.family": font_family(font)}):
        fig, ax = plt.subplots(figsize=(6.5, 0.55 * len(labels) + 1.3), dpi=150)
        left = pd.Series(0, index=table.index, dtype="int64")
        for i, status in enumerate(statuses):
            values = table[status]
            if int(values.sum()) == 0 and status == NO_STATUS:
                continue
            ax.barh(labels, values, left=left, color=_colour(status, i), label=status, height=0.6)
            for y, (value, start) in enumerate(zip(values, left, strict=True)):
                if value:
                    ax.text(start + value / 2, y, str(value), ha="center", va="center", fontsize=8)
            left = left + values
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(
            ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False, fontsize=8
        )
        ax.tick_params(labelsize=8)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    return buffer.getvalue()


def status_chart(
    per_area: pd.DataFrame, *, label: str = "Strategiområde", font: str = "Arial"
) -> bytes:
    """Horizontal stacked bars, one per area (rows of `figures.status_per_area`)."""
    statuses = [c for c in per_area.columns if c != TOTAL] or list(STATUS_LABELS)
    labels = [f"{label} {n}" for n in per_area.index]
    return _stacked(labels, per_area, statuses, font, "Antal aktiviteter")


def chart_alt_text(per_area: pd.DataFrame, *, label: str = "Strategiområde") -> str:
    """The chart in words, for screen readers (the image's alt text)."""
    statuses = [c for c in per_area.columns if c != TOTAL]
    parts = []
    for area, row in per_area.iterrows():
        shown = [f"{int(row[s])} {s.lower()}" for s in statuses if int(row[s])]
        detail = ", ".join(shown) if shown else "inga aktiviteter"
        parts.append(f"{label.lower()} {area}: {detail} (totalt {int(row[TOTAL])})")
    return (
        f"Stapeldiagram över aktiviteternas status per {label.lower()}. " + "; ".join(parts) + "."
    )


def years_chart(by_year: pd.DataFrame, *, font: str = "Arial") -> bytes:
    """One area's statuses per year: rows of `by_year` are statuses (and Totalt), columns years."""
    table = by_year.drop(index=TOTAL, errors="ignore").T
    labels = [str(y) for y in table.index]
    return _stacked(labels, table, list(table.columns), font, "Antal aktiviteter")


def years_alt_text(by_year: pd.DataFrame, title: str) -> str:
    parts = []
    for year in by_year.columns:
        column = by_year[year]
        shown = [
            f"{int(column[s])} {str(s).lower()}" for s in column.index if s != TOTAL and column[s]
        ]
        parts.append(f"{year}: {', '.join(shown) or 'inga aktiviteter'}")
    return f"Stapeldiagram över aktiviteternas status år för år, {title}. " + "; ".join(parts) + "."
