"""Who reads the forum and who moderates it (docs/forum.md, "Who reads").

The owners, members of the partnership or not (ЖК РФ ст. 143.1 gives both the right to the
partnership's information, and the estimate is discussed with them), and the board, which
moderates (ЖК РФ ст. 147-148: the board runs the partnership's affairs). Residents who own
nothing, the accountant and the dispatcher are not let in by their role: they take no part in
the partnership's decisions; a person holding the owner role besides is let in as an owner.
"""

from __future__ import annotations

from core.access.roles import BOARD, MEMBER_ROLES, Role, roles_of

#: Who reads and writes on the forum.
READERS = BOARD | (MEMBER_ROLES - {Role.RESIDENT})
#: Who hides posts and topics, locks and moves topics, keeps the sections.
MODERATORS = BOARD


def reads_forum(user) -> bool:
    return bool(roles_of(user) & READERS)


def moderates(user) -> bool:
    return bool(roles_of(user) & MODERATORS)
