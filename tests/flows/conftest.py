"""Shared set-up of the flow tests: the boards' documents, built once per session."""

from __future__ import annotations

import pytest

from flows.demo.answers import libreoffice_roundtrip
from tests.flows.scenario import Answers, build_answers, config


@pytest.fixture(scope="session")
def answers(soffice: str) -> Answers:
    return build_answers(config(), libreoffice_roundtrip)
