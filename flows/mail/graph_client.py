"""HTTP to Microsoft Graph: an app-only token from msal, bounded retries on throttling.

httpx (sync) rather than the official msgraph-sdk: the SDK is async-only and large (kiota and
generated models for all of Graph) while we call a dozen mail endpoints from sync Prefect tasks;
plain REST over httpx is also what the test endpoint on 127.0.0.1 answers.
"""

from __future__ import annotations

import logging
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
import msal
from msal.exceptions import MsalServiceError

from flows.mail.graph_rules import THROTTLED, RetryPolicy, parse_retry_after, retry_delay
from flows.mail.graph_settings import CERTIFICATE_KEY_SECRET_NAME, SECRET_NAME, GraphSettings
from flows.mail.port import MailDeferred, MailError
from flows.secrets import get_secret

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)
# Ids that survive moving a message between folders (mark_processed moves it).
PREFER_IMMUTABLE_IDS = 'IdType="ImmutableId"'


# Exchange's answers to a delta token it no longer knows: 410 Gone, or a 400/404 with one of
# these codes (Graph's delta query documentation and the Outlook service's error codes).
DELTA_EXPIRED_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})
# Failures that repeat on every attempt: not retried even though the status is 500.
NOT_RETRIED_CODES = frozenset({"ErrorMimeContentConversionFailed"})


class DeltaExpired(MailError):
    """The delta link is no longer known to the server: start a full sync."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=True)


class GraphHttpError(MailError):
    def __init__(self, message: str, *, status: int, code: str, transient: bool) -> None:
        super().__init__(message, transient=transient)
        self.status = status
        self.code = code


def _error_code(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return "", ""
    if isinstance(error, dict):
        return str(error.get("code", "")), str(error.get("message", ""))
    return str(error), ""


def error_for(method: str, path: str, response: httpx.Response) -> MailError:
    """A MailError (Swedish message for the coordinator) for a failed Graph answer."""
    status = response.status_code
    code, text = _error_code(response)
    where = f"{method} {path}"
    if status == 410 or (status in (400, 404) and code.lower() in DELTA_EXPIRED_CODES):
        return DeltaExpired(f"Synkroniseringstillståndet har gått ut ({code or 'Gone'}).")
    if status in (401, 403):
        return GraphHttpError(
            f"Microsoft Graph nekade åtkomst till brevlådan ({status} {code}: {text}) vid "
            f"{where}. Kontrollera appens behörigheter Mail.ReadWrite och Mail.Send, "
            "administratörsmedgivandet och att RBAC-omfånget i Exchange Online omfattar "
            "brevlådan.",
            status=status,
            code=code,
            transient=False,
        )
    transient = status in (429, 500, 502, 503, 504)
    return GraphHttpError(
        f"Microsoft Graph svarade {status} {code} vid {where}: {text}",
        status=status,
        code=code,
        transient=transient,
    )


class MsalHttp:
    """msal's http_client interface (get/post) over our httpx client.

    One HTTP stack for token and Graph calls; and unlike a requests.Session, httpx honours
    our CA bundle even when REQUESTS_CA_BUNDLE is set in the environment.
    """

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        return self._http.get(url, params=params, headers=headers)

    def post(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str | bytes] | str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        if isinstance(data, str):
            return self._http.post(url, params=params, content=data, headers=headers)
        # msal passes a certificate's client assertion as bytes; requests form-encodes bytes
        # as text, httpx would write their repr.
        form = {k: v.decode() if isinstance(v, bytes) else v for k, v in (data or {}).items()}
        return self._http.post(url, params=params, data=form, headers=headers)

    def close(self) -> None:
        """The httpx client belongs to GraphClient, which closes it."""


class GraphClient:
    """Authenticated, retrying requests against one Graph base URL."""

    def __init__(
        self,
        settings: GraphSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._policy = RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_seconds=settings.backoff_seconds,
            max_retry_after_seconds=settings.max_retry_after_seconds,
        )
        verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=str(settings.ca_bundle))
            if settings.ca_bundle
            else True
        )
        self._http = httpx.Client(
            timeout=settings.timeout_seconds,
            verify=verify,
            headers={"Prefer": PREFER_IMMUTABLE_IDS},
        )
        self._app: Any = None
        self._app_lock = threading.Lock()
        self._throttled_until = 0.0

    def close(self) -> None:
        self._http.close()

    # token ---------------------------------------------------------------------------------

    def _credential(self) -> str | dict[str, str]:
        """The client secret, or the certificate's private key (and thumbprint or certificate)."""
        secret = get_secret(SECRET_NAME, required=False)
        if secret is not None:
            return secret.get_secret_value()
        key = get_secret(CERTIFICATE_KEY_SECRET_NAME, required=False)
        if key is None:
            raise MailError(
                f"Varken {SECRET_NAME} eller {CERTIFICATE_KEY_SECRET_NAME} är satt: appen kan "
                "inte logga in hos Microsoft Entra ID.",
                transient=False,
            )
        pem = key.get_secret_value()
        credential = {"private_key": pem}
        if self.settings.certificate_thumbprint:
            credential["thumbprint"] = self.settings.certificate_thumbprint
            return credential
        certificate = _PEM_CERTIFICATE.search(pem)
        if certificate is None:
            raise MailError(
                f"{CERTIFICATE_KEY_SECRET_NAME} innehåller inget certifikat: lägg till det i "
                "PEM-filen eller sätt FOLLOWUP_GRAPH_CERTIFICATE_THUMBPRINT.",
                transient=False,
            )
        # msal then signs with the certificate's SHA-256 thumbprint.
        credential["public_certificate"] = certificate.group(0)
        return credential

    def _msal_app(self) -> Any:
        with self._app_lock:
            return self._create_msal_app()

    def _create_msal_app(self) -> Any:
        if self._app is None:
            try:
                self._app = msal.ConfidentialClientApplication(
                    self.settings.client_id,
                    client_credential=self._credential(),
                    authority=self.settings.authority_url,
                    # Only matters for hosts msal does not know (the test endpoint on 127.0.0.1);
                    # Microsoft's own login hosts are never looked up.
                    instance_discovery=False,
                    http_client=MsalHttp(self._http),
                )
            except ValueError as exc:
                raise MailError(
                    f"Inloggningsadressen {self.settings.authority_url} godtogs inte: {exc}",
                    transient=False,
                ) from exc
            except (httpx.HTTPError, MsalServiceError) as exc:
                raise MailError(f"Microsoft Entra ID nåddes inte: {exc}", transient=True) from exc
        return self._app

    def token(self) -> str:
        """An app-only access token for Graph (msal caches it until shortly before expiry)."""
        app = self._msal_app()
        try:
            result = app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except (httpx.HTTPError, MsalServiceError) as exc:
            raise MailError(f"Microsoft Entra ID nåddes inte: {exc}", transient=True) from exc
        if "access_token" in result:
            return str(result["access_token"])
        error = str(result.get("error", "unknown_error"))
        description = str(result.get("error_description", "")).splitlines()[0:1]
        transient = error in {"temporarily_unavailable", "server_error"}
        raise MailError(
            f"Appen kunde inte logga in hos Microsoft Entra ID ({error}): "
            f"{' '.join(description)} Kontrollera FOLLOWUP_GRAPH_TENANT_ID, "
            "FOLLOWUP_GRAPH_CLIENT_ID och klienthemligheten.",
            transient=transient,
        )

    # requests ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """One Graph call; 429/503 (and, for idempotent calls, 5xx and lost connections) are
        retried with Retry-After or exponential backoff, at most `max_attempts` times. This is
        the only place that retries. A Retry-After beyond `max_retry_after_seconds` raises
        MailDeferred, and so does every request until it has passed."""
        if idempotent is None:
            idempotent = method in ("GET", "PATCH", "DELETE")
        full_url = (
            url
            if url.startswith("https://") or url.startswith("http://")
            else (self.settings.base_url.rstrip("/") + url)
        )
        path = urlsplit(full_url).path
        attempt = 0
        while True:
            attempt += 1
            left = self._throttled_until - time.monotonic()
            if left > 0:
                raise MailDeferred(
                    f"Microsoft Graph har bett oss vänta {left:.0f} s till; {method} {path} "
                    "görs vid nästa körning.",
                    retry_after=left,
                )
            all_headers = dict(headers or {})
            if authenticated:
                all_headers["Authorization"] = f"Bearer {self.token()}"
            try:
                response = self._http.request(
                    method, full_url, json=json, params=params, content=content, headers=all_headers
                )
            except httpx.TransportError as exc:
                delay = retry_delay(None, None, attempt, idempotent=idempotent, policy=self._policy)
                if delay is None:
                    raise MailError(
                        f"Microsoft Graph svarade inte vid {method} {path}: {exc!r}",
                        transient=True,
                    ) from exc
                log.warning("Graph %s %s: %r; retrying in %.1f s", method, path, exc, delay)
                self._sleep(delay)
                continue
            if response.status_code < 400:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            too_long = (
                retry_after is not None and retry_after > self._policy.max_retry_after_seconds
            )
            if response.status_code in THROTTLED and retry_after is not None and too_long:
                self._throttled_until = max(self._throttled_until, time.monotonic() + retry_after)
                raise MailDeferred(
                    f"Microsoft Graph ber oss vänta {retry_after:.0f} s (svar "
                    f"{response.status_code} vid {method} {path}); det görs vid nästa körning.",
                    retry_after=retry_after,
                )
            if _error_code(response)[0] in NOT_RETRIED_CODES:
                raise error_for(method, path, response)
            delay = retry_delay(
                response.status_code,
                retry_after,
                attempt,
                idempotent=idempotent,
                policy=self._policy,
            )
            if delay is None:
                raise error_for(method, path, response)
            log.warning(
                "Graph %s %s answered %s; retrying in %.1f s",
                method,
                path,
                response.status_code,
                delay,
            )
            self._sleep(delay)
