"""Settings of the Microsoft Graph transport (env prefix FOLLOWUP_GRAPH_).

The client secret is not a setting: it comes from `flows.secrets.get_secret(
"FOLLOWUP_GRAPH_CLIENT_SECRET")` (environment or Prefect Secret block) and is never logged.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_NAME = "FOLLOWUP_GRAPH_CLIENT_SECRET"  # noqa: S105 (a name, not a secret)
CERTIFICATE_KEY_SECRET_NAME = "FOLLOWUP_GRAPH_CERTIFICATE_KEY"  # noqa: S105


class GraphSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_GRAPH_", extra="ignore")

    tenant_id: str = Field(description="Directory (tenant) id of the Microsoft Entra tenant")
    client_id: str = Field(description="Application (client) id of the app registration")
    mailbox: str = Field(description="SMTP address of the shared mailbox the flows use")
    user_id: str | None = Field(
        default=None, description="The mailbox's user object id, if URLs should use it"
    )
    base_url: str = Field(default="https://graph.microsoft.com/v1.0")
    authority: str | None = Field(
        default=None,
        description="Token authority URL; default https://login.microsoftonline.com/<tenant_id>",
    )
    ca_bundle: Path | None = Field(
        default=None, description="Extra CA certificate file to trust (TLS-inspecting proxies)"
    )
    certificate_thumbprint: str | None = Field(
        default=None,
        description="SHA-1 thumbprint of the app's certificate, if it signs in with a "
        "certificate (private key from the secret FOLLOWUP_GRAPH_CERTIFICATE_KEY)",
    )
    processed_folder: str = Field(
        default="Uppföljning – behandlade", description="Folder processed messages move to"
    )
    category: str = Field(default="Uppföljning", description="Outlook category prefix")
    page_size: int = Field(default=50, ge=1, le=1000)
    concurrency: int = Field(
        default=4, ge=1, le=4, description="Sends in flight; Exchange allows 4 per mailbox"
    )
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=10)
    backoff_seconds: float = Field(default=1.0, ge=0)
    max_retry_after_seconds: float = Field(
        default=120.0,
        description="Longest Retry-After waited for; a longer one defers the work to a later run",
    )
    send_window_seconds: float = Field(
        default=600.0,
        ge=0,
        description="How long Exchange may take to act on an accepted /send (it works "
        "asynchronously); only after that is a draft whose send answer was lost sent again",
    )

    @property
    def authority_url(self) -> str:
        return self.authority or f"https://login.microsoftonline.com/{self.tenant_id}"

    @property
    def user_path(self) -> str:
        return f"/users/{self.user_id or self.mailbox}"
