"""Reads of the register of members and of the registered residents (selectors).

**One person, one member.** Someone who owns a flat and a parking place has an owner record in
each holding; the register of members counts them once. Owner records belong to the same person
when

* the board linked them (``Owner.person``; recording a membership links the whole group), or,
  for records not linked yet,
* they share an identifier: the blind index of the primary email or phone (a person), the ИНН (an
  organisation). An identifier that records of two different linked persons carry decides
  nothing (the board separated them), so an unlinked record carrying it stays on its own.

**Membership on a day D** (ЖК РФ ст. 143; 217-ФЗ ст. 12, 13): a person is a member on D when one
of their ``Membership`` periods covers D (admitted on or before D, not exited on or before D)
and they own a share of some premises on D (membership ends with ownership, ст. 143 ч. 3).
A person with no ``Membership`` recorded yet is read from their owner records' own flags
(``is_member``/``member_since``, kept by the owner form and the import): a record flagged a
member since D or earlier that owns a share on D.

**The register** (ЖК РФ ст. 143 ч. 4: what identifies members and reaches them, and their shares
in the common property; 217-ФЗ ст. 15 ч. 5: name, the plot's cadastral number, a postal or email
address): the board's version carries contacts; the version members and owners may read
(ЖК РФ ст. 143.1) shows names, premises, shares and membership dates and no contacts.

Reads take a constant number of queries whatever the number of members: the owners, the shares
on D, the memberships, and one key wave for the names (and contacts).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from core.access.roles import REGISTRY_EDITORS, Role, has_role
from core.crypto.fields import prefetch_keys
from tenants.residents.models import (
    Membership,
    Owner,
    OwnerKind,
    Ownership,
    Premises,
    RegisteredResident,
)
from tenants.residents.selectors import current
from tenants.residents.validators import format_share

# -- who is the same person ---------------------------------------------------------------------


class _Groups:
    """Union-find over owner records, persons and identifiers."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, node):
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, one, other):
        a, b = self.find(one), self.find(other)
        if a != b:
            # A person's node wins, so a group's root names its person when it has one.
            if isinstance(b, tuple) and b[0] == "person":
                a, b = b, a
            self.parent[b] = a


def _identifiers(row) -> list[tuple[str, str]]:
    owner_id, person_id, kind, email_index, phone_index, inn = row
    if kind == OwnerKind.ORGANISATION:
        return [("inn", inn)] if inn else []
    found = (("email", email_index), ("phone", phone_index))
    return [(name, value) for name, value in found if value]


def owner_groups(owner_ids=None) -> dict:
    """Owner id → the key of the person it belongs to (one query over every owner record).

    The key is ``("person", id)`` for a linked group, otherwise ``("owner", id)`` of one of the
    group's records. ``owner_ids`` limits the answer (the matching still looks at every record).
    """
    rows = list(
        Owner.objects.filter(holding__erased_at__isnull=True).values_list(
            "pk", "person_id", "kind", "email_index", "phone_index", "inn"
        )
    )
    carriers: dict = defaultdict(set)
    for row in rows:
        if row[1] is not None:
            for identifier in _identifiers(row):
                carriers[identifier].add(row[1])
    groups = _Groups()
    for row in rows:
        node = ("owner", row[0])
        groups.find(node)
        if row[1] is not None:
            groups.union(("person", row[1]), node)
            continue
        for identifier in _identifiers(row):
            persons = carriers.get(identifier, set())
            if len(persons) == 1:
                groups.union(("person", next(iter(persons))), node)
            elif not persons:
                groups.union(("id", *identifier), node)
    roots = {row[0]: groups.find(("owner", row[0])) for row in rows}
    # A group without a person is named by its smallest owner id: stable between reads.
    names: dict = {}
    for pk, root in roots.items():
        if root[0] != "person" and (root not in names or str(pk) < str(names[root][1])):
            names[root] = ("owner", pk)
    wanted = set(owner_ids) if owner_ids is not None else None
    return {
        pk: root if root[0] == "person" else names[root]
        for pk, root in roots.items()
        if wanted is None or pk in wanted
    }


def group_of(owner: Owner) -> list[Owner]:
    """The owner records of the same person as ``owner`` (``owner`` included)."""
    groups = owner_groups()
    key = groups.get(owner.pk)
    ids = [pk for pk, other in groups.items() if other == key] if key else [owner.pk]
    return list(Owner.objects.filter(pk__in=ids).order_by("pk"))


# -- members on a day ---------------------------------------------------------------------------


@dataclass
class Holder:
    """One share of premises a member owns on the register's day."""

    premises: Premises
    share: Fraction
    #: Held jointly without shares with other owners (ГК РФ ст. 253): the part is theirs together.
    joint: bool = False

    @property
    def share_text(self) -> str:
        return format_share(self.share)

    @property
    def area_share(self) -> Decimal:
        """The part of the premises' area behind this share (votes: ЖК РФ ст. 48 ч. 3)."""
        return (self.premises.area * self.share.numerator / self.share.denominator).quantize(
            Decimal("0.01")
        )


@dataclass
class Member:
    """One person counted once, with what they own on the day and their membership."""

    key: tuple
    owner_ids: list
    person_id: object | None
    admitted_on: datetime.date | None
    applied_on: datetime.date | None = None
    decision: str = ""
    holdings: list[Holder] = field(default_factory=list)
    name: str = ""
    organisation: bool = False
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)

    @property
    def area_share(self) -> Decimal:
        return sum((h.area_share for h in self.holdings), Decimal("0.00"))


def _covers(membership: Membership, on: datetime.date) -> bool:
    return membership.admitted_on <= on and (
        membership.exited_on is None or membership.exited_on > on
    )


def members_as_of(on: datetime.date | None = None) -> list[Member]:
    """The members of the partnership on ``on`` (today by default), each person once.

    Nothing is decrypted: voting and counting use this; ``register`` adds names and contacts.
    Ordered by admission date, then by the key (stable).
    """
    on = on or timezone.localdate()
    groups = owner_groups()
    ownerships = list(
        Ownership.objects.filter(current(on=on), owner_id__in=list(groups))
        .select_related("premises__building")
        .order_by("premises__building__name", "premises__kind", "premises__number")
    )
    owned: dict = defaultdict(list)
    for ownership in ownerships:
        owned[groups[ownership.owner_id]].append(ownership)
    flags = {
        pk: since
        for pk, since in Owner.objects.filter(
            pk__in=[o.owner_id for o in ownerships], is_member=True, member_since__lte=on
        ).values_list("pk", "member_since")
    }
    memberships: dict = defaultdict(list)
    for membership in Membership.objects.filter(
        person_id__in=[key[1] for key in owned if key[0] == "person"]
    ):
        memberships[("person", membership.person_id)].append(membership)
    members = []
    for key, shares in owned.items():
        owner_ids = sorted({o.owner_id for o in shares}, key=str)
        member = None
        if memberships.get(key):
            period = next((m for m in memberships[key] if _covers(m, on)), None)
            if period is not None:
                member = Member(
                    key,
                    owner_ids,
                    key[1],
                    period.admitted_on,
                    period.applied_on,
                    period.decision,
                )
        else:
            since = [flags[o.owner_id] for o in shares if o.owner_id in flags]
            if since:
                person_id = key[1] if key[0] == "person" else None
                member = Member(key, owner_ids, person_id, min(since))
        if member is None:
            continue
        member.holdings = [Holder(o.premises, o.share, o.joint) for o in shares]
        members.append(member)
    members.sort(key=lambda m: (m.admitted_on, str(m.key[1])))
    return members


def is_member_on(owner: Owner, on: datetime.date | None = None) -> bool:
    """Whether the person ``owner`` belongs to is a member on ``on``."""
    return any(owner.pk in m.owner_ids for m in members_as_of(on))


def _unique(values) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = (value or "").strip() if isinstance(value, str) else value
        if value and value not in seen:
            seen.append(value)
    return seen


def register(on: datetime.date | None = None, *, contacts: bool) -> list[Member]:
    """The register of members on ``on``: names (and, for the board, contacts) in one key wave.

    ``contacts=False`` is the version members and owners read (ЖК РФ ст. 143.1): what the law
    requires (name, premises, share, membership) and no phone or email.
    """
    members = members_as_of(on)
    owners = {
        o.pk: o
        for o in Owner.objects.filter(pk__in=[pk for m in members for pk in m.owner_ids]).order_by(
            "pk"
        )
    }
    prefetch_keys(owners.values())
    for member in members:
        records = [owners[pk] for pk in member.owner_ids if pk in owners]
        names = _unique(o.display_name for o in records)
        member.name = names[0] if names else ""
        member.organisation = any(o.kind == OwnerKind.ORGANISATION for o in records)
        if contacts:
            member.emails = _unique(
                value for o in records for value in [o.primary_email, *(o.emails or [])]
            )
            member.phones = _unique(
                value for o in records for value in [o.primary_phone, *(o.phones or [])]
            )
    return members


def register_visible_to(user, on: datetime.date | None = None) -> list[Member]:
    """The register as ``user`` may read it: the board with contacts, owners without."""
    if has_role(user, *REGISTRY_EDITORS):
        return register(on, contacts=True)
    if has_role(user, Role.OWNER):
        return register(on, contacts=False)
    return []


# -- the membership page of an owner record -----------------------------------------------------


@dataclass
class MembershipCard:
    owner: Owner
    same_person: list[Owner]
    memberships: list[Membership]
    member_today: bool


def membership_card(owner: Owner) -> MembershipCard:
    """An owner record, the other records of the same person, and their membership periods."""
    records = group_of(owner)
    # The page names each record's premises: one query for them all, not three a record.
    prefetch_related_objects(
        records,
        Prefetch("ownerships", queryset=Ownership.objects.select_related("premises__building")),
    )
    person_ids = {o.person_id for o in records if o.person_id}
    memberships = list(Membership.objects.filter(person_id__in=person_ids).order_by("-admitted_on"))
    prefetch_keys(records)
    return MembershipCard(
        owner=owner,
        same_person=[o for o in records if o.pk != owner.pk],
        memberships=memberships,
        member_today=is_member_on(owner),
    )


# -- registered residents -----------------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the month ``month`` falls in."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def registered_residents_count(premises: Premises, month: datetime.date) -> int:
    """How many people per-resident charges count for ``premises`` in ``month``.

    A person counts when their registration covers at least one day of the month (registered on
    or before its last day, not deregistered on or before its first). Premises whose residents
    were never recorded by name fall back to the number the board typed on the premises
    (``Premises.registered_residents``, also what the import fills). Proration by days, where
    the association applies it, is the ledger's (Правила 354 п. 56(2) and п. 86 ff.).
    """
    first, last = month_bounds(month)
    people = RegisteredResident.objects.filter(premises=premises)
    if not people.exists():
        return premises.registered_residents
    return people.filter(
        Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=first))
    ).count()


def registered_residents_counts(premises_ids, month: datetime.date) -> dict:
    """``registered_residents_count`` for many premises at once (the ledger's accrual run):
    ``{premises_id: count}`` by the same rule, in three queries whatever their number."""
    first, last = month_bounds(month)
    ids = list(premises_ids)
    recorded = set(
        RegisteredResident.objects.filter(premises_id__in=ids)
        .values_list("premises_id", flat=True)
        .distinct()
    )
    counts = defaultdict(int)
    for premises_id in (
        RegisteredResident.objects.filter(premises_id__in=ids)
        .filter(Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=first)))
        .values_list("premises_id", flat=True)
    ):
        counts[premises_id] += 1
    typed = dict(
        Premises.objects.filter(pk__in=[i for i in ids if i not in recorded]).values_list(
            "pk", "registered_residents"
        )
    )
    return {i: counts[i] if i in recorded else typed.get(i, 0) for i in ids}


def registered_residents(premises: Premises) -> list[RegisteredResident]:
    """The residents registered at ``premises``, current and former, names in one key wave."""
    people = list(
        RegisteredResident.objects.filter(premises=premises)
        .select_related("holding")
        .order_by("ended_on", "started_on", "id")
    )
    prefetch_keys(people)
    return people
