"""Sign-in events in the audit log: who signed in, out, or failed to, in the same transaction.

Django's ``user_logged_in``, ``user_logged_out`` and ``user_login_failed`` signals are written as
``access.signed_in``, ``access.signed_out`` and ``access.sign_in_failed``. An entry names the
login by id only: a failed attempt with an email that matches no login has no target, and the
email itself is never stored (the audit log holds no personal data, core/audit/models.py).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from core.audit import services as audit


def _record(action: str, user, details: dict | None = None) -> None:
    with transaction.atomic():
        audit.record(action, actor=user, target=user, details=details)


@receiver(user_logged_in, dispatch_uid="access.audit.signed_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    _record("access.signed_in", user)


@receiver(user_logged_out, dispatch_uid="access.audit.signed_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        # Ended by the idle or absolute limit (core/access/sessions.py), or by the user.
        expired = bool(getattr(request, "session_expired", False))
        _record("access.signed_out", user, {"expired": expired})


@receiver(user_login_failed, dispatch_uid="access.audit.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    email = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    user = None
    if email:
        # Found through the blind index; an unknown address leaves the entry without a target.
        user = get_user_model()._default_manager.with_email(email).first()
    with transaction.atomic():
        audit.record("access.sign_in_failed", target=user, details={"known": user is not None})
