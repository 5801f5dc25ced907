from __future__ import annotations

from flows.model import Config
from flows.report.chart import chart_alt_text, status_chart
from flows.report.figures import status_per_area


def test_chart_is_a_png_and_its_alt_text_gives_the_numbers(frames, config: Config) -> None:
    per_area = status_per_area(frames, config.strategy_of(frames.cycle))
    png = status_chart(per_area)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    text = chart_alt_text(per_area)
    for area in per_area.index:
        assert f"strategiområde {area}:" in text
        assert f"(totalt {per_area.loc[area, 'Totalt']})" in text
