"""Reads for the registry, each scoped to what the reader may see.

Who sees what (ARCHITECTURE.md "Access"; issue 4):

* the board (chairman, board member) sees the whole registry and edits it;
* the accountant sees personal accounts (the money side) but not the owners' register;
* an owner or resident sees only the premises they own today (a current ``Ownership`` through
  ``Owner.user``) or live in (a current ``Residency``);
* personal accounts, decided here (the architecture is silent): an **owner** sees the accounts
  they hold, i.e. whose *current* holding has an owner record linked to them with a share in
  force today. Premises can have several accounts (a flat split between holders, a former
  holder's account), and owning a flat does not open the neighbouring holder's account. A
  **resident** sees every account of the premises they live in today: they live with its bills,
  whoever holds them (holders' names stay hidden from them). Pages and the API both go through
  ``accounts_visible_to`` / ``home_accounts``;
* the dispatcher sees none of it.

Pages read personal data in one go: every sealed value a page shows is unlocked by one
``prefetch_keys`` call (one query for the wrapped data keys, one concurrent wave of provider
calls), so a page's queries do not grow with the number of rows it shows.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast, JSONObject, Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES, REGISTRY_EDITORS, Role, has_role
from core.audit.models import AuditEntry
from core.crypto.fields import blind_index_for, prefetch_keys
from core.extensions import audit_label
from tenants.residents.models import (
    Holding,
    Owner,
    Ownership,
    PersonalAccount,
    Premises,
    Residency,
    joint_total,
)
from tenants.residents.validators import format_share


def current(prefix: str = "", on: datetime.date | None = None) -> Q:
    """Rows whose period (``started_on`` .. ``ended_on``, end exclusive) covers ``on``."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def keeps_registry(user) -> bool:
    return has_role(user, *REGISTRY_EDITORS)


def _own_premises_q(user) -> Q:
    owned = Ownership.objects.filter(current(), owner__user=user).values("premises_id")
    lived = Residency.objects.filter(current(), user=user).values("premises_id")
    return Q(pk__in=owned) | Q(pk__in=lived)


# -- object access ------------------------------------------------------------------------------


def premises_visible_to(user) -> QuerySet[Premises]:
    if keeps_registry(user):
        return Premises.objects.all()
    if has_role(user, *MEMBER_ROLES):
        return Premises.objects.filter(_own_premises_q(user))
    return Premises.objects.none()


def _home_accounts_q(user) -> Q:
    """Accounts a member sees as owner (they hold it now) or resident (they live there now)."""
    held = Holding.objects.filter(
        current("owners__ownerships__"), ended_on__isnull=True, owners__user=user
    ).values("account_id")
    lived = Residency.objects.filter(current(), user=user).values("premises_id")
    return Q(pk__in=held) | Q(premises_id__in=lived)


def home_accounts(user) -> QuerySet[PersonalAccount]:
    """The accounts of a member's own homes, whatever other roles they hold."""
    return PersonalAccount.objects.filter(_home_accounts_q(user))


def accounts_visible_to(user) -> QuerySet[PersonalAccount]:
    if has_role(user, *ACCOUNT_READERS):
        return PersonalAccount.objects.all()
    if has_role(user, *MEMBER_ROLES):
        return home_accounts(user)
    return PersonalAccount.objects.none()


def owners_visible_to(user) -> QuerySet[Owner]:
    """The board sees every owner; an owner sees their own owner records."""
    if keeps_registry(user):
        return Owner.objects.all()
    if has_role(user, Role.OWNER):
        return Owner.objects.filter(user=user)
    return Owner.objects.none()


# -- shares -----------------------------------------------------------------------------------


def shares_totals(premises_ids=None, on: datetime.date | None = None) -> dict:
    """Exact sum of the current shares per premises id (one query); missing means none."""
    rows = Ownership.objects.filter(current(on=on))
    if premises_ids is not None:
        rows = rows.filter(premises_id__in=list(premises_ids))
    parts: dict = defaultdict(list)
    for premises_id, numerator, denominator, joint in rows.values_list(
        "premises_id", "share_numerator", "share_denominator", "joint"
    ):
        parts[premises_id].append((Fraction(numerator, denominator), joint))
    return {premises_id: joint_total(found) for premises_id, found in parts.items()}


def premises_with_complete_shares(on: datetime.date | None = None) -> list:
    """Ids of premises whose current shares add up to exactly 1."""
    return [pk for pk, total in shares_totals(on=on).items() if total == 1]


# -- the board's registry list --------------------------------------------------------------------

PHONE_LIKE = re.compile(r"^\+?[\d\s()\-]{10,}$")


def search_q(text: str) -> Q:
    """Premises by their number, an account number, or an owner's exact email or phone.

    Emails and phones are encrypted: they are found through their blind indexes (keyed
    hashes), so only an exact value matches.
    """
    text = text.strip()
    accounts = PersonalAccount.objects.filter(premises=OuterRef("pk"))
    account_match = Q(number__iexact=text)
    if len(text) >= 4:
        account_match |= Q(number__icontains=text)
    condition = Q(number__iexact=text) | Q(Exists(accounts.filter(account_match)))
    ownerships = Ownership.objects.filter(premises=OuterRef("pk"))
    if "@" in text:
        index = blind_index_for(Owner, "primary_email", text)
        condition |= Q(Exists(ownerships.filter(owner__email_index=index)))
    elif PHONE_LIKE.match(text):
        index = blind_index_for(Owner, "primary_phone", text)
        condition |= Q(Exists(ownerships.filter(owner__phone_index=index)))
    return condition


def premises_list(
    *,
    search: str = "",
    building=None,
    kind: str = "",
    incomplete_shares: bool = False,
) -> QuerySet[Premises]:
    premises = Premises.objects.select_related("building")
    if search:
        premises = premises.filter(search_q(search))
    if building is not None:
        premises = premises.filter(building=building)
    if kind:
        premises = premises.filter(kind=kind)
    if incomplete_shares:
        premises = premises.exclude(pk__in=premises_with_complete_shares())
    return premises.order_by("building__name", "kind", Length("number"), "number")


@dataclass
class PremisesRow:
    premises: Premises
    accounts: list[str]
    owners: int
    total: Fraction

    @property
    def shares_complete(self) -> bool:
        return self.total == 1

    @property
    def total_text(self) -> str:
        return format_share(self.total)


def premises_rows(premises: list[Premises]) -> list[PremisesRow]:
    """The list's rows: account numbers, owner counts and share totals in two more queries."""
    ids = [p.pk for p in premises]
    accounts: dict = defaultdict(list)
    for premises_id, number in (
        PersonalAccount.objects.filter(premises_id__in=ids)
        .order_by("number")
        .values_list("premises_id", "number")
    ):
        accounts[premises_id].append(number)
    parts: dict = defaultdict(list)
    counts: dict = defaultdict(int)
    for premises_id, numerator, denominator, joint in Ownership.objects.filter(
        current(), premises_id__in=ids
    ).values_list("premises_id", "share_numerator", "share_denominator", "joint"):
        parts[premises_id].append((Fraction(numerator, denominator), joint))
        counts[premises_id] += 1
    return [
        PremisesRow(p, accounts[p.pk], counts[p.pk], joint_total(parts.get(p.pk, [])))
        for p in premises
    ]


# -- the premises page (board) ----------------------------------------------------------------


@dataclass
class OwnershipView:
    ownership: Ownership
    owner: Owner
    erased: bool

    @property
    def share_text(self) -> str:
        return format_share(self.ownership.share)

    @property
    def name(self) -> str:
        return "" if self.erased else self.owner.display_name


@dataclass
class HoldingView:
    holding: Holding
    erasable: bool

    @property
    def holder_name(self) -> str:
        return "" if self.holding.erased_at else (self.holding.full_name or "")


@dataclass
class AccountView:
    account: PersonalAccount
    holdings: list[HoldingView]

    @property
    def current(self) -> HoldingView | None:
        for item in self.holdings:
            if item.holding.ended_on is None:
                return item
        return None


@dataclass
class PremisesCard:
    premises: Premises
    current_ownerships: list[OwnershipView]
    former_ownerships: list[OwnershipView]
    accounts: list[AccountView]
    total: Fraction
    history: list[HistoryEntry] = field(default_factory=list)
    people: list[PersonWithAccess] = field(default_factory=list)

    @property
    def shares_complete(self) -> bool:
        return self.total == 1

    @property
    def total_text(self) -> str:
        return format_share(self.total)


def live_ownerships(today: datetime.date) -> Q:
    """Ownerships in force on ``today`` or later (current ones and those yet to start)."""
    return Q(ended_on__isnull=True) | Q(ended_on__gt=today)


def holdings_with_live_owners(holding_ids, today: datetime.date | None = None) -> set:
    """Ids among ``holding_ids`` with an owner who owns a share today or later (one query)."""
    today = today or timezone.localdate()
    return set(
        Ownership.objects.filter(owner__holding_id__in=list(holding_ids))
        .filter(live_ownerships(today))
        .values_list("owner__holding_id", flat=True)
    )


def _account_views(accounts: list[PersonalAccount]) -> list[AccountView]:
    """The accounts' holdings, each marked erasable by the rule ``erase_holder`` applies."""
    today = timezone.localdate()
    found = list(Holding.objects.filter(account__in=accounts).order_by("-started_on"))
    ended = [h.pk for h in found if h.ended_on is not None and h.ended_on <= today]
    live_owners = holdings_with_live_owners(ended, today) if ended else set()
    holdings: dict = defaultdict(list)
    for holding in found:
        erasable = (
            holding.ended_on is not None
            and holding.ended_on <= today
            and not holding.erased_at
            and holding.pk not in live_owners
        )
        holdings[holding.account_id].append(HoldingView(holding, erasable=erasable))
    return [AccountView(account, holdings[account.pk]) for account in accounts]


@dataclass
class PersonWithAccess:
    """A login that opens these premises: a linked owner or a resident."""

    name: str
    kind: str  # "owner" or "resident"
    since: datetime.date
    residency: Residency | None = None

    @property
    def is_resident(self) -> bool:
        return self.kind == "resident"


def people_with_access(premises: Premises) -> list[PersonWithAccess]:
    """Linked owners (a current share) and current residents, with their login names.

    For the board's premises page only: the names are the logins' own (under the association
    key), opened in one wave.
    """
    ownerships = list(
        Ownership.objects.filter(current(), premises=premises, owner__user__isnull=False)
        .select_related("owner__user")
        .order_by("started_on", "id")
    )
    residencies = list(
        Residency.objects.filter(current(), premises=premises)
        .select_related("user")
        .order_by("started_on", "id")
    )
    users = [o.owner.user for o in ownerships] + [r.user for r in residencies]
    prefetch_keys(users)
    people, seen = [], set()
    for ownership in ownerships:
        user = ownership.owner.user
        if user.pk not in seen:
            seen.add(user.pk)
            people.append(PersonWithAccess(user.full_name or "—", "owner", ownership.started_on))
    for residency in residencies:
        people.append(
            PersonWithAccess(
                residency.user.full_name or "—", "resident", residency.started_on, residency
            )
        )
    return people


def premises_card(premises: Premises) -> PremisesCard:
    """Everything the board's premises page shows, with one key wave for its personal data."""
    today = timezone.localdate()
    accounts = _account_views(list(PersonalAccount.objects.filter(premises=premises)))
    ownerships = list(
        Ownership.objects.filter(premises=premises)
        .select_related("owner__holding")
        .order_by("-started_on", "id")
    )
    prefetch_keys([o.owner for o in ownerships])
    current_rows, former_rows = [], []
    parts = []
    for ownership in ownerships:
        view = OwnershipView(ownership, ownership.owner, bool(ownership.owner.holding.erased_at))
        if ownership.started_on <= today and (
            ownership.ended_on is None or ownership.ended_on > today
        ):
            current_rows.append(view)
            parts.append((ownership.share, ownership.joint))
        else:
            former_rows.append(view)
    return PremisesCard(
        premises=premises,
        current_ownerships=current_rows,
        former_ownerships=former_rows,
        accounts=accounts,
        total=joint_total(parts),
        history=premises_history(premises),
        people=people_with_access(premises),
    )


def account_card(account: PersonalAccount) -> AccountView:
    return _account_views([account])[0]


# -- history ------------------------------------------------------------------------------------


def _field_labels() -> dict:
    labels = {"share": _("share")}
    for model in (Premises, Owner, Ownership, PersonalAccount):
        for model_field in model._meta.fields:
            labels.setdefault(model_field.name, model_field.verbose_name)
    labels["primary_email"] = _("email")
    labels["primary_phone"] = _("phone")
    return labels


@dataclass
class HistoryEntry:
    at: datetime.datetime
    action: str
    label: str
    actor: str
    fields: list[str]


def premises_history(premises: Premises, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what kind of thing on these premises and when (from the audit log)."""
    entries = list(AuditEntry.objects.filter(details__premises=str(premises.pk))[:limit])
    actors = {
        user.pk: user
        for user in get_user_model().objects.filter(pk__in={e.actor_id for e in entries})
    }
    labels = _field_labels()
    result = []
    for entry in entries:
        actor = actors.get(entry.actor_id)
        result.append(
            HistoryEntry(
                at=entry.at,
                action=entry.action,
                label=audit_label(entry.action),
                actor=(actor.full_name or str(_("a user"))) if actor else str(_("the system")),
                fields=[str(labels.get(name, name)) for name in entry.details.get("fields", [])],
            )
        )
    return result


# -- the accountant's and board's account list ------------------------------------------------


def accounts_list(*, search: str = "") -> QuerySet[PersonalAccount]:
    accounts = PersonalAccount.objects.select_related("premises__building")
    if search:
        accounts = accounts.filter(number__icontains=search.strip())
    return accounts.order_by(Length("number"), "number")


def with_current_holders(accounts: QuerySet[PersonalAccount]) -> QuerySet[PersonalAccount]:
    """Each account's current holding as ``current_holdings`` (keys fetched in one wave)."""
    return accounts.prefetch_related(
        Prefetch(
            "holdings",
            queryset=Holding.objects.filter(ended_on__isnull=True),
            to_attr="current_holdings",
        )
    )


# -- "My home" ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeAccount:
    """A personal account of a home as "My home" lists it."""

    pk: str
    number: str


@dataclass
class Home:
    premises: Premises
    my_share: Fraction | None
    lives_here: bool
    accounts: list[HomeAccount]
    co_owners: list[str]

    @property
    def my_share_text(self) -> str:
        return format_share(self.my_share) if self.my_share else ""


def my_home(user) -> list[Home]:
    """The premises a member owns or lives in, with their share, accounts and co-owners.

    Co-owners are shown by name only, and only to owners (ЖК РФ ст. 143.1 opens the register
    to members and owners; a resident who owns nothing sees no one else's name). A constant
    number of queries whatever the number of premises and accounts.
    """
    lived = Residency.objects.filter(current(), user=user, premises=OuterRef("pk"))
    # The accounts the member sees of each premises, read with it (a query fewer).
    accounts = ArraySubquery(
        home_accounts(user)
        .filter(premises=OuterRef("pk"))
        .order_by("number")
        .values(item=JSONObject(pk=Cast("pk", CharField()), number="number"))
    )
    premises = list(
        Premises.objects.filter(_own_premises_q(user))
        .select_related("building")
        .annotate(lives_here=Exists(lived), home_accounts=accounts)
        .order_by("building__name", "kind", Length("number"), "number")
    )
    if not premises:
        return []
    ids = [p.pk for p in premises]
    ownerships = list(
        Ownership.objects.filter(current(), premises_id__in=ids)
        .select_related("owner")
        .order_by("started_on", "id")
    )
    prefetch_keys([o.owner for o in ownerships])
    mine: dict = defaultdict(Fraction)
    others: dict = defaultdict(list)
    for ownership in ownerships:
        if ownership.owner.user_id == user.pk:
            mine[ownership.premises_id] += ownership.share
        else:
            others[ownership.premises_id].append(ownership.owner)
    homes = []
    for item in premises:
        share = mine.get(item.pk)
        homes.append(
            Home(
                premises=item,
                my_share=share,
                lives_here=item.lives_here,
                accounts=[HomeAccount(**found) for found in item.home_accounts],
                co_owners=[o.display_name for o in others[item.pk]] if share else [],
            )
        )
    return homes
