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


# The role sets, each named by what it decides; code everywhere uses these, never a tuple of
# roles of its own (compose them, e.g. ``ACCOUNT_READERS | MEMBER_ROLES``, where a page needs).

#: Who signs in with a second factor: every role that sees other members' data.
SECOND_FACTOR_ROLES = frozenset(
    {Role.CHAIRMAN, Role.BOARD_MEMBER, Role.ACCOUNTANT, Role.DISPATCHER}
)
#: The board (ЖК РФ ст. 147–148): runs the partnership's affairs.
BOARD = frozenset({Role.CHAIRMAN, Role.BOARD_MEMBER})
#: Who keeps the registry (buildings, premises, owners, accounts) and imports into it.
REGISTRY_EDITORS = BOARD
#: Who invites owners and residents to the portal.
INVITERS = BOARD
#: Who reads every personal account and its holder: the registry's keepers and the accountant.
ACCOUNT_READERS = REGISTRY_EDITORS | {Role.ACCOUNTANT}
#: Who takes part as a member of the community and sees their own home (what they own or live in).
MEMBER_ROLES = frozenset({Role.OWNER, Role.RESIDENT})
#: Who runs the dispatch desk (requests and complaints, suppliers, deadlines): the dispatcher and
#: the board (ЖК РФ ст. 148 п. 4: the board hires and oversees those who serve the building).
DISPATCH_DESK = BOARD | {Role.DISPATCHER}
#: Who receives the association's data export that the operators prepare.
EXPORT_RECEIVERS = frozenset({Role.CHAIRMAN})
#: Who keeps the association's staff: grants and takes away staff roles, hands the chair over.
STAFF_KEEPERS = frozenset({Role.CHAIRMAN})
#: The roles given and taken away on the People page; the chair passes only by a hand-over.
STAFF_ROLES = frozenset({Role.BOARD_MEMBER, Role.ACCOUNTANT, Role.DISPATCHER})
#: The roles of whoever signs the association up (in this order), who then sees the first steps.
FOUNDER_ROLES = (Role.CHAIRMAN, Role.BOARD_MEMBER)


def roles_of(user) -> frozenset[str]:
    """The roles a user holds in the current association (none when anonymous)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(getattr(user, "roles", None) or ())


def has_role(user, *roles: str) -> bool:
    """True if the user holds at least one of ``roles``."""
    return bool(roles_of(user) & set(roles))
