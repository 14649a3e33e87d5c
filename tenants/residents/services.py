"""Writes for the registry: buildings, premises, accounts, holders, owners and shares, erasure.

Every change is audited in its own transaction (``core.audit.services.record``) with ids, codes
and the names of changed fields only, never values: the premises page shows this log as its
history ("edit with history"). ``details["premises"]`` names the premises an entry belongs to.

Rules that come from the law:

* the owners' register (ЖК РФ ст. 45 ч. 3.1): owners, their shares and title documents with the
  ЕГРН record, kept with their periods (from, to) rather than overwritten;
* shares are exact fractions and may not add up to more than the whole premises (ГК РФ ст. 245:
  shares of common ownership; ЖК РФ ст. 48 ч. 3 weighs votes by them);
* membership of the partnership is separate from ownership (ЖК РФ ст. 143; 217-ФЗ ст. 5);
* a former holder's personal data is erased on request (152-ФЗ ст. 21) by destroying its key,
  while account numbers, shares, dates and amounts stay (they are records the law keeps).
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import record
from core.crypto import keyring
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    OwnerKind,
    Ownership,
    PersonalAccount,
    Premises,
    Residency,
)

PERSONAL_FIELDS = ("full_name", "phones", "emails", "documents")
OWNER_PERSONAL_FIELDS = (*PERSONAL_FIELDS, "primary_email", "primary_phone")
OWNER_INDEXES = ("email_index", "phone_index")
PREMISES_FIELDS = (
    "building",
    "kind",
    "number",
    "floor",
    "entrance",
    "area",
    "cadastral_number",
    "registered_residents",
)
DOCUMENT_FIELDS = ("document_kind", "document_number", "document_date", "egrn_record")


def _premises_ref(premises_id) -> dict:
    return {"premises": str(premises_id)} if premises_id else {}


def _assign(instance, values: dict, allowed) -> list[str]:
    """Set the allowed ``values`` on ``instance``; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if name not in allowed:
            raise TypeError(f"{name} cannot be changed here")
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


# -- buildings ----------------------------------------------------------------------------------


def _check_building_name(name: str, exclude=None) -> None:
    taken = Building.objects.filter(name__iexact=name.strip())
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"name": _("A building with this name already exists.")})


def _save_unique(instance, field: str, message: str, **save_kwargs) -> None:
    """Save in a savepoint; a unique violation (a concurrent twin) becomes ``message``."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        raise ValidationError({field: message}) from None


@transaction.atomic
def create_building(*, name: str, address: str = "", actor=None) -> Building:
    _check_building_name(name)
    building = Building(name=name.strip(), address=address.strip())
    building.full_clean(validate_unique=False, validate_constraints=False)
    _save_unique(building, "name", _("A building with this name already exists."))
    record("residents.building_created", actor=actor, target=building)
    return building


@transaction.atomic
def update_building(building: Building, *, actor=None, **values) -> Building:
    building = Building.objects.select_for_update().get(pk=building.pk)
    if "name" in values:
        values["name"] = values["name"].strip()
        _check_building_name(values["name"], exclude=building)
    changed = _assign(building, values, {"name", "address"})
    if changed:
        building.full_clean(validate_unique=False, validate_constraints=False)
        _save_unique(building, "name", _("A building with this name already exists."))
        record(
            "residents.building_changed", actor=actor, target=building, details={"fields": changed}
        )
    return building


# -- premises -----------------------------------------------------------------------------------


def _premises_number_taken() -> str:
    return _("This building already has premises of this kind with this number.")


def _check_premises_number(premises: Premises) -> None:
    """A premises number is unique in its building for its kind (flat 1 and parking place 1
    may both exist); one premises never belongs to two buildings (one foreign key)."""
    twins = Premises.objects.filter(
        building_id=premises.building_id, kind=premises.kind, number__iexact=premises.number
    ).exclude(pk=premises.pk)
    if twins.exists():
        raise ValidationError({"number": _premises_number_taken()})


@transaction.atomic
def create_premises(
    *,
    building: Building,
    kind: str,
    number: str,
    area,
    floor: int | None = None,
    entrance: str = "",
    cadastral_number: str = "",
    registered_residents: int = 0,
    account_number: str = "",
    started_on: datetime.date | None = None,
    actor=None,
) -> Premises:
    """New premises; with ``account_number``, its personal account too (an empty first holding).

    Validation errors name the field (``number``, ``cadastral_number``, ``account_number``...).
    """
    premises = Premises(
        building=building,
        kind=kind,
        number=number.strip(),
        area=area,
        floor=floor,
        entrance=entrance.strip(),
        cadastral_number=cadastral_number.strip(),
        registered_residents=registered_residents,
    )
    premises.full_clean(validate_unique=False, validate_constraints=False)
    _check_premises_number(premises)
    if account_number:
        _check_account_number(account_number, field="account_number")
    _save_unique(premises, "number", _premises_number_taken())
    record(
        "residents.premises_created",
        actor=actor,
        target=premises,
        details=_premises_ref(premises.pk),
    )
    if account_number:
        try:
            open_account(
                number=account_number,
                holder={},
                started_on=started_on or timezone.localdate(),
                premises=premises,
                actor=actor,
            )
        except ValidationError as error:
            raise ValidationError({"account_number": error.message_dict["number"]}) from None
    return premises


@transaction.atomic
def update_premises(premises: Premises, *, actor=None, **values) -> Premises:
    """Change premises' register data; the history keeps which fields changed (not values)."""
    premises = Premises.objects.select_for_update().get(pk=premises.pk)
    if "number" in values:
        values["number"] = values["number"].strip()
    changed = _assign(premises, values, set(PREMISES_FIELDS))
    if changed:
        premises.full_clean(validate_unique=False, validate_constraints=False)
        _check_premises_number(premises)
        _save_unique(premises, "number", _premises_number_taken())
        record(
            "residents.premises_changed",
            actor=actor,
            target=premises,
            details={**_premises_ref(premises.pk), "fields": changed},
        )
    return premises


# -- personal accounts and holders -------------------------------------------------------------


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


def _live_ownerships(today: datetime.date) -> Q:
    """Ownerships in force on ``today`` or later (current ones and those yet to start)."""
    return Q(ended_on__isnull=True) | Q(ended_on__gt=today)


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


# -- residents ----------------------------------------------------------------------------------


@transaction.atomic
def end_residency(residency: Residency, *, on: datetime.date | None = None, actor=None):
    """A resident moved out: their access to the premises ends on ``on`` (today by default).

    The residency stays as history. Refused if it has already ended, or if ``on`` comes before
    it began.
    """
    today = timezone.localdate()
    on = on or today
    residency = Residency.objects.select_for_update().get(pk=residency.pk)
    if residency.ended_on is not None and residency.ended_on <= today:
        raise ValidationError(_("This resident's access has already ended."))
    if on < residency.started_on:
        raise ValidationError({"on": _("The access cannot end before it began.")})
    residency.ended_on = on
    residency.save(update_fields=["ended_on"])
    record(
        "residents.residency_ended",
        actor=actor,
        target=residency,
        details={**_premises_ref(residency.premises_id), "residency": str(residency.pk)},
    )
    return residency


# -- owners and shares -------------------------------------------------------------------------


def shares_total(
    premises: Premises, on: datetime.date | None = None, *, exclude: Ownership | None = None
) -> Fraction:
    """Sum of the owners' shares of ``premises`` on a day (today by default), exactly."""
    on = on or timezone.localdate()
    total = Fraction(0)
    ownerships = premises.ownerships.filter(started_on__lte=on).exclude(ended_on__lte=on)
    if exclude is not None:
        ownerships = ownerships.exclude(pk=exclude.pk)
    for numerator, denominator in ownerships.values_list("share_numerator", "share_denominator"):
        total += Fraction(numerator, denominator)
    return total


def _overflow_message() -> str:
    return _("The shares of this premises would add up to more than 1.")


def _check_share(share: Fraction) -> Fraction:
    share = Fraction(share)
    if not 0 < share <= 1:
        raise ValidationError({"share": _("A share must be more than 0 and at most 1.")})
    return share


def _check_no_overflow(
    premises: Premises,
    share: Fraction,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    exclude: Ownership | None = None,
) -> None:
    """The shares of ``premises`` stay within 1 on the share's first day and, if it is in the
    share's period, today (an old share added later must fit beside today's owners too)."""
    today = timezone.localdate()
    days = {started_on}
    if started_on <= today and (ended_on is None or today < ended_on):
        days.add(today)
    for day in days:
        if shares_total(premises, day, exclude=exclude) + share > 1:
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
) -> Owner:
    """Register an owner of a share of ``premises`` in the holding's tenure.

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
    _check_no_overflow(premises, share, started_on, None)
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
    owner.full_clean(exclude=["holding", "user", *OWNER_PERSONAL_FIELDS, *OWNER_INDEXES])
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
    owner.full_clean(exclude=["holding", "user", *OWNER_PERSONAL_FIELDS, *OWNER_INDEXES])
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
) -> Ownership:
    """Correct a share, its period or its title document (the register keeps the history).

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
    if ownership.ended_on is not None and ownership.ended_on <= ownership.started_on:
        raise ValidationError({"ended_on": _("The end must come after the start.")})
    changed += _assign(ownership, document or {}, set(DOCUMENT_FIELDS))
    if not changed:
        return ownership
    _check_no_overflow(
        ownership.premises,
        ownership.share,
        ownership.started_on,
        ownership.ended_on,
        exclude=ownership,
    )
    ownership.save()
    record(
        "residents.ownership_changed",
        actor=actor,
        target=ownership,
        details={**_premises_ref(ownership.premises_id), "fields": changed},
    )
    return ownership


# -- erasure (152-ФЗ) --------------------------------------------------------------------------


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


def holdings_with_live_owners(holding_ids, today: datetime.date | None = None) -> set:
    """Ids among ``holding_ids`` with an owner who owns a share today or later (one query)."""
    today = today or timezone.localdate()
    return set(
        Ownership.objects.filter(owner__holding_id__in=list(holding_ids))
        .filter(_live_ownerships(today))
        .values_list("owner__holding_id", flat=True)
    )


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
    closed, email_indexes = _close_logins(user_ids)
    invitations = _forget_invitations(owner_ids, email_indexes)
    premises_id = (
        PersonalAccount.objects.filter(pk=holding.account_id)
        .values_list("premises_id", flat=True)
        .first()
    )
    record(
        "residents.holder_erased",
        actor=actor,
        target=holding,
        details={
            **_premises_ref(premises_id),
            "owners": len(owner_ids),
            "logins_closed": closed,
            "invitations_cleared": invitations,
        },
    )
    # The destruction is recorded in this transaction (a rolled-back erasure leaves the holder
    # intact); the key job destroys the provider key after the commit, retrying until it is gone.
    keyring.request_key_destruction(holding.encryption_key_name())


def _close_logins(user_ids) -> tuple[int, list[str]]:
    """Close the logins of erased owners that have nothing left here; (count, their indexes).

    Call after their owner records were unlinked. A login that still owns (now or later) or
    lives somewhere keeps working. One with board or staff roles keeps working too, without
    the owner and resident roles; a member's login is deactivated and anonymised.
    """
    from core.access.roles import MEMBER_ROLES

    today = timezone.localdate()
    closed, indexes = 0, []
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
    return closed, indexes


def _forget_invitations(owner_ids, user_email_indexes) -> int:
    """Clear the email of the invitations sent to erased owners (and to closed logins).

    Pending ones are revoked first: their link can no longer be accepted.
    """
    from tenants.invitations.models import Invitation, InvitationStatus

    invitations = Invitation.objects.filter(
        Q(owner_id__in=owner_ids) | Q(email_index__in=user_email_indexes)
    )
    invitations.filter(status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED, revoked_at=timezone.now()
    )
    return invitations.update(email=None, email_index=None)
