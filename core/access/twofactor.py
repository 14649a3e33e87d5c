"""Second factor (TOTP) for the roles that see other members' data inside an association
(``SECOND_FACTOR_ROLES``: the board, the accountant, the dispatcher), and the platform's operators
in the public schema.

After the password, such a user must confirm a code from an authenticator app; until then every
page but the second-factor pages, sign-out and the language switch redirects there (the API
answers 403). The confirmation is stored in the session, which Django renews at every login.
"""

from __future__ import annotations

import time

import pyotp
import segno
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.access.models import SecondFactor
from core.access.roles import SECOND_FACTOR_ROLES, roles_of
from core.audit import services as audit

SESSION_KEY = "second_factor_verified"
ISSUER = "TSZh Portal"
#: A code is accepted one 30 s step early or late (clocks on phones drift).
VALID_WINDOW = 1


def required_for(user) -> bool:
    """Roles that see other members' data in an association, operators in the public schema."""
    if not user.is_authenticated:
        return False
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return user.is_staff
    return bool(roles_of(user) & SECOND_FACTOR_ROLES)


def is_verified(request) -> bool:
    return request.session.get(SESSION_KEY) == str(request.user.pk)


def mark_verified(request) -> None:
    request.session[SESSION_KEY] = str(request.user.pk)


def confirmed_factor(user) -> SecondFactor | None:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


@transaction.atomic
def start_enrolment(user) -> SecondFactor:
    """A new, unconfirmed authenticator seed for ``user`` (replacing an unconfirmed one)."""
    SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).delete()
    factor = SecondFactor(user=user, secret=pyotp.random_base32())
    factor.save()
    return factor


def provisioning_uri(factor: SecondFactor, label: str) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(name=label, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no external service, no JavaScript)."""
    return segno.make(uri, error="m").svg_inline(scale=4)


@transaction.atomic
def verify_code(factor: SecondFactor, code: str, *, at: float | None = None) -> bool:
    """Check a 6-digit code; a code (time step) already used is refused. Confirms enrolment."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return False
    factor = SecondFactor.objects.select_for_update().get(pk=factor.pk)
    totp = pyotp.TOTP(factor.secret)
    now = time.time() if at is None else at
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        moment = now + offset * totp.interval
        counter = int(moment // totp.interval)
        if counter > factor.last_counter and totp.at(moment) == code:
            factor.last_counter = counter
            enrolled = factor.confirmed_at is None
            if enrolled:
                factor.confirmed_at = timezone.now()
            factor.save(update_fields=["last_counter", "confirmed_at"])
            if enrolled:
                audit.record("access.second_factor_enabled", actor=factor.user, target=factor.user)
            return True
    return False
