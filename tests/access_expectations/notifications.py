"""Expectations of the notification URLs: the person's own pages, the board's deliveries, and
the one-click unsubscribe link that works without signing in."""

from __future__ import annotations

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    OK,
    TENANT_ACTORS,
    TENANT_URLCONF,
    everyone,
    signed_in,
)

BOARD = {Role.CHAIRMAN.value, Role.BOARD_MEMBER.value}


def board_only(answer):
    result = {actor: (answer if actor in BOARD else FORBIDDEN) for actor in TENANT_ACTORS}
    result["anonymous"] = result["other_association"] = LOGIN
    return result


def unsubscribe_kwargs(association) -> dict:
    """A link of someone else (the page names no one and only offers the button)."""
    from tenants.notifications import tokens
    from tenants.notifications.declaration import ANNOUNCEMENT
    from tests.factories import UserFactory

    return {"token": tokens.make_token(UserFactory().pk, ANNOUNCEMENT)}


EXPECTATIONS: dict[tuple[str, str], tuple[object, dict]] = {
    (TENANT_URLCONF, "notifications:inbox"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "notifications:preferences"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "notifications:deliveries"): ({}, board_only(OK)),
    (TENANT_URLCONF, "notifications:unsubscribe"): (unsubscribe_kwargs, everyone(OK)),
}


#: The unsubscribe link of beta's member on alpha's host: a page saying it is not valid here,
#: nothing changed (the matrix checks nothing is written).
FOREIGN_IDS = {(TENANT_URLCONF, "notifications:unsubscribe"): {OK}}
