"""Reads for the signup: opening a pending signup with its link, and a new portal's checklist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.access import twofactor
from signup import sealing
from signup.models import PendingSignup, SignupStatus


class InvalidLink(Exception):
    """No signup answers this link (unknown id, or the secret does not match)."""


class ExpiredLink(Exception):
    """The link is genuine but its signup waited too long."""


@dataclass(frozen=True)
class OpenedSignup:
    signup: PendingSignup
    #: The form's content (association details, chairman's name, email, password hash); empty
    #: once the portal exists.
    data: dict

    @property
    def provisioned(self) -> bool:
        return self.signup.status == SignupStatus.PROVISIONED


def open_signup(signup_id: uuid.UUID, secret: str) -> OpenedSignup:
    """The pending signup the link names, opened with the link's secret."""
    signup = PendingSignup.objects.filter(pk=signup_id).select_related("association").first()
    if signup is None or not sealing.secret_matches(secret, signup.secret_hash):
        raise InvalidLink
    if signup.status == SignupStatus.PROVISIONED:
        return OpenedSignup(signup, {})
    if signup.is_expired:
        raise ExpiredLink
    try:
        data = sealing.unseal(signup.sealed, secret, signup.pk)
    except sealing.InvalidSecret as error:
        raise InvalidLink from error
    return OpenedSignup(signup, data)


# --- The new portal's first steps ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    description: str
    done: bool
    url: str | None


def _first_url(*names: str) -> str | None:
    """The first of these URL names that the association's URL map knows (pages still to come
    are simply not linked)."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _has_rows(app_label: str, model_name: str) -> bool:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return model.objects.exists()


def first_steps(user) -> list[Step]:
    """The checklist a new portal's chairman sees: what to set up, and what is done."""
    return [
        Step(
            "second_factor",
            _("Protect your sign-in"),
            _("Your role manages the association: confirm sign-ins with an authenticator app."),
            twofactor.confirmed_factor(user) is not None,
            _first_url("access:second_factor"),
        ),
        Step(
            "premises",
            _("Add buildings and premises"),
            _("Enter the buildings, flats and other premises, or import them from a spreadsheet."),
            _has_rows("residents", "Premises"),
            _first_url("residents:registry-index", "residents:registry-building-add"),
        ),
        Step(
            "members",
            _("Invite members"),
            _("Send owners and residents an invitation to the portal, and the accountant too."),
            _has_rows("invitations", "Invitation"),
            _first_url("invitations:list"),
        ),
    ]
