"""Meetings for tests, made through the services. Call inside a tenant schema (``in_alpha``).

Times are passed to the services explicitly (``now=``): a meeting is set up on ``T0``, its
notice goes out then, voting runs from ``START`` to ``END``.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from tenants.voting import selectors, services
from tenants.voting.models import Meeting
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold
from tests.tenants.residents.factories import make_owner, make_premises

MOSCOW = ZoneInfo("Europe/Moscow")
T0 = datetime.datetime(2026, 1, 12, 10, 0, tzinfo=MOSCOW)
START = T0 + datetime.timedelta(days=15)
END = START + datetime.timedelta(days=10)
DURING = START + datetime.timedelta(hours=1)
AFTER = END + datetime.timedelta(hours=1)
MEMBER_SINCE = datetime.date(2020, 1, 1)


def use_kind(monkeypatch, kind: str) -> None:
    """Make the voting see this association as a partnership of ``kind``."""
    monkeypatch.setattr(selectors, "association_kind", lambda: kind)


def draft(
    *,
    actor=None,
    kind=MeetingKind.OWNERS,
    form=MeetingForm.ABSENTEE,
    questions=(("Утвердить смету на 2026 год", Threshold.MAJORITY_PRESENT),),
    building=None,
    online_basis="",
    starts_at=START,
    ends_at=END,
    now=T0,
) -> Meeting:
    meeting = services.create_meeting(
        actor=actor,
        kind=kind,
        form=form,
        title="Годовое собрание",
        starts_at=starts_at,
        ends_at=ends_at,
        building=building,
        place="Двор дома 1" if form in (MeetingForm.IN_PERSON, MeetingForm.MIXED) else "",
        online_basis=online_basis,
        now=now,
    )
    for question in questions:
        text, threshold, *rest = question
        services.add_question(
            meeting,
            actor=actor,
            text=text,
            threshold=threshold,
            gardeners_vote=bool(rest and rest[0]),
        )
    return meeting


def voting(**kwargs) -> Meeting:
    """A meeting whose notice went out at ``T0`` and whose voting is open (register frozen)."""
    actor = kwargs.get("actor")
    meeting = draft(**kwargs)
    services.publish_notice(meeting, actor=actor, now=T0)
    return services.open_voting(meeting, actor=actor, now=START)


def owned(building, area: str, *shares, members=False, emails=None, users=None, number=None):
    """A premises of ``area`` owned in ``shares`` (1 by default); returns (premises, owners)."""
    premises = make_premises(building, area=area, number=number)
    owners = []
    for index, share in enumerate(shares or (1,)):
        owners.append(
            make_owner(
                premises,
                share=share,
                email=(emails or {}).get(index),
                user=(users or {}).get(index),
                membership={"is_member": True, "member_since": MEMBER_SINCE} if members else None,
            )
        )
    return premises, owners


def line_of(meeting: Meeting, owner):
    """The register line an owner record votes on (the first one naming it)."""
    return next(v for v in meeting.voters.order_by("position") if owner.pk in v.owner_ids)


def live(**kwargs) -> Meeting:
    """A meeting voting *now* (real time), for pages and the API: set up and announced as the
    law asks, then its dates moved so that the voting is under way."""
    from django.utils import timezone

    from tenants.voting.models import MeetingStatus

    now = timezone.now()
    kwargs.setdefault("starts_at", now + datetime.timedelta(days=15))
    kwargs.setdefault("ends_at", now + datetime.timedelta(days=25))
    meeting = draft(now=now, **kwargs)
    services.publish_notice(meeting, actor=kwargs.get("actor"), now=now)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=9),
        status=MeetingStatus.NOTICE,
    )
    meeting.refresh_from_db()
    return services.open_voting(meeting, actor=kwargs.get("actor"), now=now)


def end_now(meeting: Meeting) -> Meeting:
    """Move the meeting's end into the past (so that it may close)."""
    from django.utils import timezone

    Meeting.objects.filter(pk=meeting.pk).update(
        ends_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    meeting.refresh_from_db()
    return meeting


def access_meeting() -> Meeting:
    """A voting owners' meeting of one owned premises (the access matrix's object)."""
    premises = make_premises()
    make_owner(premises)
    return live(building=premises.building, questions=(("Вопрос", "majority_present"),))


def remove_committed_building(building, users=(), audit_before=frozenset()) -> None:
    """Delete what a committing test made in ``building``: its premises with their registry
    rows, the building, the users and the audit entries not in ``audit_before``."""
    from django.db import connection

    from tenants.residents.models import (
        Building,
        Holding,
        Owner,
        Ownership,
        PersonalAccount,
        Premises,
    )

    premises = Premises.objects.filter(building=building)
    Ownership.objects.filter(premises__in=premises).delete()
    holdings = Holding.objects.filter(account__premises__in=premises)
    Owner.objects.filter(holding__in=holdings).delete()
    holdings.delete()
    PersonalAccount.objects.filter(premises__in=premises).delete()
    premises.delete()
    Building.objects.filter(pk=building.pk).delete()
    for user in users:
        type(user).objects.filter(pk=user.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM audit_auditentry")
        made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
        if made:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
