"""Crash safety: each step of the spring runs in its own process, which is killed with SIGKILL
at random moments (seeded) while the flow works, and restarted until it completes. The ledger
and the sent mail must be exactly those of the run without faults."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from flows.ledger import Ledger
from flows.mail.maildir import MaildirMailbox
from tests.conftest import CONFIG_DIR, REPO
from tests.flows.scenario import (
    Answers,
    MaildirWorld,
    duplicates_and_losses,
    ledger_snapshot,
    report_figures,
    sent_snapshot,
)
from tests.flows.spring import FLOW_SETTINGS, SpringRecord, Step, run_spring, spring_steps

pytestmark = [
    pytest.mark.usefixtures("prefect_harness"),
    pytest.mark.xdist_group("flows"),
    # A hung mail connection must fail the test, not stall the suite.
    pytest.mark.timeout(420),
    pytest.mark.slow,
]

SEED = 4711
STEPS = 3  # invitations, first answers (collect), reminders
KILL_PROBABILITY = 0.8
MAX_KILLS_PER_STEP = 2
MAX_RUNS_PER_STEP = 8
# After the flow run has begun, kill within this many seconds (a step takes 1–3 s of work).
KILL_WINDOW = {"remind": 2.0, "collect": 2.5}
FLOW_STARTED = b"Beginning flow run"
LEASE_TTL_SECONDS = 6.0  # well under lease_wait_seconds: a restart outlasts a killed run's lease


def _environment(data: Path) -> dict[str, str]:
    from prefect.settings import get_current_settings

    api_url = get_current_settings().api.url
    assert api_url, "the Prefect test harness must be running"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    # A subprocess is configured the way a coordinator's shell is: through the environment.
    env.update({f"FOLLOWUP_{k.upper()}": str(v) for k, v in FLOW_SETTINGS.items()})
    env.update(
        FOLLOWUP_DATA=str(data),
        FOLLOWUP_CONFIG=str(CONFIG_DIR),
        PREFECT_API_URL=api_url,
        PREFECT_LOGGING_LEVEL="INFO",
        PYTHONPATH=str(REPO),
        # A killed run keeps the mailbox's lease until it expires (`flows.lease`); the restarted
        # run waits it out (lease_wait_seconds, 60 s) and then takes over, as in production,
        # only with a short lease so that each restart waits seconds, not the default 5 minutes.
        FOLLOWUP_LEASE_TTL_SECONDS=str(LEASE_TTL_SECONDS),
    )
    return env


class KillingRunner:
    """Runs a step as a subprocess; kills it at random moments until a run completes."""

    def __init__(self, data: Path, logs: Path, seed: int) -> None:
        self.env = _environment(data)
        self.data = data
        self.logs = logs
        self.random = random.Random(seed)
        self.figures: dict[str, Any] = {
            "runs": 0,
            "kills": 0,
            "kills_mid_work": 0,  # kills after which mail had gone out or work was half done
            "failed_runs": 0,
        }

    def _sent_count(self) -> int:
        return len(MaildirMailbox(self.data / "mail").sent_messages())

    def __call__(self, step: Step) -> Any:
        argv = [sys.executable, "-m", "tests.flows.run_step", step.kind]
        if step.today is not None:
            argv.append(step.today.isoformat())
        kills = 0
        for attempt in range(MAX_RUNS_PER_STEP):
            self.figures["runs"] += 1
            log = self.logs / f"{step.name.replace(' ', '-')}-{attempt}.log"
            before = self._sent_count()
            with log.open("wb") as handle:
                process = subprocess.Popen(
                    argv,
                    env=self.env,
                    cwd=REPO,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                kill = kills < MAX_KILLS_PER_STEP and self.random.random() < KILL_PROBABILITY
                delay = self.random.uniform(0.0, KILL_WINDOW[step.kind])
                if kill and self._wait_for_start(process, log) and self._sleep(process, delay):
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
                    kills += 1
                    self.figures["kills"] += 1
                    if self._sent_count() > before or self._half_done():
                        self.figures["kills_mid_work"] += 1
                    continue
                code = process.wait(timeout=300)
            if code == 0:
                return None
            self.figures["failed_runs"] += 1
        raise AssertionError(f"{step.name}: no run completed; see {self.logs}")

    def _half_done(self) -> bool:
        """True if the killed run left work half done: reserved unsent mail, pending messages."""
        database = self.data / "ledger.sqlite"
        if not database.exists():
            return False
        with Ledger.open(f"sqlite:///{database}") as ledger:
            return bool(ledger.unsent() or ledger.inbound_pending())

    @staticmethod
    def _wait_for_start(process: subprocess.Popen[bytes], log: Path) -> bool:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if FLOW_STARTED in log.read_bytes():
                return True
            time.sleep(0.05)
        return False

    @staticmethod
    def _sleep(process: subprocess.Popen[bytes], seconds: float) -> bool:
        """Sleep; False if the process ended meanwhile (nothing left to kill)."""
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return True
        return False


def test_killed_and_restarted_runs_end_like_an_undisturbed_one(
    maildir_spring: tuple[SpringRecord, Path], answers: Answers, tmp_path: Path
) -> None:
    baseline, baseline_data = maildir_spring
    steps = spring_steps()[:STEPS]
    last = steps[-1].name
    baseline_url = f"sqlite:///{baseline_data / 'ledger.sqlite'}"
    # The baseline's sent mail up to the last step, named as in the baseline's ledger.
    expected_sent = sent_snapshot(baseline.sent_until(last), baseline_url)
    expected_ledger = baseline.ledger_by_step[last]

    data = tmp_path / "var"
    logs = tmp_path / "logs"
    logs.mkdir()
    runner = KillingRunner(data, logs, SEED)
    run_spring(MaildirWorld(data / "mail"), answers, runner, steps)

    url = f"sqlite:///{data / 'ledger.sqlite'}"
    sent = MaildirMailbox(data / "mail").sent_messages()
    duplicates, losses = duplicates_and_losses(sent, url, expected_sent)
    figures = {**runner.figures, "duplicates": duplicates, "losses": losses}
    figures["messages"] = len(expected_sent)
    print(f"\nKill/restart test: {figures}")
    report_figures("kill_restart", figures)
    assert runner.figures["kills"] > 0, "no run was killed"
    assert duplicates == 0 and losses == 0
    assert sent_snapshot(sent, url) == expected_sent
    assert ledger_snapshot(url) == expected_ledger
