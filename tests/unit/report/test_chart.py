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


def test_charts_use_the_font_libreoffice_shows_for_the_profile() -> None:
    import shutil

    import pytest

    from flows.report.chart import font_family
    from tests.conftest import in_ci

    if shutil.which("fc-list") is None or font_family("Liberation Sans") != "Liberation Sans":
        if in_ci():
            pytest.fail("fonts-liberation2 is required in CI (.ci/run installs it)")
        pytest.skip("fonts-liberation2 is not installed")
    assert font_family("Arial") == "Liberation Sans"  # LibreOffice's substitute for Arial
    assert font_family("No Such Font") == "DejaVu Sans"


def test_the_years_chart_and_its_alt_text(frames, previous_frames, config: Config) -> None:
    from flows.report.chart import years_alt_text, years_chart
    from flows.report.council import status_by_year

    strategy = config.strategy_of(frames.cycle)
    table = status_by_year([(2025, previous_frames), (2026, frames)], strategy, area=1)
    assert years_chart(table).startswith(b"\x89PNG\r\n\x1a\n")
    text = years_alt_text(table, "strategiområde 1")
    assert text.startswith("Stapeldiagram") and "2025:" in text and "2026:" in text
