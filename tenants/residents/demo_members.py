"""The demo's register of members: the demo owner counted once for her flat and parking place.

Run by the residents' declaration (``demo``) after the portal has made the demo registry: the
demo owner's two owner records (half of flat 15 and parking place М2 of «Дом 1», matched by her
email) become one person with an application, an admission by a general meeting's decision, and
her registered family (she left the partnership in 2018 and came back in 2019). Once: nothing
is done when the flat has registered residents already.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from tenants.residents.models import Owner, Premises, PremisesKind, RegisteredResident


def seed_members() -> str:
    flat = Premises.objects.filter(
        building__name="Дом 1", kind=PremisesKind.FLAT, number="15"
    ).first()
    if flat is None or RegisteredResident.objects.filter(premises=flat).exists():
        return ""
    from tenants.residents.member_selectors import group_of
    from tenants.residents.services import members, residency

    with transaction.atomic():
        anna = Owner.objects.filter(ownerships__premises=flat, user__isnull=False).first()
        if anna is not None:
            # The seed's flags give way to the dated history below.
            records = [o.pk for o in group_of(anna)]
            Owner.objects.filter(pk__in=records).update(is_member=False, member_since=None)
            first = members.admit_member(
                anna,
                applied_on=datetime.date(2015, 2, 20),
                admitted_on=datetime.date(2015, 3, 14),
                decision="Протокол общего собрания членов ТСЖ № 2 от 14.03.2015",
                actor=None,
            )
            members.end_membership(
                first,
                exited_on=datetime.date(2018, 5, 31),
                decision="Заявление о выходе от 17.05.2018",
                actor=None,
            )
            members.admit_member(
                anna,
                applied_on=datetime.date(2019, 9, 2),
                admitted_on=datetime.date(2019, 9, 28),
                decision="Протокол общего собрания членов ТСЖ № 5 от 28.09.2019",
                actor=None,
            )
        for name, since in (
            ("Смирнова Анна Владимировна", datetime.date(2012, 4, 3)),
            ("Смирнов Дмитрий Олегович", datetime.date(2012, 4, 3)),
            ("Смирнова Мария Дмитриевна", datetime.date(2014, 7, 21)),
        ):
            residency.register_resident(flat, full_name=name, started_on=since, actor=None)
    return "Register of members: the demo owner is one member for flat 15 and parking place М2."
