"""The summary chart: activities per strategy area and status, as a PNG, with its alt text."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib import pyplot as plt

from flows.report.figures import STATUS_LABELS, TOTAL

# Okabe–Ito colours: distinguishable with the common forms of colour blindness.
COLOURS = {
    "Genomförd": "#009E73",
    "Pågående": "#56B4E9",
    "Ej påbörjad": "#E69F00",
    "Utgår": "#7F7F7F",
    "Ej angiven": "#D9D9D9",
}


def status_chart(per_area: pd.DataFrame, area_label: str = "Strategiområde") -> bytes:
    """Horizontal stacked bars, one per strategy area (rows of `figures.status_per_area`)."""
    labels = [f"{area_label} {n}" for n in per_area.index]
    fig, ax = plt.subplots(figsize=(6.5, 0.55 * len(labels) + 1.3), dpi=150)
    left = pd.Series(0, index=per_area.index, dtype="int64")
    for status in STATUS_LABELS:
        values = per_area[status]
        if int(values.sum()) == 0 and status == "Ej angiven":
            continue
        ax.barh(labels, values, left=left, color=COLOURS[status], label=status, height=0.6)
        for y, (value, start) in enumerate(zip(values, left, strict=True)):
            if value:
                ax.text(start + value / 2, y, str(value), ha="center", va="center", fontsize=8)
        left = left + values
    ax.invert_yaxis()
    ax.set_xlabel("Antal aktiviteter")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.3), frameon=False, fontsize=8)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def chart_alt_text(per_area: pd.DataFrame, area_label: str = "Strategiområde") -> str:
    """The chart in words, for screen readers (the image's alt text)."""
    label = area_label.lower()
    parts = []
    for area, row in per_area.iterrows():
        shown = [f"{int(row[s])} {s.lower()}" for s in STATUS_LABELS if int(row[s])]
        detail = ", ".join(shown) if shown else "inga aktiviteter"
        parts.append(f"{label} {area}: {detail} (totalt {int(row[TOTAL])})")
    return f"Stapeldiagram över aktiviteternas status per {label}. " + "; ".join(parts) + "."
