"""The providers of online payments, one per way to pay, and the one way to get the
association's (``provider_for``)."""

from __future__ import annotations

import os
import secrets
from decimal import Decimal

from django.conf import settings

from billing.payments.providers.base import ProviderError


def setting(name: str, default: str = "") -> str:
    """A platform setting: Django's settings first (tests override them), then the env."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value or "")


def network() -> dict:
    """How long a provider call waits for an answer, and how often a timeout or a dropped
    connection is tried again (``TSZH_PAYMENTS_TIMEOUT`` seconds, ``TSZH_PAYMENTS_RETRIES``;
    the tests make them short)."""
    return {
        "timeout": float(setting("TSZH_PAYMENTS_TIMEOUT", "10")),
        "retries": int(setting("TSZH_PAYMENTS_RETRIES", "2")),
    }


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def provider_for(config, name: str | None = None):
    """The provider object of ``config`` (a ``ProviderSettings``) for ``name`` (its chosen
    provider by default). Refuses (``ProviderError``) a provider that is off or unconfigured."""
    from billing.payments.providers import stripe_connect, tbank, test

    name = config.provider if name is None else name
    if name == "test":
        return test.TestProvider(config.test_webhook_secret or "")
    if name == "stripe_connect":
        key = setting("STRIPE_SECRET_KEY")
        gateway = None
        if key and config.stripe_account:
            gateway = stripe_connect.StripeConnectGateway(
                api_key=key,
                account=config.stripe_account,
                api_base=setting("STRIPE_API_BASE"),
                currency=setting("TSZH_PAYMENTS_STRIPE_CURRENCY", "rub"),
                **network(),
            )
        return stripe_connect.StripeConnectProvider(
            gateway=gateway,
            webhook_secret=config.stripe_webhook_secret or "",
            account=config.stripe_account,
            fee_percent=Decimal(setting("TSZH_PAYMENTS_FEE_PERCENT", "1.0")),
        )
    if name == "tbank":
        gateway = None
        if config.tbank_terminal_key and config.tbank_password:
            gateway = tbank.TBankGateway(
                terminal_key=config.tbank_terminal_key,
                password=config.tbank_password,
                base_url=setting("TBANK_API_BASE"),
                backoff=float(setting("TSZH_PAYMENTS_BACKOFF", "0.5")),
                **network(),
            )
        return tbank.TBankProvider(
            gateway=gateway,
            terminal_key=config.tbank_terminal_key,
            password=config.tbank_password or "",
        )
    raise ProviderError("online payments are off")
