"""Writes for personal accounts and holders."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core.audit.services import record
from core.crypto import keyring
from tenants.residents.models import Holding, PersonalAccount

PERSONAL_FIELDS = ("full_name", "phones", "emails", "documents")


@transaction.atomic
def open_account(*, number: str, holder: dict, started_on: datetime.date, actor=None):
    """A new personal account with its first holder."""
    account = PersonalAccount.objects.create(number=number)
    holding = Holding(account=account, started_on=started_on, **holder)
    holding.save()
    record("residents.account_opened", actor=actor, target=account)
    return account, holding


@transaction.atomic
def change_holder(
    account: PersonalAccount, *, holder: dict, on: datetime.date, actor=None
) -> Holding:
    """The premises changed hands: close the current holding and start one with a new key."""
    current = (
        Holding.objects.select_for_update().filter(account=account, ended_on__isnull=True).first()
    )
    if current is not None:
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    holding = Holding(account=account, started_on=on, **holder)
    holding.save()
    record("residents.holder_changed", actor=actor, target=account)
    return holding


@transaction.atomic
def erase_holder(holding: Holding, *, actor=None) -> None:
    """Erase a holder's personal data (152-ФЗ) by destroying their key (crypto-shredding).

    The ciphertext becomes unreadable everywhere, database backups included; the columns are
    cleared too. Account number, dates and amounts stay, as the law requires keeping them.
    """
    Holding.objects.filter(pk=holding.pk).update(
        erased_at=timezone.now(), **dict.fromkeys(PERSONAL_FIELDS)
    )
    record("residents.holder_erased", actor=actor, target=holding)
    # The key goes once the erasure is committed: a rolled-back erasure leaves the holder intact
    # rather than unreadable-but-not-marked. Its data key rows go with it.
    key_name = holding.encryption_key_name()
    transaction.on_commit(lambda: keyring.destroy_owner_key(key_name))
