"""The runtime: everything a command needs, built once from `Settings` and passed down.

remind, collect, compile and status are plain functions of a `Runtime`; the Prefect flows wrap
them (`runtime_for_flow`). Only the CLI, the demo and those wrappers read the environment (through
`Settings()`); everything below receives a runtime. A cycle is a parameter of each function, not
part of the runtime, so one runtime serves every cycle of the configuration.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from flows.archive import Archive
from flows.config import load_config
from flows.model import Config, Cycle
from flows.schedule import LOCAL_TZ
from flows.settings import Settings

if TYPE_CHECKING:
    from flows.ledger import Ledger
    from flows.mail.port import Mailbox

MailboxFactory = Callable[["Runtime"], "Mailbox"]


class Clock(Protocol):
    """Today and now as the plan sees them (Swedish time)."""

    def today(self) -> dt.date: ...

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real date and time in Sweden."""

    def today(self) -> dt.date:
        return dt.datetime.now(LOCAL_TZ).date()

    def now(self) -> dt.datetime:
        return dt.datetime.now(LOCAL_TZ)


@dataclasses.dataclass(frozen=True)
class FixedClock:
    """A clock that always says the same day (tests, demo, `--today`)."""

    day: dt.date
    at: dt.time = dt.time(8, 0)

    def today(self) -> dt.date:
        return self.day

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.at, tzinfo=LOCAL_TZ)


def configured_mailbox(runtime: Runtime) -> Mailbox:
    """The mailbox the settings choose (`FOLLOWUP_TRANSPORT`)."""
    from flows.mail.factory import open_mailbox

    return open_mailbox(runtime.settings, address=runtime.config.municipality.mailbox)


class Runtime:
    """Settings read once: config, ledger, archive, mailbox, clock, test mode, outputs.

    The ledger and the mailbox are opened on first use and closed by `close()` (or `with`).
    """

    def __init__(
        self,
        settings: Settings,
        config: Config,
        *,
        clock: Clock | None = None,
        mailbox_factory: MailboxFactory = configured_mailbox,
    ) -> None:
        self.settings = settings
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self.archive = Archive(settings.archive_dir)
        self._mailbox_factory = mailbox_factory
        self._ledger: Ledger | None = None
        self._mailbox: Mailbox | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        mailbox_factory: MailboxFactory = configured_mailbox,
    ) -> Runtime:
        """Load the configuration (a `ConfigError` on mistakes) and build the runtime."""
        return cls(
            settings,
            load_config(settings.config),
            clock=clock,
            mailbox_factory=mailbox_factory,
        )

    # ------------------------------------------------------------------ what the settings say

    @property
    def test_mode_address(self) -> str | None:
        return self.settings.test_mode_address

    @property
    def preapproved_by(self) -> str | None:
        return self.settings.preapproved_by

    @property
    def ledger_url(self) -> str:
        return self.settings.ledger_url

    @property
    def data_dir(self) -> Path:
        return self.settings.data

    @property
    def mail_dir(self) -> Path:
        return self.settings.mail_dir

    @property
    def output_dir(self) -> Path:
        return self.settings.output_dir

    def cycle(self, cycle_id: str | None = None) -> Cycle:
        """The cycle asked for, else `FOLLOWUP_CYCLE`, else the configuration's default."""
        return self.config.cycle(cycle_id or self.settings.cycle)

    def today(self) -> dt.date:
        return self.clock.today()

    def now(self) -> dt.datetime:
        return self.clock.now()

    # ------------------------------------------------------------------ resources

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            from flows.ledger import Ledger

            self._ledger = Ledger.open(self.ledger_url)
        return self._ledger

    @property
    def mailbox(self) -> Mailbox:
        if self._mailbox is None:
            self._mailbox = self._mailbox_factory(self)
        return self._mailbox

    def replace(self, **changes: object) -> Runtime:
        """A runtime with some settings changed (e.g. a test address), sharing the config and
        the clock but with its own ledger and mailbox connections."""
        settings = self.settings.model_copy(update=changes)
        return Runtime(
            settings, self.config, clock=self.clock, mailbox_factory=self._mailbox_factory
        )

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
        self._mailbox = None

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# ---------------------------------------------------------------------- flows and logging

_IN_SCOPE: ContextVar[Runtime | None] = ContextVar("followup_runtime", default=None)


@contextlib.contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Let the Prefect flows called in this block use `runtime` (the demo and tests do this)
    instead of building one from the environment."""
    token = _IN_SCOPE.set(runtime)
    try:
        yield runtime
    finally:
        _IN_SCOPE.reset(token)


@contextlib.contextmanager
def runtime_for_flow() -> Iterator[Runtime]:
    """The runtime a flow wrapper works with: the one in scope, else one built from the
    environment for this run (and closed after it)."""
    current = _IN_SCOPE.get()
    if current is not None:
        yield current
        return
    with Runtime.from_settings(Settings()) as runtime:
        yield runtime


def _prefect_run_active() -> bool:
    # Without Prefect imported there is no run; checking first keeps read-only commands from
    # paying for importing Prefect.
    context = sys.modules.get("prefect.context")
    if context is None:
        return False
    return context.FlowRunContext.get() is not None or context.TaskRunContext.get() is not None


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Prefect's run logger inside a flow or task run; the `flows` logger everywhere else."""
    if not _prefect_run_active():
        return logging.getLogger("flows")
    from prefect.logging import get_run_logger

    return get_run_logger()
