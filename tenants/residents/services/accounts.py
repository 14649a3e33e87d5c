"""Personal accounts and their holders: opened, renumbered, handed to a new holder."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from tenants.residents.models import (
    Holding,
    Ownership,
    PersonalAccount,
    Premises,
    Residency,
)
from tenants.residents.services.common import (
    _live_ownerships,
    _premises_ref,
    _save_unique,
)


def _check_account_number(number: str, *, field: str = "number", exclude=None) -> None:
    taken = PersonalAccount.objects.filter(number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            {field: _("Account number %(number)s is already taken.") % {"number": number}}
        )


@transaction.atomic
def open_account(
    *,
    number: str,
    holder: dict,
    started_on: datetime.date,
    premises: Premises | None = None,
    actor=None,
) -> tuple[PersonalAccount, Holding]:
    """A new personal account with its first holding (holder's data under a new key).

    The number is unique in the association; a concurrent twin loses on the unique constraint
    and gets the same message as a sequential one.
    """
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("Enter the account number.")})
    _check_account_number(number)
    account = PersonalAccount(number=number, premises=premises)
    _save_unique(
        account, "number", _("Account number %(number)s is already taken.") % {"number": number}
    )
    holding = Holding(account=account, started_on=started_on, **holder)
    holding.save()
    record(
        "residents.account_opened",
        actor=actor,
        target=account,
        details={**_premises_ref(account.premises_id), "holding": str(holding.pk)},
    )
    return account, holding


@transaction.atomic
def renumber_account(account: PersonalAccount, *, number: str, actor=None) -> PersonalAccount:
    account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("Enter the account number.")})
    if number != account.number:
        _check_account_number(number, exclude=account)
        account.number = number
        _save_unique(
            account,
            "number",
            _("Account number %(number)s is already taken.") % {"number": number},
            update_fields=["number"],
        )
        record(
            "residents.account_renumbered",
            actor=actor,
            target=account,
            details={**_premises_ref(account.premises_id), "fields": ["number"]},
        )
    return account


def current_holding(account: PersonalAccount) -> Holding | None:
    return account.holdings.filter(ended_on__isnull=True).first()


def _future_change_message() -> str:
    return _(
        "A change of holder cannot be dated in the future: record it on the day the premises "
        "change hands, or later."
    )


@transaction.atomic
def change_holder(
    account: PersonalAccount,
    *,
    holder: dict,
    on: datetime.date,
    keep_residents: bool = False,
    actor=None,
) -> Holding:
    """The premises changed hands: close the current holding and start one with a new key.

    The owners of the closed holding stop owning on ``on`` (their ownerships end, and stay in
    the register as history); the new owners are then added to the new holding. ``on`` may not
    lie in the future: a holding ended later than today would still be the current one, and its
    holder could be erased before the sale happens. The residents who lived in the premises
    before ``on`` lose their access on that day, unless ``keep_residents``.

    The account and its premises are locked first, so two changes of holder (or a change and
    an owner being added) follow each other instead of both closing the same holding.
    """
    if on > timezone.localdate():
        raise ValidationError({"on": _future_change_message()})
    account = PersonalAccount.objects.select_for_update().get(pk=account.pk)
    if account.premises_id is not None:
        Premises.objects.select_for_update().get(pk=account.premises_id)
    current = (
        Holding.objects.select_for_update().filter(account=account, ended_on__isnull=True).first()
    )
    if current is not None:
        if on <= current.started_on:
            raise ValidationError({"on": _("The new holder cannot start before the current one.")})
        ending = Ownership.objects.filter(owner__holding=current).filter(_live_ownerships(on))
        if ending.filter(started_on__gte=on).exists():
            raise ValidationError(
                {
                    "on": _(
                        "An owner of the current holder owns a share only from this day or "
                        "later: correct that share, or date the change later."
                    )
                }
            )
        current.ended_on = on
        current.save(update_fields=["ended_on"])
        ending.update(ended_on=on)
    residencies_ended = 0
    if not keep_residents and account.premises_id is not None:
        residencies_ended = (
            Residency.objects.filter(premises_id=account.premises_id, started_on__lt=on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
            .update(ended_on=on)
        )
    holding = Holding(account=account, started_on=on, **holder)
    holding.save()
    record(
        "residents.holder_changed",
        actor=actor,
        target=account,
        details={
            **_premises_ref(account.premises_id),
            "holding": str(holding.pk),
            "residencies_ended": residencies_ended,
        },
    )
    return holding
