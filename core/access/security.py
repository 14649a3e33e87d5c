"""A signed-in person's own security: their password, their second factor, their sessions.

Every change is made in one transaction with its audit entry (ids only, never an email):

* ``change_password``: the new password is checked by the project's validators
  (``AUTH_PASSWORD_VALIDATORS``: length, common passwords, digits only, similarity to the email
  and the name) by the form first; then stored, every *other* session of the login is ended (the
  database rows and their cached copies), and the person is told by email
  (``access.password_changed``, a kind nobody can switch off). The view keeps the session it was
  asked from (``update_session_auth_hash``).
* ``end_other_sessions``: "sign out everywhere else".
* ``replace_second_factor``: the authenticator moves to a new phone only once a code from the new
  one was accepted; until then the old one keeps working. The pending seed waits in the session
  sealed under the association's key (``seal_pending``/``open_pending``), never in clear.
* ``disable_second_factor``: only where the person's roles do not require it
  (``twofactor.required_for``: the board, the accountant, the dispatcher inside an association,
  the operators on the public site); otherwise a ``ValidationError`` says why.

Sessions have no index by user (Django's session table, one per schema): the live ones are read
and decoded, as ``tenants.staff`` does when it takes a role away (bounded by one association's
logins).
"""

from __future__ import annotations

import logging
import time
import uuid
from importlib import import_module

import pyotp
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import extensions
from core.access import twofactor
from core.access.models import SecondFactor
from core.audit import services as audit

logger = logging.getLogger(__name__)

#: The notification kind of "your password was changed" (declared in core/access/declaration.py).
PASSWORD_CHANGED = "access.password_changed"
#: The hook ``tenants.notifications`` offers for one message to some logins (core imports no app).
NOTIFY_HOOK = "notifications.notify"
#: Where the pending (not yet confirmed) seed of a new phone waits: in the session, sealed.
PENDING_KEY = "security_pending_factor"


# -- sessions -----------------------------------------------------------------------------------


def _session_keys_of(user, *, keep: str | None) -> list[str]:
    from django.contrib.sessions.models import Session

    return [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.pk != keep and session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


def _forget_cached_sessions(keys: list[str]) -> None:
    """The store reads the cache first (``cached_db``): drop the ended sessions there too, or
    they would go on working until they expire. Redis out of reach: logged (a cached copy that
    survives fails the auth-hash check after a password change, and expires with Redis's TTL)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix is None or not keys:
        return
    try:
        caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in keys])
    except Exception as error:  # noqa: BLE001
        logger.warning("session cache unavailable (%s)", type(error).__name__)


def _end_sessions(user, *, keep: str | None) -> int:
    from django.contrib.sessions.models import Session

    ended = _session_keys_of(user, keep=keep)
    if ended:
        Session.objects.filter(pk__in=ended).delete()
        # Now, and again after the commit: a request of an ended session between the two could
        # put its copy back in the cache from the row not yet deleted for it.
        _forget_cached_sessions(ended)
        transaction.on_commit(lambda: _forget_cached_sessions(ended))
    return len(ended)


def end_other_sessions(*, actor, keep: str | None) -> int:
    """Sign ``actor`` out of every session but ``keep`` (the current one); how many ended."""
    with transaction.atomic():
        ended = _end_sessions(actor, keep=keep)
        audit.record(
            "access.other_sessions_ended", actor=actor, target=actor, details={"ended": ended}
        )
    return ended


# -- password -----------------------------------------------------------------------------------


def change_password(*, actor, new_password: str, keep: str | None) -> int:
    """Store ``new_password`` (already validated by the form) for ``actor``; end their other
    sessions; tell them by email. Returns how many other sessions were ended."""
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        ended = _end_sessions(actor, keep=keep)
        audit.record(
            "access.password_changed",
            actor=actor,
            target=actor,
            details={"sessions_ended": ended},
        )
        _tell_password_changed(actor)
    return ended


def _tell_password_changed(user) -> None:
    """The letter "your password was changed": through the notifications of the association
    (in its transaction, delivered with retries); on the public site (operators, where there
    are no notifications) a plain letter after the commit."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Your password was changed")
        body = _(
            "The password of your login was changed on %(when)s. If it was not you, reset the "
            "password now with the link on the sign-in page and tell the board."
        ) % {"when": timezone.localtime().strftime("%d.%m.%Y %H:%M")}
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        try:
            notify = extensions.operator_hook(NOTIFY_HOOK)
        except LookupError:
            notify = None
        if notify is not None:
            notify(
                actor=user,
                kind=PASSWORD_CHANGED,
                recipients=[user.pk],
                subject=subject,
                body=body,
                path=reverse("access:password_reset"),
            )
            return
    address = user.email
    transaction.on_commit(lambda: _send_plain(address, subject, body))


def _send_plain(address: str, subject: str, body: str) -> None:
    try:
        EmailMessage(str(subject), str(body), to=[address]).send()
    except Exception as error:  # noqa: BLE001 - the change is made; the letter is a courtesy
        logger.warning("password-changed letter not sent (%s)", type(error).__name__)


# -- second factor ------------------------------------------------------------------------------


def _secret_field():
    return SecondFactor._meta.get_field("secret")


def _holder(user_id, nonce: str) -> SecondFactor:
    """An unsaved row to seal the pending seed with: its id is made from the login's id, so the
    sealed seed opens for that login only (the id is part of the associated data)."""
    return SecondFactor(id=uuid.uuid5(uuid.UUID(str(user_id)), nonce), user_id=user_id)


def seal_pending(user, secret: str) -> dict:
    """The pending seed as the session keeps it: sealed under the association's key, bound to
    this login."""
    nonce = uuid.uuid4().hex
    token = _secret_field().seal(_holder(user.pk, nonce), secret).token
    return {"nonce": nonce, "token": token}


def open_pending(user, pending) -> str | None:
    """The seed ``seal_pending`` sealed for ``user``; None when there is none (or not theirs)."""
    if not isinstance(pending, dict):
        return None
    try:
        return _secret_field().open(_holder(user.pk, pending["nonce"]), pending["token"])
    except Exception as error:  # noqa: BLE001 - a broken or foreign entry: start afresh
        logger.warning("pending second factor unreadable (%s)", type(error).__name__)
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def code_matches(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step of ``code`` for ``secret`` (one step early or late accepted), else None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for offset in range(-twofactor.VALID_WINDOW, twofactor.VALID_WINDOW + 1):
        moment = now + offset * totp.interval
        if totp.at(moment) == code:
            return int(moment // totp.interval)
    return None


def replace_second_factor(*, actor, secret: str, code: str) -> SecondFactor:
    """Put the authenticator with ``secret`` (a new phone) in place of ``actor``'s current one,
    once ``code`` from it is accepted; the old one stops working at once.

    The password was checked by the form. A wrong code changes nothing.
    """
    counter = code_matches(secret, code)
    if counter is None:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("The code is wrong or has expired. Enter the one the new phone shows now."),
                    code="wrong_code",
                )
            }
        )
    with transaction.atomic():
        old = SecondFactor.objects.select_for_update().filter(user=actor).first()
        replaced = old is not None and old.confirmed_at is not None
        if old is not None:
            old.delete()
        factor = SecondFactor(
            user=actor, secret=secret, confirmed_at=timezone.now(), last_counter=counter
        )
        factor.save()
        audit.record(
            "access.second_factor_replaced" if replaced else "access.second_factor_enabled",
            actor=actor,
            target=actor,
        )
    return factor


def can_disable_second_factor(user) -> bool:
    return not twofactor.required_for(user)


def disable_second_factor(*, actor) -> bool:
    """Remove ``actor``'s authenticator where their roles do not require one; whether one was
    removed. Refused (``ValidationError``) for roles that must confirm a code at sign-in."""
    if not can_disable_second_factor(actor):
        raise ValidationError(
            _(
                "Your role manages the association and sees other members' data, so the second "
                "factor cannot be turned off. You can move it to a new phone instead."
            ),
            code="mandatory",
        )
    with transaction.atomic():
        deleted, _counts = SecondFactor.objects.filter(user=actor).delete()
        if deleted:
            audit.record("access.second_factor_disabled", actor=actor, target=actor)
    return bool(deleted)
