"""What the budget tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES
from core.extensions import (
    AgendaMaterial,
    AppDeclaration,
    DashboardSection,
    DiscussionTarget,
    Erasure,
    NotificationKind,
)

PUBLISHED = "budget.published"
APPROVED = "budget.approved"


def _agenda(name: str):
    """A function of ``tenants.budget.agenda``, imported when first called (the declaration is
    read before the app's models are)."""

    def call(*args):
        from tenants.budget import agenda

        return getattr(agenda, name)(*args)

    return call


def seed_demo() -> str:
    from tenants.budget.demo import seed_demo as seed

    return seed()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "budget",
            _("Estimate"),
            _("The year's estimate of expenditure, the contributions it sets and how it is spent."),
            MEMBER_ROLES | ACCOUNT_READERS,
            url_name="budget:index",
            order=45,
        ),
    ),
    audit_labels={
        "budget.estimate_created": _("Estimate created"),
        "budget.bases_refreshed": _("Estimate's registry totals refreshed"),
        "budget.line_added": _("Estimate line added"),
        "budget.line_changed": _("Estimate line changed"),
        "budget.line_deleted": _("Estimate line deleted"),
        "budget.published": _("Estimate published for discussion"),
        "budget.revised": _("Estimate revised"),
        "budget.put_to_meeting": _("Estimate put to a meeting"),
        "budget.put_to_vote": _("Estimate put on a meeting's agenda"),
        "budget.report_published": _("Estimate's execution report published"),
        "budget.decision_recorded": _("Meeting's decision on the estimate recorded"),
        "budget.rates_applied": _("Estimate's rates set as tariffs"),
        "budget.expenditure_posted": _("Expenditure posted"),
        "budget.expenditure_cancelled": _("Expenditure cancelled"),
    },
    erasure=Erasure(
        destroys="nothing of a member: the budget keeps no personal data",
        keeps="estimates, versions, decisions and expenditures (the association's accounts, "
        "ЖК РФ ст. 143.1, kept as accounting records); the meeting's protocol files are kept "
        "by the file store",
    ),
    notification_kinds=(
        NotificationKind(
            PUBLISHED,
            _("Estimate for discussion"),
            _("When the board publishes the estimate or a revised version for discussion."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            APPROVED,
            _("Estimate approved"),
            _("When the general meeting approves the estimate and the contributions it sets."),
            roles=MEMBER_ROLES,
        ),
    ),
    discussions=(
        DiscussionTarget(
            "budget.estimate",
            _("Estimate"),
            resolve=_agenda("resolve_estimate"),
            can_read=_agenda("can_read_estimate"),
            url=_agenda("estimate_url"),
            title=_agenda("estimate_title"),
            roles=MEMBER_ROLES | ACCOUNT_READERS,
        ),
        DiscussionTarget(
            "budget.line",
            _("Estimate line"),
            resolve=_agenda("resolve_line"),
            can_read=_agenda("can_read_line"),
            url=_agenda("line_url"),
            title=_agenda("line_title"),
            roles=MEMBER_ROLES | ACCOUNT_READERS,
        ),
    ),
    agenda_materials=(
        AgendaMaterial(
            "budget.estimate",
            _("Estimate"),
            resolve=_agenda("resolve_version"),
            describe=_agenda("describe_version"),
            can_read=_agenda("can_read_version"),
            accepts=_agenda("accepts_version"),
            decided=_agenda("outcome"),
        ),
    ),
    demo=seed_demo,
)
