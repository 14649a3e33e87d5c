"""What the documents are sorted by, who may read them, and what ЖК РФ ст. 143.1 requires.

Kept as data: the sections a document is filed in, the reader groups, and the list of
ЖК РФ ст. 143.1 ч. 3 (the documents members and non-member owners of a ТСЖ may read) with the
sections each item is made of. The disclosure page (``selectors.disclosure``) is built from this
table, so it is always complete: an item without a published document is shown as missing.

ЖК РФ ст. 143.1 ч. 3 (in force since 2011, wording unchanged by later amendments as far as
checked; see docs/documents.md): members of the partnership and owners who are not members
have the right to read

1) the charter, amendments to it, the certificate of state registration;
2) the register of members;
3) the accounting (financial) statements, the estimates of income and expenses for the year,
   the reports on their execution, auditors' conclusions (where audits were held);
4) the conclusions of the audit commission (auditor);
5) the documents confirming the partnership's rights to the property on its balance sheet;
6) the minutes of the general meetings of members, of the board's meetings and of the audit
   commission;
7) the documents confirming the results of voting at general meetings: ballots, proxies or
   their copies, and owners' written decisions in absentee owners' meetings;
8) the technical documentation of the building and other documents of its management;
9) other internal documents the Code, the charter and the general meeting's decisions provide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD, Role, roles_of


class Section(models.TextChoices):
    """Where a document is filed (the documents page groups by these, in this order)."""

    CHARTER = "charter", _("Charter and its amendments")
    REGISTRATION = "registration", _("State registration")
    ANNUAL_REPORT = "annual_report", _("Annual reports")
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly reports")
    ACCOUNTS = "accounts", _("Accounting (financial) statements")
    ESTIMATE = "estimate", _("Estimates of income and expenses")
    ESTIMATE_REPORT = "estimate_report", _("Reports on the estimates' execution")
    AUDITOR = "auditor", _("Auditors' conclusions")
    AUDIT_COMMISSION = "audit_commission", _("Conclusions of the audit commission")
    PLAN = "plan", _("Plans")
    GENERAL_MEETING = "general_meeting", _("Minutes of general meetings")
    BOARD_MEETING = "board_meeting", _("Minutes of the board's meetings")
    AUDIT_MEETING = "audit_meeting", _("Minutes of the audit commission's meetings")
    VOTING = "voting", _("Ballots, proxies and written decisions")
    PROPERTY = "property", _("Rights to the partnership's property")
    CONTRACT = "contract", _("Contracts")
    TECHNICAL = "technical", _("Technical documentation of the building")
    INTERNAL = "internal", _("Other internal documents")


class ReaderGroup(models.TextChoices):
    """Who may read a document, from the narrowest group to the widest.

    Each group includes the narrower ones: the board reads everything; a member of the
    partnership reads what members, all owners and everyone may read; an owner who is not a
    member reads what all owners and everyone may read; a resident (and the accountant and the
    dispatcher) what everyone may read.
    """

    BOARD = "board", _("The board")
    MEMBERS = "members", _("Members of the partnership")
    OWNERS = "owners", _("All owners (members or not)")
    EVERYONE = "everyone", _("Everyone: owners and residents")


#: Narrowest first: a reader of a group reads every group after it in this list.
GROUP_ORDER = (ReaderGroup.BOARD, ReaderGroup.MEMBERS, ReaderGroup.OWNERS, ReaderGroup.EVERYONE)


def groups_from(widest_held: ReaderGroup | None) -> frozenset[str]:
    """The groups read by someone whose narrowest group is ``widest_held``."""
    if widest_held is None:
        return frozenset()
    return frozenset(GROUP_ORDER[GROUP_ORDER.index(widest_held) :])


def groups_by_roles(user, *, is_member: bool) -> frozenset[str]:
    """The reader groups ``user`` belongs to (``is_member``: a member of the partnership today,
    as the registry says)."""
    roles = roles_of(user)
    if not roles:
        return frozenset()
    if roles & BOARD:
        return groups_from(ReaderGroup.BOARD)
    if Role.OWNER in roles and is_member:
        return groups_from(ReaderGroup.MEMBERS)
    if Role.OWNER in roles:
        return groups_from(ReaderGroup.OWNERS)
    return groups_from(ReaderGroup.EVERYONE)


#: The groups that include every owner, member or not: a document for the ст. 143.1 list must be
#: published to one of them, or non-member owners cannot read it.
OWNERS_READ = groups_from(ReaderGroup.OWNERS)


@dataclass(frozen=True)
class Part:
    """One kind of document an item of the list is made of."""

    section: Section
    #: Missing is shown to the board when nothing is published; an optional part (amendments,
    #: auditors' conclusions where no audit was held) is only listed.
    required: bool = True


@dataclass(frozen=True)
class DisclosureItem:
    """One item of ЖК РФ ст. 143.1 ч. 3."""

    number: int
    title: str
    parts: tuple[Part, ...] = ()
    #: Produced by the portal rather than uploaded (the register of members).
    generated: str = ""


DISCLOSURE = (
    DisclosureItem(
        1,
        _("The charter, the amendments to it, the certificate of state registration"),
        (Part(Section.CHARTER), Part(Section.REGISTRATION)),
    ),
    DisclosureItem(2, _("The register of members of the partnership"), generated="register"),
    DisclosureItem(
        3,
        _(
            "The accounting (financial) statements, the estimates of income and expenses for "
            "the year, the reports on their execution, auditors' conclusions (where audits "
            "were held)"
        ),
        (
            Part(Section.ACCOUNTS),
            Part(Section.ESTIMATE),
            Part(Section.ESTIMATE_REPORT),
            Part(Section.AUDITOR, required=False),
        ),
    ),
    DisclosureItem(
        4,
        _("The conclusions of the audit commission (auditor) of the partnership"),
        (Part(Section.AUDIT_COMMISSION),),
    ),
    DisclosureItem(
        5,
        _("The documents confirming the partnership's rights to the property on its balance"),
        (Part(Section.PROPERTY, required=False),),
    ),
    DisclosureItem(
        6,
        _(
            "The minutes of the general meetings of members, of the board's meetings and of "
            "the audit commission"
        ),
        (
            Part(Section.GENERAL_MEETING),
            Part(Section.BOARD_MEETING),
            Part(Section.AUDIT_MEETING, required=False),
        ),
    ),
    DisclosureItem(
        7,
        _(
            "The documents confirming the results of voting at general meetings: ballots, "
            "proxies, owners' written decisions"
        ),
        (Part(Section.VOTING, required=False),),
    ),
    DisclosureItem(
        8,
        _("The technical documentation of the building and other documents of its management"),
        (Part(Section.TECHNICAL),),
    ),
    DisclosureItem(
        9,
        _(
            "Other internal documents provided by the Housing Code, the charter and the "
            "decisions of the general meeting"
        ),
        (Part(Section.INTERNAL, required=False),),
    ),
)
