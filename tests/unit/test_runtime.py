"""flows.runtime: settings read once; the plain functions run on it without Prefect."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.remind import remind
from flows.runtime import FixedClock, Runtime, runtime_for_flow, use_runtime
from flows.settings import Settings
from flows.status import read_status
from tests.conftest import CONFIG_DIR
from tests.support.imports import modules_after

INVITE_DAY = dt.date(2027, 2, 3)


def _runtime(tmp_path: Path, **changes: object) -> Runtime:
    settings = Settings(config=CONFIG_DIR, data=tmp_path / "var", **changes)  # type: ignore[arg-type]
    return Runtime.from_settings(settings, clock=FixedClock(INVITE_DAY))


def test_the_runtime_holds_what_the_settings_say(tmp_path: Path) -> None:
    with _runtime(tmp_path, test_mode_address="test@ekeby.example") as runtime:
        assert runtime.cycle().id == runtime.config.default_cycle
        assert runtime.cycle("hbtqia-2025").id == "hbtqia-2025"
        assert runtime.today() == INVITE_DAY
        assert runtime.now().date() == INVITE_DAY and runtime.now().tzinfo is not None
        assert runtime.archive.root == tmp_path / "var" / "archive"
        assert runtime.output_dir == tmp_path / "var" / "output"
        assert runtime.mailbox.address == runtime.config.municipality.mailbox
        assert runtime.test_mode_address == "test@ekeby.example"
        real = runtime.replace(test_mode_address=None)
        assert real.test_mode_address is None and real.config is runtime.config


def test_a_dry_run_and_the_status_are_plain_functions(tmp_path: Path) -> None:
    with _runtime(tmp_path) as runtime:
        summary = remind(runtime, dry_run=True)
        assert summary["dry_run"] and summary["due"] == 14 and summary["day"] == "2027-02-03"
        assert runtime.ledger.outbound_for(runtime.cycle().id) == []
        report = read_status(runtime)
        assert report.today == INVITE_DAY
        assert {b.state for b in report.boards} == {"not_invited"}


def test_flows_use_the_runtime_in_scope(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    with use_runtime(runtime), runtime_for_flow() as inside:
        assert inside is runtime
    with runtime_for_flow() as built:  # from the environment: a runtime of its own
        assert built is not runtime


def test_read_only_work_does_not_import_prefect(tmp_path: Path) -> None:
    code = (
        "import datetime as dt\n"
        "from flows.runtime import Runtime, FixedClock\n"
        "from flows.settings import Settings\n"
        "from flows.remind import remind\n"
        "from flows.status import read_status\n"
        f"s = Settings(config={str(CONFIG_DIR)!r}, data={str(tmp_path / 'var')!r})\n"
        "with Runtime.from_settings(s, clock=FixedClock(dt.date(2027, 2, 3))) as rt:\n"
        "    remind(rt, dry_run=True)\n"
        "    read_status(rt)\n"
    )
    assert modules_after(code, ("prefect",)) == []
