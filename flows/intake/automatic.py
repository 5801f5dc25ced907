"""Messages no person wrote (auto-replies, bounces, lists) get no reply: replying starts loops."""

from __future__ import annotations

from collections.abc import Mapping

_DAEMON_LOCALPARTS = ("mailer-daemon", "postmaster", "no-reply", "noreply", "donotreply")


def is_automatic(headers: Mapping[str, str], sender: str | None) -> bool:
    """True for auto-replies, bounces and bulk mail (RFC 3834 and the common vendor headers).

    `headers` maps lower-case header names to values.
    """
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if headers.get("precedence", "").strip().lower() in {"bulk", "auto_reply", "junk", "list"}:
        return True
    if "x-auto-response-suppress" in headers:
        return True
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return True
    if headers.get("content-type", "").lower().startswith("multipart/report"):
        return True
    if headers.get("return-path", "").strip() == "<>":
        return True
    if sender:
        local = sender.split("@", 1)[0].lower()
        if local.startswith(_DAEMON_LOCALPARTS):
            return True
    return False


def is_own_address(sender: str | None, own: set[str]) -> bool:
    return sender is not None and sender.lower() in own
