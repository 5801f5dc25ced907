"""Settings of the Exchange Server (EWS) transport (env prefix FOLLOWUP_EWS_).

Apart from `flows.mail.ews` so that reading the settings does not import exchangelib. The password
and the client secret are not settings: `flows.secrets.get_secret("FOLLOWUP_EWS_PASSWORD")` /
`("FOLLOWUP_EWS_CLIENT_SECRET")` reads them on first use, and they are never logged.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EwsSettings(BaseSettings):
    """FOLLOWUP_EWS_* settings. Secrets: FOLLOWUP_EWS_PASSWORD / FOLLOWUP_EWS_CLIENT_SECRET."""

    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_EWS_", extra="ignore")

    address: str = Field(description="Primary SMTP address of the mailbox")
    endpoint: str | None = Field(
        default=None,
        description="EWS URL, e.g. https://mail.ekeby.se/EWS/Exchange.asmx; unset: autodiscover",
    )
    autodiscover_url: str | None = Field(
        default=None,
        description="SOAP autodiscover URL, e.g. https://mail.ekeby.se/autodiscover/"
        "autodiscover.svc, when DNS does not lead to it; unset: found from the address",
    )
    authority: str | None = Field(
        default=None,
        description="OAuth2 token authority; default https://login.microsoftonline.com/<tenant>",
    )
    auth: Literal["ntlm", "basic", "oauth2"] = "ntlm"
    username: str | None = Field(default=None, description="DOMAIN\\user or UPN (ntlm, basic)")
    tenant_id: str | None = Field(default=None, description="Entra ID tenant (oauth2)")
    client_id: str | None = Field(default=None, description="App registration id (oauth2)")
    impersonation: bool = Field(
        default=False, description="Act on the mailbox through ApplicationImpersonation"
    )
    version: str | None = Field(
        default=None, description="Exchange build, e.g. 15.1.2507; unset: asked from the server"
    )
    processed_folder: str = "Behandlade"
    category_prefix: str = "Uppföljning"
    max_connections: int | None = Field(
        default=None,
        ge=1,
        le=27,
        description="Requests in flight; unset: FOLLOWUP_SEND_CONCURRENCY (Exchange allows 27)",
    )
    max_attempts: int = Field(default=6, ge=1, le=20)
    retry_base_seconds: float = Field(default=1.0, ge=0)
    retry_max_seconds: float = Field(default=60.0, ge=0)
    max_wait_seconds: float = Field(
        default=60.0,
        ge=0,
        description="Longest BackOffMilliseconds waited for; a longer one defers to the next run",
    )
    timeout_seconds: int = Field(default=120, ge=1)
    sync_batch: int = Field(default=200, ge=1, le=512)
