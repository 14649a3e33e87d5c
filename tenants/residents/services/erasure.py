"""Erasure of a former holder's personal data (152-ФЗ ст. 21) by destroying its key."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from core.crypto import keyring
from core.extensions import HolderErasure, run_erasure_hooks
from tenants.residents.models import (
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Residency,
)
from tenants.residents.services.common import (
    OWNER_INDEXES,
    OWNER_PERSONAL_FIELDS,
    PERSONAL_FIELDS,
    _live_ownerships,
    _premises_ref,
)


def erasure_refusal(holding: Holding, today: datetime.date | None = None) -> str | None:
    """Why ``holding`` cannot be erased now, or None if it can.

    Only a *former* holding is erased: one that ended on or before today, none of whose owners
    still owns (or is yet to own) a share. A holding ended in the future is still the current
    one; an owner with a live share is still in the register (end the share first).
    """
    today = today or timezone.localdate()
    if holding.erased_at is not None:
        return _("This holder's personal data has already been erased.")
    if holding.ended_on is None or holding.ended_on > today:
        return _("This is the current holder: change the holder before erasing.")
    if Ownership.objects.filter(owner__holding=holding).filter(_live_ownerships(today)).exists():
        return _(
            "An owner registered with this holder still owns a share of the premises: "
            "end that share before erasing."
        )
    return None


@transaction.atomic
def erase_holder(holding: Holding, *, actor=None) -> None:
    """Erase a former holding's personal data (152-ФЗ) by destroying its key (crypto-shredding).

    The holder's and co-owners' ciphertext becomes unreadable everywhere, database backups
    included; the columns and blind indexes are cleared too. Account numbers, shares, dates and
    amounts stay, as the law requires keeping them. The current holding cannot be erased (see
    ``erasure_refusal``): change the holder first. Erasing twice is refused.

    The owners' portal logins go in the same transaction: the emails of the invitations sent to
    them are cleared (a pending one is revoked), their owner records are unlinked, and a login
    left with no other current ownership or residency is closed and anonymised. A login that
    also serves the board or the accounts keeps working, without its member roles.
    """
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    refusal = erasure_refusal(holding)
    if refusal is not None:
        raise ValidationError(refusal)
    Holding.objects.filter(pk=holding.pk).update(
        erased_at=timezone.now(), **dict.fromkeys(PERSONAL_FIELDS)
    )
    owners = Owner.objects.filter(holding=holding)
    owner_ids = list(owners.values_list("pk", flat=True))
    user_ids = set(owners.exclude(user=None).values_list("user_id", flat=True))
    owners.update(user=None, **dict.fromkeys(OWNER_INDEXES), **dict.fromkeys(OWNER_PERSONAL_FIELDS))
    closed, email_indexes, closed_ids = _close_logins(user_ids)
    premises_id = (
        PersonalAccount.objects.filter(pk=holding.account_id)
        .values_list("premises_id", flat=True)
        .first()
    )
    # Every other app clears what it holds of them (its declared erasure hook), in this
    # transaction; their counts go into the audit entry (the invitations: "invitations_cleared").
    elsewhere = run_erasure_hooks(
        HolderErasure(
            holding_id=holding.pk,
            premises_id=premises_id,
            owner_ids=tuple(owner_ids),
            closed_login_email_indexes=tuple(email_indexes),
            closed_login_ids=tuple(closed_ids),
        )
    )
    record(
        "residents.holder_erased",
        actor=actor,
        target=holding,
        details={
            **_premises_ref(premises_id),
            "owners": len(owner_ids),
            "logins_closed": closed,
            **elsewhere,
        },
    )
    # The destruction is recorded in this transaction (a rolled-back erasure leaves the holder
    # intact); the key job destroys the provider key after the commit, retrying until it is gone.
    keyring.request_key_destruction(holding.encryption_key_name())


def _close_logins(user_ids) -> tuple[int, list[str], list]:
    """Close the logins of erased owners that have nothing left here; (count, their indexes,
    their ids).

    Call after their owner records were unlinked. A login that still owns (now or later) or
    lives somewhere keeps working. One with board or staff roles keeps working too, without
    the owner and resident roles; a member's login is deactivated and anonymised.
    """
    from core.access.roles import MEMBER_ROLES

    today = timezone.localdate()
    closed, indexes, ids = 0, [], []
    User = get_user_model()
    for user in User.objects.select_for_update().filter(pk__in=list(user_ids)).order_by("pk"):
        owns = Ownership.objects.filter(owner__user=user).filter(_live_ownerships(today)).exists()
        lives = (
            Residency.objects.filter(user=user)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
            .exists()
        )
        if owns or lives:
            continue
        other_roles = [role for role in user.roles if role not in MEMBER_ROLES]
        if other_roles or user.is_staff or user.is_superuser:
            if other_roles != list(user.roles):
                user.roles = other_roles
                user.save(update_fields=["roles"])
            continue
        if user.email_index:
            indexes.append(user.email_index)
        user.email = f"erased-{user.pk}@invalid"
        user.full_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.roles = []
        user.save()
        closed += 1
        ids.append(user.pk)
    return closed, indexes, ids
