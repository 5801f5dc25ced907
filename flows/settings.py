"""Runtime settings from the environment (prefix FOLLOWUP_). Secrets never live here in clear text:
adapters read them with `flows.secrets.get_secret`.

The chosen transport's own settings (FOLLOWUP_EWS_*, FOLLOWUP_GRAPH_*) are read here too, once,
unless given: `Settings(transport="ews", ews=EwsSettings(...))`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.mail.ews_settings import EwsSettings
from flows.mail.graph_settings import GraphSettings


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")

    config: Path = Field(default=Path("config"), description="Configuration directory")
    data: Path = Field(default=Path("var"), description="Ledger, archive, local mailbox, outputs")
    cycle: str | None = Field(default=None, description="Cycle to work on; default from config")
    transport: Literal["maildir", "ews", "graph"] = "maildir"
    ews: EwsSettings | None = Field(
        default=None, description="Exchange Server settings; with transport ews: FOLLOWUP_EWS_*"
    )
    graph: GraphSettings | None = Field(
        default=None,
        description="Microsoft Graph settings; with transport graph: FOLLOWUP_GRAPH_*",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default a SQLite file in the data directory"
    )
    test_mode_address: str | None = Field(
        default=None, description="If set, every outgoing message goes to this address instead"
    )
    send_concurrency: int = Field(default=4, ge=1, le=27)
    preapproved_by: str | None = Field(
        default=None,
        description="If set, a cycle's first wave counts as approved by this person (CLI, demo)",
    )
    approval_timeout_hours: float = Field(
        default=8.0, gt=0, description="How long a first wave waits for approval in the UI"
    )

    lease_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long remind/collect wait for another run on the same mailbox to finish",
    )
    lease_ttl_seconds: float = Field(
        default=300.0,
        gt=0,
        description="A run's hold on its mailbox lasts this long unless renewed (every third)",
    )

    @model_validator(mode="after")
    def _read_transport_settings(self) -> Settings:
        try:
            if self.transport == "ews" and self.ews is None:
                self.ews = EwsSettings()
            elif self.transport == "graph" and self.graph is None:
                self.graph = GraphSettings()
        except ValidationError as exc:
            raise _under(self.transport, exc) from None
        return self

    @property
    def ledger_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data / 'ledger.sqlite').resolve()}"

    @property
    def archive_dir(self) -> Path:
        return self.data / "archive"

    @property
    def mail_dir(self) -> Path:
        return self.data / "mail"

    @property
    def output_dir(self) -> Path:
        return self.data / "output"


def _under(field: str, exc: ValidationError) -> ValidationError:
    """The errors of a nested settings model located under its field, so that ("ews", "address")
    names the variable FOLLOWUP_EWS_ADDRESS."""
    errors: list[InitErrorDetails] = []
    for err in exc.errors():
        detail = InitErrorDetails(type=err["type"], loc=(field, *err["loc"]), input=err["input"])
        if "ctx" in err:
            detail["ctx"] = err["ctx"]
        errors.append(detail)
    return ValidationError.from_exception_data("Settings", errors)
