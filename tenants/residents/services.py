"""Writes for the registry: accounts, holders, owners and shares, erasure (152-ФЗ)."""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from core.crypto import keyring
from tenants.residents.models import (
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
)

PERSONAL_FIELDS = ("full_name", "phones", "emails", "documents")
OWNER_PERSONAL_FIELDS = (*PERSONAL_FIELDS, "primary_email")


@transaction.atomic
def open_account(
    *,
    number: str,
    holder: dict,
    started_on: datetime.date,
    premises: Premises | None = None,
    actor=None,
) -> tuple[PersonalAccount, Holding]:
    """A new personal account with its first holding (holder's data under a new key)."""
    if PersonalAccount.objects.filter(number=number).exists():
        raise ValidationError(
            {"number": _("Account number %(number)s is already taken.")}, params={"number": number}
        )
    account = PersonalAccount.objects.create(number=number, premises=premises)
    holding = Holding(account=account, started_on=started_on, **holder)
    holding.save()
    record("residents.account_opened", actor=actor, target=account)
    return account, holding


def current_holding(account: PersonalAccount) -> Holding | None:
    return account.holdings.filter(ended_on__isnull=True).first()


@transaction.atomic
def change_holder(
    account: PersonalAccount, *, holder: dict, on: datetime.date, actor=None
) -> Holding:
    """The premises changed hands: close the current holding and start one with a new key."""
    current = (
        Holding.objects.select_for_update().filter(account=account, ended_on__isnull=True).first()
    )
    if current is not None:
        if on <= current.started_on:
            raise ValidationError(_("The new holder cannot start before the current one."))
        current.ended_on = on
        current.save(update_fields=["ended_on"])
        Ownership.objects.filter(owner__holding=current, ended_on__isnull=True).update(ended_on=on)
    holding = Holding(account=account, started_on=on, **holder)
    holding.save()
    record("residents.holder_changed", actor=actor, target=account)
    return holding


def shares_total(premises: Premises, on: datetime.date | None = None) -> Fraction:
    """Sum of the owners' shares of ``premises`` on a day (today by default), exactly."""
    on = on or timezone.localdate()
    total = Fraction(0)
    ownerships = premises.ownerships.filter(started_on__lte=on).exclude(ended_on__lte=on)
    for numerator, denominator in ownerships.values_list("share_numerator", "share_denominator"):
        total += Fraction(numerator, denominator)
    return total


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
    actor=None,
) -> Owner:
    """Register an owner of a share of ``premises`` in the holding's tenure.

    Refuses a share that would take the premises' total over 1 (the total may stay under 1 while
    the register is incomplete: the board sees a warning).
    """
    share = Fraction(share)
    if not 0 < share <= 1:
        raise ValidationError({"share": _("A share must be more than 0 and at most 1.")})
    Premises.objects.select_for_update().get(pk=premises.pk)  # serialise share changes
    if shares_total(premises, started_on) + share > 1:
        raise ValidationError(
            {"share": _("The shares of this premises would add up to more than 1.")}
        )
    owner = Owner(holding=holding)
    if organisation:
        owner.kind = "org"
        owner.organisation_name = organisation.get("name", "")
        owner.inn = organisation.get("inn", "")
        owner.ogrn = organisation.get("ogrn", "")
    for field, value in (person or {}).items():
        setattr(owner, field, value)
    owner.full_clean(exclude=["holding", "user", *OWNER_PERSONAL_FIELDS])
    owner.save()
    Ownership.objects.create(
        premises=premises,
        owner=owner,
        share_numerator=share.numerator,
        share_denominator=share.denominator,
        started_on=started_on,
        **(document or {}),
    )
    record("residents.owner_added", actor=actor, target=premises)
    return owner


@transaction.atomic
def erase_holder(holding: Holding, *, actor=None) -> None:
    """Erase a former holding's personal data (152-ФЗ) by destroying its key (crypto-shredding).

    The holder's and co-owners' ciphertext becomes unreadable everywhere, database backups
    included; the columns are cleared too. Account numbers, shares, dates and amounts stay, as
    the law requires keeping them. The current holding cannot be erased: change the holder first.
    """
    if holding.ended_on is None:
        raise ValidationError(_("Only a former holder's data can be erased."))
    Holding.objects.filter(pk=holding.pk).update(
        erased_at=timezone.now(), **dict.fromkeys(PERSONAL_FIELDS)
    )
    Owner.objects.filter(holding=holding).update(
        email_index=None, **dict.fromkeys(OWNER_PERSONAL_FIELDS)
    )
    record("residents.holder_erased", actor=actor, target=holding)
    # The key goes once the erasure is committed: a rolled-back erasure leaves the holder intact
    # rather than unreadable-but-not-marked. Its data key rows go with it.
    key_name = holding.encryption_key_name()
    transaction.on_commit(lambda: keyring.destroy_owner_key(key_name))
