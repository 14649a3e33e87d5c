"""Bulk variants of the registry's services, for the import: the same rules, many records.

A rule about one record is the very function the single-record service calls
(``clean_premises``, ``clean_owner``, ``_check_share``...); a rule about the registry (a number
taken, shares over 1, a holder erased or gone) is checked with one query per batch instead of
one per record. The records are then written with ``core.bulk.copy_insert`` (``COPY``, what
``bulk_create`` would insert) and ``bulk_update``. A broken
rule raises ``ValidationError`` as the single services do, and the caller's transaction (these
functions write nothing outside it) rolls everything back.

They record no audit entries: the caller records what it did through ``core.audit.services``
(the import names its entries after itself and counts a new premises' accounts and owners in
one entry). Personal data is sealed by the caller beforehand (the import holds the keys).
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import copy_insert
from tenants.residents.models import (
    Building,
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
    joint_total,
)

# The single services' modules, not their functions: a rule changed there holds here too.
from tenants.residents.services import owners as owner_rules
from tenants.residents.services import premises as premises_rules
from tenants.residents.services.accounts import _future_change_message

BATCH = 1000


def _in_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk registry writes must run in the caller's transaction")


def _taken(field: str, message: str) -> ValidationError:
    """A number or name the registry has already (code ``taken``): the registry changed."""
    return ValidationError({field: ValidationError(message, code="taken")})


# -- buildings and premises -----------------------------------------------------------------------


def create_buildings(buildings: list[Building]) -> None:
    """New buildings; a name the registry (or the list) has already, case ignored, is refused."""
    _in_transaction()
    if not buildings:
        return
    names = set()
    for building in buildings:
        building.name, building.address = building.name.strip(), building.address.strip()
        building.full_clean(validate_unique=False, validate_constraints=False)
        names.add(building.name.upper())
    taken = Building.objects.annotate(key=Upper("name")).filter(key__in=names).exists()
    if taken or len(names) < len(buildings):
        raise _taken("name", _("A building with this name already exists."))
    Building.objects.bulk_create(buildings)


def _check_premises(premises: list[Premises]) -> None:
    """``clean_premises`` for each (the building is checked by its foreign key), and a number
    unique in its building for its kind, as ``_check_premises_number`` does for one."""
    keys = set()
    for item in premises:
        premises_rules.clean_premises(item, exclude=["building"])
        keys.add((item.building_id, item.kind, item.number.upper()))
    if len(keys) < len(premises):
        raise _taken("number", premises_rules._premises_number_taken())
    # The records themselves are skipped here rather than in SQL: a NOT IN of every checked pk
    # (10,000 in an import) costs more than reading the few rows a new building has.
    own = {item.pk for item in premises}
    existing = (
        Premises.objects.filter(building_id__in={item.building_id for item in premises})
        .annotate(key=Upper("number"))
        .values_list("pk", "building_id", "kind", "key")
    )
    if any(pk not in own and (b, k, n) in keys for pk, b, k, n in existing):
        raise _taken("number", premises_rules._premises_number_taken())


def create_premises(premises: list[Premises]) -> None:
    """New premises (their buildings written already); the rules of ``create_premises``."""
    _in_transaction()
    if premises:
        _check_premises(premises)
        copy_insert(premises)


def update_premises(changes: list[tuple[Premises, list[str]]]) -> None:
    """Premises with changed register data (the names of the changed fields with each)."""
    _in_transaction()
    if changes:
        _check_premises([premises for premises, _fields in changes])
        fields = sorted({name for _premises, names in changes for name in names})
        Premises.objects.bulk_update([premises for premises, _n in changes], fields, BATCH)


# -- accounts and holdings ------------------------------------------------------------------------


def open_accounts(accounts: list[PersonalAccount], empty_holdings: list[Holding] = ()) -> None:
    """New accounts, numbers unique in the association (``open_account``), with the empty first
    holdings of those that have no holder yet (holders with data come with their keys)."""
    _in_transaction()
    numbers: dict[str, int] = defaultdict(int)
    for account in accounts:
        account.number = account.number.strip()
        if not account.number:
            raise ValidationError({"number": _("Enter the account number.")})
        numbers[account.number] += 1
    taken = set(PersonalAccount.objects.filter(number__in=numbers).values_list("number", flat=True))
    taken.update(number for number, count in numbers.items() if count > 1)
    if taken:
        message = _("Account number %(number)s is already taken.") % {"number": min(taken)}
        raise _taken("number", message)
    copy_insert(accounts)
    add_holdings(list(empty_holdings))


def place_accounts(accounts: list[PersonalAccount]) -> None:
    """Accounts without premises given their premises."""
    _in_transaction()
    if accounts:
        PersonalAccount.objects.bulk_update(accounts, ["premises"], BATCH)


def add_holdings(holdings: list[Holding]) -> None:
    """First holdings of new accounts; like a change of holder, not dated in the future."""
    _in_transaction()
    today = timezone.localdate()
    if any(holding.started_on > today for holding in holdings):
        raise ValidationError({"on": _future_change_message()})
    copy_insert(holdings)


# -- owners and shares ----------------------------------------------------------------------------


def _check_holdings_open(holding_ids) -> None:
    """Owners are added or changed only in holdings not erased and not ended (``add_owner``,
    ``update_owner``); holdings written in this transaction are read as they are now."""
    closed = list(
        Holding.objects.filter(pk__in=list(holding_ids))
        .filter(Q(erased_at__isnull=False) | Q(ended_on__isnull=False))
        .values_list("erased_at", flat=True)
    )
    if any(erased_at is not None for erased_at in closed):
        raise ValidationError(_("This holder's personal data has already been erased."))
    if closed:
        raise ValidationError(
            _(
                "This holder's tenure has ended: the account has a new holder. "
                "Reload the page and add the owner to the current holder."
            )
        )


def _check_no_overflow(written: list[Ownership]) -> None:
    """What ``_check_no_overflow`` checks for one share, for many: the shares of each premises
    stay within 1 on each written share's first day and, if it is in its period, today."""
    today = timezone.localdate()
    days: dict = defaultdict(set)
    for ownership in written:
        days[ownership.premises_id].add(ownership.started_on)
        ended_on = ownership.ended_on
        if ownership.started_on <= today and (ended_on is None or today < ended_on):
            days[ownership.premises_id].add(today)
    periods: dict = defaultdict(list)
    rows = Ownership.objects.filter(premises_id__in=list(days)).values_list(
        "premises_id", "share_numerator", "share_denominator", "started_on", "ended_on", "joint"
    )
    for premises_id, numerator, denominator, started_on, ended_on, joint in rows:
        periods[premises_id].append((Fraction(numerator, denominator), started_on, ended_on, joint))
    for premises_id, checked in days.items():
        for day in checked:
            total = joint_total(
                (share, joint)
                for share, started_on, ended_on, joint in periods[premises_id]
                if started_on <= day and (ended_on is None or ended_on > day)
            )
            if total > 1:
                raise ValidationError({"share": owner_rules._overflow_message()})


def _check_shares(ownerships: list[Ownership]) -> None:
    for ownership in ownerships:
        owner_rules._check_share(Fraction(ownership.share_numerator, ownership.share_denominator))
        if ownership.ended_on is not None and ownership.ended_on <= ownership.started_on:
            raise ValidationError({"ended_on": _("The end must come after the start.")})


def add_owners(owners: list[Owner], ownerships: list[Ownership]) -> None:
    """New owners, each with its share (``add_owner``): their register fields valid, their
    holdings open, every share in (0, 1] and no premises' shares over 1."""
    _in_transaction()
    if not (owners or ownerships):
        return
    for owner in owners:
        owner_rules.clean_owner(owner, validate_unique=False, validate_constraints=False)
    _check_holdings_open({owner.holding_id for owner in owners})
    _check_shares(ownerships)
    copy_insert(owners)
    copy_insert(ownerships)
    _check_no_overflow(ownerships)


def add_ownerships(ownerships: list[Ownership]) -> None:
    """New shares of owners already in the registry (``add_owner`` for a known owner)."""
    _in_transaction()
    if ownerships:
        owners = Owner.objects.filter(pk__in={ownership.owner_id for ownership in ownerships})
        _check_holdings_open(owners.values_list("holding_id", flat=True))
        _check_shares(ownerships)
        copy_insert(ownerships)
        _check_no_overflow(ownerships)


def update_ownerships(changes: list[tuple[Ownership, list[str]]]) -> None:
    """Corrected shares and title documents (``update_ownership``)."""
    _in_transaction()
    if changes:
        ownerships = [ownership for ownership, _fields in changes]
        _check_shares(ownerships)
        fields = sorted({name for _ownership, names in changes for name in names})
        Ownership.objects.bulk_update(ownerships, fields, BATCH)
        _check_no_overflow(ownerships)


def update_owners(changes: list[tuple[Owner, list[str]]]) -> None:
    """Owners with corrected data and membership (``update_owner``), each saved with its own
    changed fields: not in an erased holding, and a member with the date membership began."""
    _in_transaction()
    if not changes:
        return
    erased = Holding.objects.filter(
        pk__in={owner.holding_id for owner, _fields in changes}, erased_at__isnull=False
    )
    if erased.exists():
        raise ValidationError(_("This owner's personal data was erased; it cannot be edited."))
    for owner, fields in changes:
        if owner.is_member and owner.member_since is None:
            raise ValidationError({"member_since": _("Enter the date the membership began.")})
        owner_rules.clean_owner(owner, validate_unique=False, validate_constraints=False)
        owner.save(update_fields=fields)
