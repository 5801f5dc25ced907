"""Every variant of the board's template validates clean (tests/support/ooxml_validation.py):
what Word would otherwise "repair" is a template a board secretary mistrusts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from flows.config import load_config
from flows.demo.answers import demo_answer, fill_template
from flows.documents.template import build_template
from flows.model import Config
from tests.support import docx_fixtures as fx
from tests.support.ooxml_validation import findings

CYCLE = "hbtqia-2026"


@pytest.fixture(scope="module")
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


def _variants(config: Config) -> dict[str, bytes]:
    cycle = config.cycle(CYCLE)
    nämnd, company = config.board("kultur-och-fritidsnamnden"), config.board("ekeby-hamn")
    no_plans = config.model_copy(update={"action_plans": {}})
    return {
        "nämnd with planned activities": build_template(config, cycle, nämnd),
        "company board": build_template(config, cycle, company),
        "no planned activities": build_template(no_plans, cycle, nämnd),
        "last year's answers": build_template(
            config, cycle, nämnd, fx.last_year_answer(config, nämnd.id)
        ),
        "filled in by the simulated board": fill_template(
            build_template(config, cycle, nämnd), demo_answer(config, cycle, nämnd, seed=3)
        ),
    }


VARIANTS = [
    "nämnd with planned activities",
    "company board",
    "no planned activities",
    "last year's answers",
    "filled in by the simulated board",
]


@pytest.fixture(scope="module")
def variants(config: Config) -> dict[str, bytes]:
    built = _variants(config)
    assert list(built) == VARIANTS
    return built


@pytest.mark.parametrize("name", VARIANTS)
def test_template_validates_clean(variants: dict[str, bytes], name: str) -> None:
    assert findings(variants[name]) == []


def test_the_validator_finds_what_word_would_repair(variants: dict[str, bytes]) -> None:
    """The check can fail: the same template without its theme is reported."""
    source = zipfile.ZipFile(io.BytesIO(variants["company board"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b'Target="theme/theme1.xml"', b'Target="missing.xml"')
            if info.filename != "word/theme/theme1.xml":
                broken.writestr(info, data)
    assert any("theme" in f for f in findings(buffer.getvalue()))
