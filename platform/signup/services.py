"""Writes of the online signup: the pending signup and its email, the confirmation that
provisions the association, and the one-time hand-over to the new portal.

1. ``request_signup``: the form's content is sealed under the link's secret (``sealing``), the
   link is emailed, and nothing else is created.
2. ``confirm_signup``: the link's holder confirms; the association is provisioned all or nothing
   (``associations.services.provision_association``) with the chairman's account, and, in the
   same transaction, the pending signup is marked done (its content wiped) and a hand-over token
   issued. The welcome email leaves once that transaction has committed.
3. ``consume_handover``: on the new subdomain, the token signs the chairman in, once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from associations.models import Association, AssociationKind
from associations.services import (
    AssociationSpec,
    ChairmanSpec,
    ProvisioningError,
    SubdomainTaken,
    provision_association,
    subdomain_host,
)
from core.audit.services import record
from signup import sealing
from signup.models import HandoverToken, PendingSignup, SignupStatus
from signup.plans import DEFAULT_PLAN
from signup.selectors import OpenedSignup

logger = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The confirmation email could not be handed to the mail server; nothing was kept."""


class AlreadyProvisioned(ProvisioningError):
    """This signup's portal exists already (a second click, another tab)."""


class InvalidHandover(Exception):
    """The hand-over token is unknown, used, expired, or meant for another association."""


# --- 1. The signup form ------------------------------------------------------------------------


def request_signup(
    *, data: dict, password: str, confirm_url: Callable[[PendingSignup, str], str]
) -> PendingSignup:
    """Keep the signup sealed under a fresh link's secret and email the link.

    ``data`` is ``SignupForm.signup_data()``; the password is kept only as its hash, inside the
    sealed content. If the email cannot be sent, nothing is kept (``MailNotSent``).
    """
    secret = sealing.new_secret()
    signup = PendingSignup(
        secret_hash=sealing.secret_hash(secret),
        expires_at=timezone.now() + timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS),
    )
    payload = {**data, "password_hash": make_password(password)}
    signup.sealed = sealing.seal(payload, secret, signup.pk)
    try:
        with transaction.atomic():
            signup.save()
            record(
                "signup.requested",
                target=signup,
                details={"kind": data["kind"], "with_inn": bool(data.get("inn"))},
            )
            _send_confirmation(data, confirm_url(signup, secret))
    except OSError as error:  # SMTP refused or unreachable
        logger.warning("the signup confirmation email was not sent (%s)", type(error).__name__)
        raise MailNotSent from error
    return signup


def _send_confirmation(data: dict, link: str) -> None:
    """The link, to the address given. Anyone may give any address, so the letter carries no text
    the sender chose (the association's and the chairman's names could be a phishing lure): only
    the subdomain (letters, digits, hyphens) and the legal form from the list. The page behind
    the link shows the rest."""
    context = {
        "host": subdomain_host(data["slug"]),
        "kind": AssociationKind(data["kind"]).label,
        "link": link,
        "hours": settings.SIGNUP_CONFIRMATION_HOURS,
        "base_domain": settings.BASE_DOMAIN,
        "operators_email": settings.SIGNUP_OPERATORS_EMAIL,
    }
    subject = " ".join(render_to_string("signup/email/confirm_subject.txt", context).split())
    body = render_to_string("signup/email/confirm.txt", context)
    send_mail(subject, body, None, [data["email"]])


# --- 2. The confirmation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmed:
    association: Association
    handover_token: str
    path: str


def confirm_signup(
    opened: OpenedSignup, *, slug: str, portal_url: Callable[[str], str]
) -> Confirmed:
    """Provision the signup's association at ``slug`` (all or nothing) and issue a hand-over.

    ``portal_url(slug)`` is the new portal's address as the visitor reaches this site (scheme,
    port), for the welcome email. Raises ``SubdomainTaken``, ``InnRegistered``,
    ``AlreadyProvisioned`` or ``ProvisioningFailed``; nothing is left behind by any of them.
    """
    signup, data = opened.signup, opened.data
    spec = AssociationSpec(
        name=data["name"],
        slug=slug,
        kind=data["kind"],
        time_zone=data["time_zone"],
        inn=data.get("inn", ""),
        ogrn=data.get("ogrn", ""),
        plan=DEFAULT_PLAN,
    )
    chairman = ChairmanSpec(
        email=data["email"], full_name=data["chairman_name"], password_hash=data["password_hash"]
    )

    def handover(association: Association, user) -> str:
        # In the provisioning transaction: one portal per signup, whoever clicks twice.
        done = PendingSignup.objects.filter(pk=signup.pk, status=SignupStatus.PENDING).update(
            status=SignupStatus.PROVISIONED,
            sealed="",
            provisioned_at=timezone.now(),
            association=association,
        )
        if not done:
            raise AlreadyProvisioned("handover")
        record(
            "signup.confirmed",
            target=signup,
            details={"association": association.pk, "schema": association.schema_name},
        )
        return issue_handover(association, user)

    try:
        result = provision_association(
            spec, chairman=chairman, handover=handover, signup_id=signup.pk
        )
    except SubdomainTaken:
        # A second click of the same signup loses the subdomain to the first: say so instead.
        if PendingSignup.objects.filter(pk=signup.pk, status=SignupStatus.PROVISIONED).exists():
            raise AlreadyProvisioned("association") from None
        raise
    welcome = {
        "email": data["email"],
        "chairman_name": data["chairman_name"],
        "association_name": data["name"],
        "portal_url": portal_url(slug),
    }
    transaction.on_commit(lambda: _send_welcome(welcome), robust=True)
    return Confirmed(result.association, result.handover, result.path)


def _send_welcome(context: dict) -> None:
    context = {**context, "operators_email": settings.SIGNUP_OPERATORS_EMAIL}
    subject = " ".join(render_to_string("signup/email/welcome_subject.txt", context).split())
    body = render_to_string("signup/email/welcome.txt", context)
    send_mail(subject, body, None, [context["email"]])


# --- 3. The hand-over ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(b"tszh-handover\x00" + token.encode()).hexdigest()


def issue_handover(association: Association, user) -> str:
    """A one-time token that signs ``user`` in on ``association``'s subdomain only, briefly."""
    token = secrets.token_urlsafe(32)
    HandoverToken.objects.create(
        token_hash=_token_hash(token),
        schema_name=association.schema_name,
        user_id=user.pk,
        expires_at=timezone.now() + timedelta(seconds=settings.SIGNUP_HANDOVER_SECONDS),
    )
    return token


def consume_handover(token: str):
    """In the association's request: the user the token names, the token spent at once.

    A token of another association is refused without being spent (it is not this site's).
    """
    with transaction.atomic():
        handover = (
            HandoverToken.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        )
        if (
            handover is None
            or handover.schema_name != connection.schema_name
            or handover.used_at is not None
            or handover.expires_at <= timezone.now()
        ):
            raise InvalidHandover
        handover.used_at = timezone.now()
        handover.save(update_fields=["used_at"])
        user = get_user_model().objects.filter(pk=handover.user_id, is_active=True).first()
        if user is None:
            raise InvalidHandover
        record("access.handover_used", actor=user, target=user)
        return user


# --- Housekeeping --------------------------------------------------------------------------------


def discard_signup(signup_id) -> None:
    """Forget a pending signup whose link expired (its portal was never made)."""
    with transaction.atomic():
        PendingSignup.objects.filter(pk=signup_id, status=SignupStatus.PENDING).delete()


def purge_expired_signups() -> dict[str, int]:
    """Delete pending signups whose link expired, and hand-over tokens used or expired a day ago.

    Their content could not be opened without the link anyway; this keeps the tables small.
    """
    now = timezone.now()
    with transaction.atomic():
        signups, _ = PendingSignup.objects.filter(
            status=SignupStatus.PENDING, expires_at__lte=now
        ).delete()
        tokens, _ = HandoverToken.objects.filter(expires_at__lte=now - timedelta(days=1)).delete()
    return {"signups": signups, "handover_tokens": tokens}
