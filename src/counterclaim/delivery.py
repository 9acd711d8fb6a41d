"""Sending alerts: a webhook (JSON POST signed with HMAC-SHA256) and e-mail through SMTP.

The shell of :mod:`counterclaim.alerting`: one function per channel, each sending one alert's
payload and raising :class:`DeliveryError` with a reason (never a secret) when it could not.
Retries and their back-off are the caller's (``api.deliver_alerts``), recorded in the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx

from counterclaim.about import __version__
from counterclaim.alerting import describe
from counterclaim.errors import DataFileError
from counterclaim.redact import without_passwords
from counterclaim.settings import Settings

SIGNATURE_HEADER = "X-Counterclaim-Signature"
USER_AGENT = f"counterclaim/{__version__} (alerts)"
#: A delivery is tried this many times, the n-th retry BACKOFF_BASE * 2**(n-1) seconds after the
#: attempt before it (at most BACKOFF_CAP), then given up (status ``failed``).
MAX_ATTEMPTS = 8
BACKOFF_BASE = 30.0
BACKOFF_CAP = 6 * 3600.0


class DeliveryError(Exception):
    """An alert could not be sent on a channel (the reason is safe to store and show)."""


@dataclass(frozen=True)
class Webhook:
    """POST each alert as JSON to ``url``, with ``X-Counterclaim-Signature: sha256=<hex>`` of the body."""

    url: str
    secret: str = field(repr=False)
    timeout: float = 10.0
    name: str = "webhook"


@dataclass(frozen=True)
class Email:
    """Send each alert as a plain-text e-mail through an SMTP server."""

    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 20.0
    name: str = "email"


Channel = Webhook | Email


def channels_from(settings: Settings) -> list[Channel]:
    """The channels the settings configure: a webhook (``webhook_url`` and ``COUNTERCLAIM_WEBHOOK_SECRET``),
    e-mail (``smtp_host``, ``mail_from``, ``mail_to``); none when neither is set.

    Raises:
        DataFileError: a channel is half configured (a webhook with no secret, mail with no recipient).
    """
    found: list[Channel] = []
    if settings.webhook_url:
        if not settings.webhook_secret:
            raise DataFileError(
                "webhook_url is set but not its secret: set COUNTERCLAIM_WEBHOOK_SECRET (alerts are signed)"
            )
        found.append(Webhook(settings.webhook_url, settings.webhook_secret, timeout=settings.timeout))
    if settings.smtp_host:
        recipients = tuple(r.strip() for r in (settings.mail_to or "").split(",") if r.strip())
        if not settings.mail_from or not recipients:
            raise DataFileError("smtp_host is set: set mail_from and mail_to (addresses separated by commas)")
        found.append(
            Email(settings.smtp_host, settings.mail_from, recipients, port=settings.smtp_port,
                  starttls=settings.smtp_starttls, user=settings.smtp_user, password=settings.smtp_password,
                  timeout=settings.timeout)
        )  # fmt: skip
    return found


def backoff(attempt: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> timedelta:
    """How long after attempt number ``attempt`` (1, 2, ...) the next one is due: doubling, capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))


def signature(body: bytes, secret: str) -> str:
    """The header value that signs ``body``: ``sha256=`` and the hex HMAC-SHA256 with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def body_of(payload: Mapping[str, Any]) -> bytes:
    """The bytes posted for an alert (sorted keys: the same alert is the same bytes)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def send(channel: Channel, payload: Mapping[str, Any], *, delivery_id: int = 0) -> None:
    """Send one alert on one channel.

    Raises:
        DeliveryError: the server could not be reached, refused it, or answered with an error.
    """
    if isinstance(channel, Webhook):
        _post(channel, payload, delivery_id)
    else:
        _mail(channel, payload)


def _post(hook: Webhook, payload: Mapping[str, Any], delivery_id: int) -> None:
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(body, hook.secret),
        # receivers drop a repeat by these: a delivery retried after a crash mid-send is the same alert
        "X-Counterclaim-Alert": str(payload.get("id")),
        "X-Counterclaim-Delivery": str(delivery_id),
    }
    try:
        response = httpx.post(hook.url, content=body, headers=headers, timeout=hook.timeout)
    except httpx.HTTPError as error:
        raise DeliveryError(without_passwords(f"{type(error).__name__}: {error}")) from error
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"the webhook answered HTTP {response.status_code}")


def message_of(mail: Email, payload: Mapping[str, Any]) -> EmailMessage:
    """The e-mail of an alert; its Message-ID is the alert's, so a repeat is recognisable."""
    message = EmailMessage()
    message["Subject"] = f"[counterclaim] {payload['summary']}"[:250]
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.recipients)
    message["Date"] = formatdate(localtime=False)
    digest = hashlib.sha256(str(payload.get("cause")).encode("utf-8")).hexdigest()[:16]
    message["Message-ID"] = f"<alert-{payload.get('id')}-{digest}@counterclaim>"
    message["X-Counterclaim-Alert"] = str(payload.get("id"))
    message.set_content(describe(payload) + "\n")
    return message


def _mail(mail: Email, payload: Mapping[str, Any]) -> None:
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as server:
            if mail.starttls:
                server.starttls(context=ssl.create_default_context())
            if mail.user:
                server.login(mail.user, mail.password or "")
            server.send_message(message_of(mail, payload))
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"SMTP {mail.host}:{mail.port}: {type(error).__name__}: {error}") from error


__all__ = [
    "BACKOFF_BASE",
    "MAX_ATTEMPTS",
    "SIGNATURE_HEADER",
    "Channel",
    "DeliveryError",
    "Email",
    "Webhook",
    "backoff",
    "body_of",
    "channels_from",
    "message_of",
    "send",
    "signature",
]
