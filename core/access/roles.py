"""Roles inside an association. A person may hold several.

One way to check them everywhere: ``has_role`` in Python, ``role_required`` on views,
``HasRole`` in the API, and ``roles`` (a set) in every template's context.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    RESIDENT = "resident", _("Resident")
    BOARD_MEMBER = "board_member", _("Board member")
    CHAIRMAN = "chairman", _("Chairman")
    ACCOUNTANT = "accountant", _("Accountant")
    DISPATCHER = "dispatcher", _("Dispatcher")


#: Roles that run the association (see the registry, sign in with a second factor later on).
BOARD_ROLES = frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER, Role.ACCOUNTANT})
#: Roles that take part as members of the community.
MEMBER_ROLES = frozenset({Role.OWNER, Role.RESIDENT})


def roles_of(user) -> frozenset[str]:
    """The roles a user holds in the current association (none when anonymous)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(getattr(user, "roles", None) or ())


def has_role(user, *roles: str) -> bool:
    """True if the user holds at least one of ``roles``."""
    return bool(roles_of(user) & set(roles))
