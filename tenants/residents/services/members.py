"""The register of members: one person per member, membership periods and their decisions.

* ``link_owners`` / ``unlink_owner``: the board says two owner records are (or are not) the same
  person; the records matched by their identifiers come along (``member_selectors``).
* ``admit_member`` / ``end_membership``: a membership period with its application date, the
  decision admitting the person (a general meeting's or the board's, by the charter: ЖК РФ
  ст. 143 ч. 1; 217-ФЗ ст. 12 ч. 7) and, at the end, the exit's date and decision or reason
  (ЖК РФ ст. 143 ч. 3; 217-ФЗ ст. 13).

The owner records' own flags (``is_member``/``member_since``) follow the person's membership, so
the owner page and the import read the same. Audited with ids only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.member_selectors import group_of
from tenants.residents.models import Membership, Owner, Person


def _person_for(records: list[Owner]) -> Person:
    """The person of ``records`` (made when none is linked yet), linked to every record.

    A group without memberships recorded yet takes them from its records' flags: the earliest
    ``member_since`` of a record flagged a member becomes an open membership.
    """
    persons = {o.person_id for o in records if o.person_id}
    if len(persons) > 1:  # cannot happen through the group's reading; refuse rather than merge
        raise ValidationError(_("These owner records belong to different persons."))
    person = Person.objects.get(pk=persons.pop()) if persons else Person.objects.create()
    Owner.objects.filter(pk__in=[o.pk for o in records]).exclude(person=person).update(
        person=person
    )
    if not person.memberships.exists():
        since = [o.member_since for o in records if o.is_member and o.member_since]
        if since:
            Membership.objects.create(person=person, admitted_on=min(since))
    return person


def _sync_flags(person: Person) -> None:
    open_period = person.memberships.filter(exited_on__isnull=True).first()
    Owner.objects.filter(person=person).update(
        is_member=open_period is not None,
        member_since=open_period.admitted_on if open_period else None,
    )


def _ref(owner: Owner) -> dict:
    return {"owner": str(owner.pk)}


@transaction.atomic
def link_owners(owner: Owner, other: Owner, *, actor) -> Person:
    """The board says ``owner`` and ``other`` are the same person: one member from now on.

    Refused when both already belong to persons with their own membership records (correct
    those first: a person has one history), or when they are the same record.
    """
    if owner.pk == other.pk:
        raise ValidationError(_("Choose another owner record."))
    mine, theirs = group_of(owner), group_of(other)
    if {o.pk for o in mine} & {o.pk for o in theirs}:
        raise ValidationError(_("These owner records are already linked."))
    persons = {o.person_id for o in mine + theirs if o.person_id}
    with_history = set(
        Membership.objects.filter(person_id__in=persons).values_list("person_id", flat=True)
    )
    if len(with_history) > 1:
        raise ValidationError(
            _(
                "Both records already have their own membership history: end or correct one "
                "of them before linking."
            )
        )
    keep = with_history.pop() if with_history else (min(persons, key=str) if persons else None)
    person = Person.objects.get(pk=keep) if keep else Person.objects.create()
    Owner.objects.filter(pk__in=[o.pk for o in mine + theirs]).update(person=person)
    Person.objects.filter(pk__in=persons - {person.pk}, memberships__isnull=True).delete()
    records = list(Owner.objects.filter(person=person))
    _person_for(records)
    _sync_flags(person)
    record(
        "residents.member_linked",
        actor=actor,
        target=person,
        details={**_ref(owner), "other": str(other.pk), "records": len(records)},
    )
    return person


@transaction.atomic
def unlink_owner(owner: Owner, *, actor) -> Person:
    """The board says ``owner`` is not the same person as the records it was linked or matched to.

    It becomes a person of its own (with no membership: admit it if it is a member); the others
    keep their person and membership history.
    """
    records = group_of(owner)
    others = [o for o in records if o.pk != owner.pk]
    if not others:
        raise ValidationError(_("This owner record is not linked to any other."))
    _person_for(others)
    person = Person.objects.create()
    Owner.objects.filter(pk=owner.pk).update(person=person, is_member=False, member_since=None)
    record(
        "residents.member_unlinked",
        actor=actor,
        target=person,
        details={**_ref(owner), "records": len(others)},
    )
    return person


@transaction.atomic
def admit_member(
    owner: Owner,
    *,
    admitted_on: datetime.date,
    applied_on: datetime.date | None = None,
    decision: str = "",
    actor,
) -> Membership:
    """Admit the person ``owner`` belongs to (all their records) from ``admitted_on``.

    Refused when they are already a member (an open membership), when the date is in the future
    or before the application, or before the end of their last membership.
    """
    today = timezone.localdate()
    if admitted_on > today:
        raise ValidationError({"admitted_on": _("The admission cannot be in the future.")})
    if applied_on is not None and applied_on > admitted_on:
        raise ValidationError({"applied_on": _("The application comes before the admission.")})
    person = _person_for(group_of(owner))
    Person.objects.select_for_update().get(pk=person.pk)
    periods = list(person.memberships.order_by("admitted_on"))
    if any(p.exited_on is None for p in periods):
        raise ValidationError(_("This person is already a member."))
    if periods and admitted_on < periods[-1].exited_on:
        raise ValidationError(
            {"admitted_on": _("The admission cannot come before the end of the last membership.")}
        )
    membership = Membership.objects.create(
        person=person,
        applied_on=applied_on,
        admitted_on=admitted_on,
        decision=decision.strip(),
    )
    _sync_flags(person)
    record(
        "residents.member_admitted",
        actor=actor,
        target=membership,
        details={**_ref(owner), "person": str(person.pk)},
    )
    return membership


@transaction.atomic
def end_membership(
    membership: Membership, *, exited_on: datetime.date, decision: str = "", actor
) -> Membership:
    """The membership ends on ``exited_on`` (exit on application, exclusion, or sale).

    Refused when it has already ended, or when the day is not after the admission.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.exited_on is not None:
        raise ValidationError(_("This membership has already ended."))
    if exited_on <= membership.admitted_on:
        raise ValidationError({"exited_on": _("The exit must come after the admission.")})
    if exited_on > timezone.localdate():
        raise ValidationError({"exited_on": _("The exit cannot be in the future.")})
    membership.exited_on = exited_on
    membership.exit_decision = decision.strip()
    membership.save(update_fields=["exited_on", "exit_decision"])
    _sync_flags(membership.person)
    record(
        "residents.member_exited",
        actor=actor,
        target=membership,
        details={"person": str(membership.person_id)},
    )
    return membership


def record_register_export(on: datetime.date, *, actor, file_format: str) -> None:
    """Audit a download of the register of members with contacts (personal data leaves the
    portal: 152-ФЗ ст. 19 asks that such processing be recorded). Ids and the format only.

    Runs in the request's transaction (ATOMIC_REQUESTS): one INSERT, no savepoint of its own."""
    record(
        "residents.register_exported",
        actor=actor,
        details={"on": on.isoformat(), "format": file_format},
    )
