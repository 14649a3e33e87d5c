"""What the voting tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD, MEMBER_ROLES
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    NotificationKind,
    PeriodicJob,
    TenantCount,
)


def seed_demo() -> str:
    from tenants.voting.demo import seed_demo as seed

    return seed()


def _count_meetings() -> int:
    from tenants.voting.models import Meeting

    return Meeting.objects.count()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "voting",
            _("Meetings and votes"),
            _("Notices of meetings, the agenda, your decisions and the results."),
            MEMBER_ROLES | BOARD,
            url_name="voting:index",
            order=50,
        ),
    ),
    audit_labels={
        "voting.meeting_created": _("Meeting set up"),
        "voting.meeting_changed": _("Meeting changed"),
        "voting.question_added": _("Question put on the agenda"),
        "voting.outcome_offered": _("Question's outcome handed to the app of its material"),
        "voting.question_changed": _("Agenda question changed"),
        "voting.question_removed": _("Question taken off the agenda"),
        "voting.notice_published": _("Notice of the meeting published"),
        "voting.voting_opened": _("Voting started, register frozen"),
        "voting.meeting_closed": _("Voting closed"),
        "voting.decision_recorded": _("Decision recorded"),
        "voting.register_updated": _("Register updated after a change of ownership"),
        "voting.proxy_submitted": _("Power of attorney submitted"),
        "voting.proxy_decided": _("Power of attorney decided"),
        "voting.demand_created": _("Demand for a meeting started"),
        "voting.demand_signed": _("Demand for a meeting signed"),
        "voting.demand_met": _("Demand for a meeting has enough signatures"),
        "voting.demand_convened": _("Meeting called on a demand"),
        "voting.joint_resolved": _("Joint owners' conflict resolved"),
        "voting.representation_submitted": _("Organisation's representative document submitted"),
        "voting.results_published": _("Protocol and results published"),
        "voting.demand_threshold_set": _("Charter's threshold for demands recorded"),
        "voting.poll_created": _("Quick poll opened"),
        "voting.poll_answered": _("Quick poll answered"),
        "voting.poll_closed": _("Quick poll closed"),
    },
    notification_kinds=(
        NotificationKind(
            "voting.notice",
            _("Notice of a meeting"),
            _("When a meeting you vote at is called: its agenda, form and dates."),
            can_opt_out=False,
            roles=MEMBER_ROLES | BOARD,
        ),
        NotificationKind(
            "voting.demand",
            _("Demands for a meeting"),
            _("When owners' (members') demand for an extraordinary meeting has enough signatures."),
            can_opt_out=False,
            roles=BOARD,
        ),
        NotificationKind(
            "voting.poll",
            _("Quick polls"),
            _("When the board asks members' opinion in a quick poll."),
            roles=MEMBER_ROLES,
        ),
    ),
    periodic_jobs=(PeriodicJob("voting-advance", "tenants.voting.tasks.advance_meetings", 300.0),),
    erasure=Erasure(
        destroys="the agenda a holder proposed in a demand for a meeting (encrypted under their "
        "holding's key, shredded with it); nothing else of its own: the register of a meeting "
        "and its decisions hold ids, premises, areas, shares and choices, no names (names are "
        "read from the registry under the holders' keys and are shredded with them)",
        keeps="meetings, registers, decisions and their hash chain, scans of signed decisions and "
        "powers of attorney: records of the meeting the law keeps with its protocol (ЖК РФ "
        "ст. 46 ч. 1, ст. 48; Приказ Минстроя № 266/пр; 152-ФЗ ст. 6 ч. 1 п. 2)",
    ),
    counts=(TenantCount("meetings", _("Meetings"), _count_meetings),),
    demo=seed_demo,
)
