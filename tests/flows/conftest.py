"""Shared set-up of the flow tests: the boards' documents and the fault-free spring on the
Maildir, each built once per session (the fault tests compare against the latter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.demo.answers import libreoffice_roundtrip
from tests.flows.scenario import Answers, MaildirWorld, build_answers, config
from tests.flows.spring import SpringRecord, flow_runtime, run_spring


@pytest.fixture(scope="session")
def answers(soffice: str) -> Answers:
    return build_answers(config(), libreoffice_roundtrip)


@pytest.fixture(scope="session")
def maildir_spring(
    tmp_path_factory: pytest.TempPathFactory, answers: Answers, prefect_harness: None
) -> tuple[SpringRecord, Path]:
    """The whole spring on the Maildir, without faults."""
    data = tmp_path_factory.mktemp("spring-maildir") / "var"
    with flow_runtime(data):
        record = run_spring(
            MaildirWorld(data / "mail"), answers, ledger_url=f"sqlite:///{data / 'ledger.sqlite'}"
        )
    return record, data
