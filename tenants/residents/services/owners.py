"""The owners' register: owners, their exact shares (within 1) and title documents."""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.models import (
    Holding,
    Owner,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
    joint_total,
)
from tenants.residents.services.common import (
    DOCUMENT_FIELDS,
    OWNER_INDEXES,
    OWNER_PERSONAL_FIELDS,
    _assign,
    _premises_ref,
)
from tenants.residents.shares import out_of_range


def _parts(premises: Premises, on: datetime.date, exclude: Ownership | None = None) -> list:
    """``(share, joint)`` of the owners of ``premises`` on a day."""
    ownerships = premises.ownerships.filter(started_on__lte=on).exclude(ended_on__lte=on)
    if exclude is not None:
        ownerships = ownerships.exclude(pk=exclude.pk)
    return [
        (Fraction(numerator, denominator), joint)
        for numerator, denominator, joint in ownerships.values_list(
            "share_numerator", "share_denominator", "joint"
        )
    ]


def shares_total(
    premises: Premises, on: datetime.date | None = None, *, exclude: Ownership | None = None
) -> Fraction:
    """Sum of the owners' shares of ``premises`` on a day (today by default), exactly; the
    part joint owners hold together counts once (``joint_total``)."""
    return joint_total(_parts(premises, on or timezone.localdate(), exclude))


def _joint_parts(premises: Premises, on: datetime.date, exclude=None) -> set:
    return {share for share, joint in _parts(premises, on, exclude) if joint}


def _check_joint(premises, share, started_on, exclude=None) -> None:
    """Joint owners hold one part together: a new joint owner's row carries the same part."""
    parts = _joint_parts(premises, started_on, exclude)
    if parts and parts != {Fraction(share)}:
        raise ValidationError(
            {
                "share": _(
                    "Joint owners hold one part of the premises together: give the same share "
                    "as the other joint owners (%(share)s)."
                )
                % {"share": ", ".join(str(p) for p in sorted(parts))}
            }
        )


def _overflow_message() -> str:
    return _("The shares of this premises would add up to more than 1.")


def _check_share(share: Fraction) -> Fraction:
    share = Fraction(share)
    if not 0 < share <= 1:
        raise ValidationError({"share": out_of_range()})
    return share


def clean_owner(owner: Owner, **options) -> None:
    """The rules of one owner's register fields (ИНН, ОГРН, membership...); ``bulk`` too."""
    owner.full_clean(exclude=["holding", "user", *OWNER_PERSONAL_FIELDS, *OWNER_INDEXES], **options)


def _check_no_overflow(
    premises: Premises,
    share: Fraction,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    exclude: Ownership | None = None,
    *,
    joint: bool = False,
) -> None:
    """The shares of ``premises`` stay within 1 on the share's first day and, if it is in the
    share's period, today (an old share added later must fit beside today's owners too)."""
    today = timezone.localdate()
    days = {started_on}
    if started_on <= today and (ended_on is None or today < ended_on):
        days.add(today)
    for day in days:
        if joint_total([*_parts(premises, day, exclude), (Fraction(share), joint)]) > 1:
            raise ValidationError({"share": _overflow_message()})


def _apply_person(owner: Owner, person: dict) -> None:
    """Personal data of a person owner; the first phone and email are also indexed."""
    for field, value in person.items():
        if field not in (*OWNER_PERSONAL_FIELDS,):
            raise TypeError(f"{field} is not an owner's personal field")
        setattr(owner, field, value)
    if "primary_email" in person and "emails" not in person:
        owner.emails = [person["primary_email"]] if person["primary_email"] else []
    if "primary_phone" in person and "phones" not in person:
        owner.phones = [person["primary_phone"]] if person["primary_phone"] else []


@transaction.atomic
def add_owner(
    holding: Holding,
    *,
    premises: Premises,
    share: Fraction,
    started_on: datetime.date,
    person: dict | None = None,
    organisation: dict | None = None,
    document: dict | None = None,
    membership: dict | None = None,
    user=None,
    actor=None,
    joint: bool = False,
) -> Owner:
    """Register an owner of a share of ``premises`` in the holding's tenure.

    ``joint``: owned jointly without shares with the premises' other joint owners (ГК РФ
    ст. 253); their rows carry the one part they hold together, counted once in the total.

    Refuses a share that would take the premises' total over 1 (the total may stay under 1 while
    the register is incomplete: the board sees a warning). The premises row is locked, so two
    owners added at once cannot both squeeze into the last share.
    """
    share = _check_share(share)
    Premises.objects.select_for_update().get(pk=premises.pk)  # serialise share changes
    # Read again under the lock: a change of holder that committed meanwhile has ended it.
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    if holding.erased_at is not None:
        raise ValidationError(_("This holder's personal data has already been erased."))
    if holding.ended_on is not None:
        raise ValidationError(
            _(
                "This holder's tenure has ended: the account has a new holder. "
                "Reload the page and add the owner to the current holder."
            )
        )
    if joint:
        _check_joint(premises, share, started_on)
    _check_no_overflow(premises, share, started_on, None, joint=joint)
    owner = Owner(holding=holding, user=user)
    if organisation:
        owner.kind = OwnerKind.ORGANISATION
        owner.organisation_name = organisation.get("name", "")
        owner.inn = organisation.get("inn", "")
        owner.ogrn = organisation.get("ogrn", "")
    _apply_person(owner, person or {})
    for field, value in (membership or {}).items():
        if field not in ("is_member", "member_since"):
            raise TypeError(f"{field} is not a membership field")
        setattr(owner, field, value)
    clean_owner(owner)
    owner.save()
    if not holding.full_name:
        # An account opened without a holder: its first owner becomes the holder (the payer).
        holding.full_name = owner.display_name
        holding.phones = owner.phones or None
        holding.emails = owner.emails or None
        holding.save(update_fields=["full_name", "phones", "emails"])
    ownership = Ownership.objects.create(
        premises=premises,
        owner=owner,
        share_numerator=share.numerator,
        share_denominator=share.denominator,
        started_on=started_on,
        joint=joint,
        **(document or {}),
    )
    record(
        "residents.owner_added",
        actor=actor,
        target=premises,
        details={
            **_premises_ref(premises.pk),
            "owner": str(owner.pk),
            "ownership": str(ownership.pk),
        },
    )
    return owner


def _owner_premises_id(owner: Owner):
    return (
        PersonalAccount.objects.filter(holdings__pk=owner.holding_id)
        .values_list("premises_id", flat=True)
        .first()
    )


@transaction.atomic
def update_owner(
    owner: Owner,
    *,
    person: dict | None = None,
    organisation: dict | None = None,
    membership: dict | None = None,
    actor=None,
) -> Owner:
    """Correct an owner's data and membership; the history names the changed fields only.

    Membership (member or not, since when) is recorded as its own kind of change, as the
    members' register is separate from the owners' register (ЖК РФ ст. 143 ч. 4).
    """
    owner = Owner.objects.select_for_update().get(pk=owner.pk)
    if owner.holding.erased_at is not None:
        raise ValidationError(_("This owner's personal data was erased; it cannot be edited."))
    changed: list[str] = []
    for field, value in (person or {}).items():
        if getattr(owner, field) != value:
            changed.append(field)
    _apply_person(owner, {k: v for k, v in (person or {}).items() if k in changed})
    if organisation:
        changed += _assign(
            owner,
            {
                "organisation_name": organisation.get("name", owner.organisation_name),
                "inn": organisation.get("inn", owner.inn),
                "ogrn": organisation.get("ogrn", owner.ogrn),
            },
            {"organisation_name", "inn", "ogrn"},
        )
    membership_changed = _assign(owner, membership or {}, {"is_member", "member_since"})
    if owner.is_member and owner.member_since is None:
        raise ValidationError({"member_since": _("Enter the date the membership began.")})
    if not owner.is_member and owner.member_since is not None:
        owner.member_since = None
        if "member_since" not in membership_changed:
            membership_changed.append("member_since")
    if not (changed or membership_changed):
        return owner
    clean_owner(owner)
    owner.save()
    premises_ref = _premises_ref(_owner_premises_id(owner))
    if changed:
        record(
            "residents.owner_changed",
            actor=actor,
            target=owner,
            details={**premises_ref, "fields": sorted(set(changed))},
        )
    if membership_changed:
        record(
            "residents.membership_changed",
            actor=actor,
            target=owner,
            details={**premises_ref, "member": owner.is_member},
        )
    return owner


@transaction.atomic
def update_ownership(
    ownership: Ownership,
    *,
    share: Fraction | None = None,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    document: dict | None = None,
    actor=None,
    joint: bool | None = None,
) -> Ownership:
    """Correct a share, its period, its title document or whether it is held jointly (the
    register keeps the history).

    The premises row is locked and the shares of every other owner on the day are summed, so a
    correction cannot take the total over 1.
    """
    Premises.objects.select_for_update().get(pk=ownership.premises_id)
    ownership = Ownership.objects.select_for_update().get(pk=ownership.pk)
    changed: list[str] = []
    if share is not None:
        share = _check_share(share)
        if share != ownership.share:
            ownership.share_numerator, ownership.share_denominator = (
                share.numerator,
                share.denominator,
            )
            changed.append("share")
    if started_on is not None and started_on != ownership.started_on:
        ownership.started_on = started_on
        changed.append("started_on")
    if ended_on != ownership.ended_on:
        ownership.ended_on = ended_on
        changed.append("ended_on")
    if joint is not None and joint != ownership.joint:
        ownership.joint = joint
        changed.append("joint")
    if ownership.ended_on is not None and ownership.ended_on <= ownership.started_on:
        raise ValidationError({"ended_on": _("The end must come after the start.")})
    changed += _assign(ownership, document or {}, set(DOCUMENT_FIELDS))
    if not changed:
        return ownership
    if ownership.joint:
        _check_joint(ownership.premises, ownership.share, ownership.started_on, exclude=ownership)
    _check_no_overflow(
        ownership.premises,
        ownership.share,
        ownership.started_on,
        ownership.ended_on,
        exclude=ownership,
        joint=ownership.joint,
    )
    ownership.save()
    record(
        "residents.ownership_changed",
        actor=actor,
        target=ownership,
        details={**_premises_ref(ownership.premises_id), "fields": changed},
    )
    return ownership
