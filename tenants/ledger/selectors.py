"""Reading the ledger, scoped to the reader (someone else's account or entry is a 404).

* the board and the accountant (``ACCOUNT_READERS``) read every account and entry;
* an owner reads the accounts they hold, the entries of their own holding (its periods, and the
  capital-repair arrears that passed to it, marked as such); a former holder keeps reading
  their own periods while they owe anything for them;
* a resident of a premises (a ``Residency``) reads its accounts' balance and the current
  holding's charges, which they often pay; no page here shows an owner's personal data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from core.access.roles import ACCOUNT_READERS, has_role
from tenants.ledger.models import (
    AccrualRun,
    Balance,
    Entry,
    EntryKind,
    Period,
    Service,
    Tariff,
)
from tenants.ledger.money import ZERO, days_in, month_of, next_month
from tenants.residents.models import Holding, Owner, PersonalAccount, Residency
from tenants.residents.selectors import current


def reads_all(user) -> bool:
    return has_role(user, *ACCOUNT_READERS)


@dataclass
class AccountAccess:
    """An account as a reader may see it: ``holding_ids`` None for all its holdings."""

    account: PersonalAccount
    holding_ids: frozenset | None = None
    former: bool = False

    def entries(self):
        rows = Entry.objects.filter(account=self.account)
        if self.holding_ids is not None:
            rows = rows.filter(holding_id__in=list(self.holding_ids))
        return rows


def _member_access(user) -> dict:
    """``{account_id: (holding ids, former)}`` a member may read, in one query: the holdings
    they own (current ones; ended ones while anything is owed on them: ``former`` when that is
    all they reach of the account) and the current holdings of the premises they live in now."""
    today = timezone.localdate()
    owners = Owner.objects.filter(user=user)
    owed = (
        Entry.objects.filter(holding=OuterRef("pk"))
        .order_by()
        .values("holding")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Holding.objects.filter(
            Q(pk__in=owners.values("holding_id"))
            | Q(
                ended_on__isnull=True,
                account__premises_id__in=Residency.objects.filter(current(), user=user).values(
                    "premises_id"
                ),
            )
        )
        .annotate(
            owned=Exists(owners.filter(holding=OuterRef("pk"))),
            # what is owed on an ended holding only (the others are read whatever the balance)
            owed=Case(
                When(ended_on__lte=today, then=Subquery(owed)),
                default=Value(None),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
        )
        .order_by()
        .values_list("pk", "account_id", "ended_on", "owned", "owed")
    )
    found: dict = {}
    for holding_id, account_id, ended_on, owned, owed in rows:
        current_holding = ended_on is None or ended_on > today
        if owned and not current_holding:
            if (owed or ZERO) <= 0:
                continue  # a former holding that owes nothing: no longer theirs to read
            ids, former = found.get(account_id, (set(), True))
        elif owned or ended_on is None:  # held now, or a current holding where they live
            ids, former = found.get(account_id, (set(), False))
            former = False
        else:
            continue
        ids.add(holding_id)
        found[account_id] = (ids, former)
    return found


def member_account_for(user, pk) -> AccountAccess:
    """One account ``user`` holds or lives on as a member (never as the board's reader), or
    404: what a member may pay for (billing.payments)."""
    found = _member_access(user)
    if pk not in found:
        raise Http404
    account = PersonalAccount.objects.select_related("premises__building").get(pk=pk)
    ids, former = found[pk]
    return AccountAccess(account, frozenset(ids), former)


def member_accounts(user) -> list[AccountAccess]:
    """The accounts ``user`` holds or lives on as a member, by number."""
    found = _member_access(user)
    accounts = PersonalAccount.objects.filter(pk__in=list(found)).select_related(
        "premises__building"
    )
    return [
        AccountAccess(a, frozenset(found[a.pk][0]), found[a.pk][1])
        for a in accounts.order_by("number")
    ]


def accounts_visible_to(user) -> list[AccountAccess]:
    """The accounts ``user`` reads, by number (members: theirs; the board: all)."""
    if reads_all(user):
        return [
            AccountAccess(a)
            for a in PersonalAccount.objects.select_related("premises__building").order_by("number")
        ]
    found = _member_access(user)
    accounts = PersonalAccount.objects.filter(pk__in=list(found)).select_related(
        "premises__building"
    )
    return [
        AccountAccess(a, frozenset(found[a.pk][0]), found[a.pk][1])
        for a in accounts.order_by("number")
    ]


def account_for(user, pk) -> AccountAccess:
    """One account the reader may read, or 404."""
    if reads_all(user):
        account = PersonalAccount.objects.select_related("premises__building").filter(pk=pk).first()
        if account is None:
            raise Http404
        return AccountAccess(account)
    found = _member_access(user)
    if pk not in found:
        raise Http404
    account = PersonalAccount.objects.select_related("premises__building").get(pk=pk)
    ids, former = found[pk]
    return AccountAccess(account, frozenset(ids), former)


def entry_for(user, pk) -> Entry:
    """One entry the reader may read (its account and holding), or 404."""
    entry = Entry.objects.select_related("service", "account").filter(pk=pk).first()
    if entry is None:
        raise Http404
    if reads_all(user):
        return entry
    found = _member_access(user)
    if entry.account_id not in found or entry.holding_id not in found[entry.account_id][0]:
        raise Http404
    return entry


# -- the account page ---------------------------------------------------------------------------


@dataclass
class Month:
    period: datetime.date
    charged: Decimal = ZERO
    paid: Decimal = ZERO
    other: Decimal = ZERO
    entries: list = field(default_factory=list)
    #: The entries as the account page shows them (``Row``), made by ``account_page``.
    rows: list = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """One entry's line on the account page, its words and figures already made: the page
    shows a year of a dozen services' entries, and a template tag, a filter or a
    ``get_kind_display`` per line was most of its time (docs/performance.md)."""

    label: str
    hint: str
    href: str
    corrects: str
    amount: str


_ENTRY_SENTINEL = 987654321


def _rows(entries) -> list[Row]:
    """``Row``s of ``entries`` (with their ``service`` and ``has_calculation``): the kinds'
    labels, the months' names, the link's pattern worked out once per page, not per line."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from core.ui.templatetags.money import money

    kinds = {value: str(label) for value, label in EntryKind.choices}
    link = reverse("ledger:entry", args=[_ENTRY_SENTINEL]).replace(str(_ENTRY_SENTINEL), "{}")
    word_for = gettext("for")
    months: dict = {}
    rows = []
    for e in entries:
        kind = kinds.get(e.kind, e.kind)
        service = e.service.name if e.service_id else ""
        explained = e.has_calculation or e.kind == EntryKind.TRANSFER or bool(e.reason)
        corrects = ""
        if e.corrects_period:
            if e.corrects_period not in months:
                months[e.corrects_period] = date_format(e.corrects_period, "F Y")
            corrects = f"{word_for} {months[e.corrects_period]}"
        rows.append(
            Row(
                label=service or kind,
                hint=kind if e.service_id else "",
                href=link.format(e.pk) if explained else "",
                corrects=corrects,
                amount=money(e.amount),
            )
        )
    return rows


@dataclass
class Bar:
    x: int
    width: int
    charged_y: int
    charged_h: int
    paid_y: int
    paid_h: int
    label: str


@dataclass
class AccountPage:
    access: AccountAccess
    balance: Decimal
    due_on: datetime.date | None
    due_month: datetime.date | None
    due_basis: str
    months: list[Month]
    bars: list[Bar]
    chart_height: int
    #: Names the months' content (``months_cache_key``): the page's HTML of them is cached too.
    cache_key: str = ""
    #: That HTML as read from the cache with the months (one ``MGET``), None when not there.
    months_html: str | None = None


def due_date(month: datetime.date) -> tuple[datetime.date | None, str]:
    """When ``month``'s charge is due, by the law's dated rule (``tenants.profile.rules``): the
    rule in force on the first day of the following month decides (the 10th, or the day the
    association set, until January 2026's charge; the 15th from February 2026's, due on 15 March
    2026); None where the charter sets the day and none is set (СНТ)."""
    from tenants.profile import selectors as profile

    following = next_month(month)
    in_force = profile.settings_in_force(following)
    if in_force.due_day is None:
        return None, str(in_force.due_day_rule.basis)
    return following.replace(day=min(in_force.due_day, days_in(following))), str(
        in_force.due_day_rule.basis
    )


CHART_WIDTH = 600
CHART_HEIGHT = 160


def chart(months: list[Month]) -> list[Bar]:
    """Bars of charged and paid per month, scaled to the largest (server-rendered SVG)."""
    shown = months[-12:]
    top = max([m.charged for m in shown] + [m.paid for m in shown] + [Decimal(1)])
    slot = CHART_WIDTH // max(len(shown), 1)
    width = max(slot // 2 - 2, 2)
    bars = []
    for index, m in enumerate(shown):
        ch = int(m.charged / top * CHART_HEIGHT) if m.charged > 0 else 0
        pa = int(m.paid / top * CHART_HEIGHT) if m.paid > 0 else 0
        bars.append(
            Bar(
                x=index * slot,
                width=width,
                charged_y=CHART_HEIGHT - ch,
                charged_h=ch,
                paid_y=CHART_HEIGHT - pa,
                paid_h=pa,
                label=m.period.strftime("%m.%y"),
            )
        )
    return bars


#: Bump when what a cached month holds (``Month``, ``Row``) or how it is made changes.
MONTHS_CACHE_VERSION = 1
MONTHS_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class JournalSummary:
    """What one aggregate query says of the entries a reader sees of an account."""

    count: int
    last_id: int | None
    total: Decimal
    last_charge: datetime.date | None
    services: str

    def fingerprint(self) -> str:
        """Names this exact set of entries: the journal is append-only (``EntryQuerySet``
        refuses updates and deletes), so (count, last id) changes with every new entry; the
        services' names shown on the lines are part of it."""
        import hashlib

        digest = hashlib.sha256(self.services.encode()).hexdigest()[:16]
        return f"{self.count}.{self.last_id}.{digest}"


def journal_summary(access: AccountAccess) -> JournalSummary:
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import Count, Max

    found = access.entries().aggregate(
        count=Count("pk"),
        last_id=Max("pk"),
        total=Sum("amount"),
        last_charge=Max("period", filter=Q(kind=EntryKind.CHARGE)),
        services=StringAgg("service__name", "|", distinct=True, order_by="service__name"),
    )
    return JournalSummary(
        count=found["count"] or 0,
        last_id=found["last_id"],
        total=found["total"] or ZERO,
        last_charge=found["last_charge"],
        services=found["services"] or "",
    )


def months_cache_key(access: AccountAccess, summary: JournalSummary) -> str:
    """The months of ``access`` as the active language shows them, for this set of entries."""
    from django.utils.translation import get_language

    scope = "all" if access.holding_ids is None else ",".join(sorted(map(str, access.holding_ids)))
    import hashlib

    scope_digest = hashlib.sha256(scope.encode()).hexdigest()[:16]
    return (
        f"ledger:months:v{MONTHS_CACHE_VERSION}:{access.account.pk}:{scope_digest}:"
        f"{summary.fingerprint()}:{get_language() or ''}"
    )


def months_html_key(months_key: str) -> str:
    """Where the account page keeps its HTML of the months named by ``months_key``."""
    return f"{months_key}:html"


def _months(access: AccountAccess) -> list[Month]:
    """The months of the entries ``access`` reads, oldest first, with their lines (``Row``)."""
    entries = list(
        access.entries()
        .select_related("service")
        # Only whether an entry has a calculation to explain, not the calculation itself.
        .defer("calculation")
        .annotate(has_calculation=ExpressionWrapper(~Q(calculation={}), BooleanField()))
        .order_by("-period", "kind", "id")
    )
    months: dict = {}
    for entry in entries:
        month = months.setdefault(entry.period, Month(entry.period))
        month.entries.append(entry)
        if entry.kind in (EntryKind.CHARGE, EntryKind.RECALCULATION):
            month.charged += entry.amount
        elif entry.kind == EntryKind.PAYMENT:
            month.paid -= entry.amount
        else:
            month.other += entry.amount
    ordered = sorted(months.values(), key=lambda m: m.period)
    for month in ordered:
        month.rows = _rows(month.entries)
    return ordered


def account_page(access: AccountAccess, *, summary: JournalSummary | None = None) -> AccountPage:
    """Balance, due date, months with their lines and the chart: a fixed number of queries
    whatever the number of months and entries.

    The months (their sums and lines, in the active language) are kept in the shared cache
    under ``months_cache_key``: the key names the exact set of entries (``journal_summary``,
    one aggregate query), so a new entry or a renamed service is a new key and nothing needs
    invalidating. ``Month.entries`` is empty for months read from the cache."""
    from django.core.cache import cache

    summary = summary or journal_summary(access)
    key = months_cache_key(access, summary)
    # The months and their HTML (``months_html_key``, the account page's) in one round trip.
    found = cache.get_many([key, months_html_key(key)])
    ordered = found.get(key) if summary.count else []
    if ordered is None:
        ordered = _months(access)
        cache.set(
            key,
            [replace(month, entries=[]) for month in ordered],
            MONTHS_CACHE_SECONDS,
        )
    if access.holding_ids is None:
        balance = (
            Balance.objects.filter(account=access.account).values_list("amount", flat=True).first()
            or ZERO
        )
    else:
        balance = summary.total
    # The month whose charge falls due next: the last one with a charge (a penalty's
    # recalculation booked in the current month does not make it a charged month).
    due_month = summary.last_charge
    due_on, basis = due_date(due_month) if due_month else (None, "")
    return AccountPage(
        access=access,
        balance=balance,
        due_on=due_on,
        due_month=due_month,
        due_basis=basis,
        months=list(reversed(ordered)),
        bars=chart(ordered),
        chart_height=CHART_HEIGHT,
        cache_key=key,
        months_html=found.get(months_html_key(key)),
    )


@dataclass(frozen=True)
class AccountBalance:
    access: AccountAccess
    balance: Decimal
    due_on: datetime.date | None


def balances(accesses: list[AccountAccess]) -> list[AccountBalance]:
    """The balance and due date of many accounts in two queries, plus the due-date rule once per
    month (the API's list): the same
    figures ``account_page`` gives for one, without reading every entry of every account."""
    ids = [access.account.pk for access in accesses]
    running = dict(Balance.objects.filter(account_id__in=ids).values_list("account_id", "amount"))
    totals: dict = {}
    charged: dict = {}
    holdings_of: dict = {}
    rows = (
        Entry.objects.filter(account_id__in=ids)
        .values("account_id", "holding_id", "kind", "period")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "holding_id", "kind", "period", "total")
    )
    for account_id, holding_id, kind, period, total in rows:
        key = (account_id, holding_id)
        holdings_of.setdefault(account_id, set()).add(holding_id)
        totals[key] = totals.get(key, ZERO) + total
        if kind in (EntryKind.CHARGE, EntryKind.RECALCULATION):
            by_month = charged.setdefault(key, {})
            by_month[period] = by_month.get(period, ZERO) + total
    due_of: dict = {}  # the due date is the same for every account charged in a month
    result = []
    for access in accesses:
        account_id = access.account.pk
        if access.holding_ids is None:
            holdings = holdings_of.get(account_id, set())
            balance = running.get(account_id) or ZERO
        else:
            holdings = access.holding_ids
            balance = sum((totals.get((account_id, h), ZERO) for h in holdings), ZERO)
        months: dict = {}
        for holding in holdings:
            for period, amount in charged.get((account_id, holding), {}).items():
                months[period] = months.get(period, ZERO) + amount
        charged_months = sorted(period for period, amount in months.items() if amount)
        due_on = None
        if charged_months:
            last = charged_months[-1]
            if last not in due_of:
                due_of[last] = due_date(last)[0]
            due_on = due_of[last]
        result.append(AccountBalance(access=access, balance=balance, due_on=due_on))
    return result


def explain(entry: Entry) -> list[tuple[str, str]]:
    """The calculation of a charge as lines (label, value) for "Explain my bill"."""
    from django.utils.translation import gettext as _

    calc = entry.calculation or {}
    lines: list[tuple[str, str]] = []
    base = calc.get("base") or {}
    kind = base.get("kind")
    labels = {
        "area": _("Area, m²"),
        "residents": _("Registered residents"),
        "premises": _("Per premises"),
        "sotki": _("Plot, сотки"),
        "volume": _("Volume by the meters"),
        "norm": _("Volume by the norm"),
        "common_house": _("Common-house volume, your share by area"),
        "heating": _("Heat by the building's meter, your share by area"),
    }
    if kind:
        lines.append((labels.get(kind, kind), f"{base.get('value', '')} {base.get('unit', '')}"))
    for meter in base.get("meters", []):
        lines.append((_("Meter"), f"{meter.get('volume', '')} — {meter.get('basis', '')}"))
        if meter.get("adjustment"):
            lines.append(
                (
                    _("Recalculation of estimates"),
                    f"{meter['adjustment']} — {meter.get('adjustment_basis', '')}",
                )
            )
    if kind == "common_house":
        lines.append((_("Building's common meters"), base.get("building_volume", "")))
        lines.append((_("Premises' own meters"), base.get("premises_volumes", "")))
        lines.append((_("Building's area, m²"), base.get("building_area", "")))
        if base.get("capped_by_norm"):
            lines.append((_("Capped by the norm"), base.get("norm", "")))
    if kind in ("norm", "heating") and base.get("norm"):
        lines.append((_("Norm per m²"), base.get("norm", "")))
    tariff = calc.get("tariff")
    if tariff:
        lines.append(
            (
                _("Tariff"),
                _("%(rate)s ₽ from %(date)s")
                % {"rate": tariff.get("rate"), "date": tariff.get("valid_from")},
            )
        )
    days = calc.get("days")
    if days and days.get("held") != days.get("in_month"):
        lines.append(
            (_("Days of the month charged to this holder"), f"{days['held']} / {days['in_month']}")
        )
    benefit = calc.get("benefit")
    if benefit:
        value = f"{benefit['value']} %" if benefit["kind"] == "percent" else f"{benefit['value']} ₽"
        lines.append((_("Benefit"), f"{value} (−{benefit['amount']} ₽) {benefit.get('basis', '')}"))
    if calc.get("unrounded"):
        lines.append((_("Before rounding"), calc["unrounded"]))
        lines.append((_("Rounding"), _("to kopecks, half up")))
    if entry.kind == EntryKind.RECALCULATION and entry.corrects_period:
        lines.append((_("Corrects"), entry.corrects_period.strftime("%m.%Y")))
    if entry.kind == EntryKind.TRANSFER:
        lines.append(
            (_("Basis"), _("ЖК РФ ст. 158 ч. 3: capital repair arrears pass to the new owner"))
        )
    if entry.reason:
        lines.append((_("Reason"), entry.reason))
    lines.append((_("Amount"), f"{entry.amount} ₽"))
    return lines


# -- the accountant's and the chairman's pages ------------------------------------------------


def services_with_tariffs() -> list[Service]:
    return list(
        Service.objects.prefetch_related("tariffs")
        .select_related("recipient")
        .order_by("order", "name")
    )


def service_for(user, pk) -> Service:
    if not reads_all(user):
        raise Http404
    service = Service.objects.filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


def tariffs_visible_to(user):
    """Tariffs are the association's decisions: every signed-in member reads them."""
    return Tariff.objects.select_related("service").order_by("service__order", "-valid_from")


def runs_visible_to(user):
    if not reads_all(user):
        return AccrualRun.objects.none()
    return AccrualRun.objects.order_by("-created_at")


def run_for(user, pk) -> AccrualRun:
    run = runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def periods():
    return list(Period.objects.order_by("-month")[:24])


@dataclass
class Totals:
    period: datetime.date
    charged: Decimal
    paid: Decimal

    @property
    def rate(self) -> Decimal | None:
        if self.charged <= 0:
            return None
        return (self.paid * 100 / self.charged).quantize(Decimal("0.1"))


def totals_by_month(months: int = 12) -> list[Totals]:
    """Charged (charges and recalculations) and paid per month, the last ``months`` (one query)."""
    since = month_of(timezone.localdate())
    for _ in range(months - 1):
        since = month_of(since - datetime.timedelta(days=1))
    rows = (
        Entry.objects.filter(period__gte=since)
        .values("period")
        .annotate(
            charged=Sum("amount", filter=Q(kind__in=[EntryKind.CHARGE, EntryKind.RECALCULATION])),
            paid=Sum("amount", filter=Q(kind=EntryKind.PAYMENT)),
        )
        .order_by("period")
    )
    return [Totals(row["period"], row["charged"] or ZERO, -(row["paid"] or ZERO)) for row in rows]
