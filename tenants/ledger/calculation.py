"""The monthly charge of every account for every service, with its explanation.

Pure reading: ``calculate(period)`` gathers what a month's charges depend on in a fixed number
of queries (accounts with their premises, the holdings of the month, tariffs, benefits,
registered residents, the meters' billing volumes) and returns ``Charge`` rows; posting them is
``services``' business. The rules, each with its basis:

* **area** (ЖК РФ ст. 156 ч. 1, 158 ч. 1): area (m²) × rate;
* **resident** (Правила 354 п. 42, 56(2)): registered residents of the month
  (``tenants.residents.member_selectors.registered_residents_count``'s rule) × rate;
* **metered** (Правила 354 п. 42, 59, 60): the meters app's billing volume of the premises'
  meters of the service's resource (actual, average or norm, with its basis; an adjustment of
  earlier estimates, п. 61, is added) × rate;
* **common_house** (ОДН/СОИ, Правила 354 п. 40, 44; ЖК ст. 156 ч. 9.2): the building's
  common-house volume (its common meters less the premises' own volumes) shared by area,
  capped by the norm × area; without a common meter, the norm × area; × rate;
* **heating** (Правила 354 п. 42(1), appendix 2 formulas 2 and 3): the building's heat meter
  volume shared by area where flats have no meters of their own; without it, norm × area;
  × rate;
* **fixed**: rate per premises; **plot** (СНТ): area / 100 (сотки) × rate;
* **membership** (217-ФЗ ст. 14 ч. 1–2, 5): per сотка × rate; **target** (ст. 14 ч. 6): rate
  per plot. Individual gardeners pay the same amounts (ст. 5 ч. 3); the charge is the same.

A month held by two holders is charged by days (each holding its days / the month's days).
The tariff is the one in force on the month's first day; a benefit in force that day applies
(percent off, or a fixed reduction prorated by days, never below zero). The amount is rounded
once, to kopecks, half up (``money.kopecks``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from tenants.ledger.models import Benefit, BenefitKind, Method, Service, Tariff
from tenants.ledger.money import ZERO, days_in, kopecks, last_day
from tenants.residents.models import Holding, PersonalAccount

SOTKA = Decimal(100)
HUNDRED = Decimal(100)


@dataclass
class Charge:
    account_id: object
    holding_id: object
    service_id: object
    amount: Decimal
    calculation: dict = field(default_factory=dict)


@dataclass
class _Account:
    id: object
    number: str
    premises_id: object
    building_id: object
    area: Decimal
    holdings: list = field(default_factory=list)  # [(holding_id, days)]


#: A volume shared by area is kept to a millionth of a unit (m³, Гкал) before the tariff applies,
#: so the explanation's figures multiply out to the charge exactly.
VOLUME_PLACES = Decimal("0.000001")


def _volume(value: Decimal) -> Decimal:
    return value.quantize(VOLUME_PLACES, rounding=ROUND_HALF_UP)


def _plain(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def _accounts(period: datetime.date, account_ids=None) -> list[_Account]:
    first, last = period, last_day(period)
    rows = PersonalAccount.objects.filter(premises__isnull=False)
    if account_ids is not None:
        rows = rows.filter(pk__in=list(account_ids))
    found = {
        pk: _Account(pk, number, premises_id, building_id, area or ZERO)
        for pk, number, premises_id, building_id, area in rows.values_list(
            "pk", "number", "premises_id", "premises__building_id", "premises__area"
        ).order_by("number")
    }
    holdings = Holding.objects.filter(account_id__in=list(found), started_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=first)
    )
    end = last + datetime.timedelta(days=1)
    for pk, account_id, started_on, ended_on in holdings.values_list(
        "pk", "account_id", "started_on", "ended_on"
    ).order_by("started_on"):
        days = (min(ended_on or end, end) - max(started_on, first)).days
        if days > 0:
            found[account_id].holdings.append((pk, days))
    for account in found.values():
        if not account.holdings:
            account.holdings.append((None, days_in(period)))
    return list(found.values())


def tariffs_in_force(period: datetime.date) -> dict:
    """``{service_id: Tariff}`` in force on the month's first day (one query)."""
    found = {}
    for tariff in Tariff.objects.filter(valid_from__lte=period).order_by(
        "service_id", "-valid_from"
    ):
        found.setdefault(tariff.service_id, tariff)
    return found


def _benefits(period: datetime.date) -> dict:
    found = {}
    rows = Benefit.objects.filter(started_on__lte=period).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=period)
    )
    for benefit in rows.order_by("started_on"):
        found[(benefit.account_id, benefit.service_id)] = benefit
    return found


class _Volumes:
    """The meters' billing volumes of the month, summed by premises and by building and
    resource (``tenants.meters.billing.billing_volumes``: five queries for all meters)."""

    def __init__(self, period: datetime.date, kinds: set[str]):
        self.premises: dict = defaultdict(lambda: {"volume": ZERO, "adjustment": ZERO, "basis": []})
        self.building: dict = defaultdict(lambda: {"volume": ZERO, "basis": []})
        self.has_premises_meters: set = set()
        if not kinds:
            return
        from tenants.meters import billing
        from tenants.meters.models import Meter

        meters = Meter.objects.filter(kind__in=kinds)
        where = {
            pk: (premises_id, building_id, kind)
            for pk, premises_id, building_id, kind in meters.values_list(
                "pk", "premises_id", "building_id", "kind"
            )
        }
        for volume in billing.billing_volumes(period, meters=meters):
            premises_id, building_id, kind = where[volume.meter_id]
            if volume.volume is None and not volume.adjustment:
                continue
            if premises_id is not None:
                row = self.premises[(premises_id, kind)]
                row["volume"] += volume.volume or ZERO
                row["adjustment"] += volume.adjustment or ZERO
                row["basis"].append(
                    {
                        "meter": str(volume.meter_id),
                        "method": volume.method,
                        "volume": _plain(volume.volume),
                        "basis": str(volume.basis),
                        "adjustment": _plain(volume.adjustment) if volume.adjustment else "",
                        "adjustment_basis": str(volume.adjustment_basis),
                    }
                )
                self.has_premises_meters.add((premises_id, kind))
            else:
                row = self.building[(building_id, kind)]
                row["volume"] += volume.volume or ZERO
                row["basis"].append(
                    {
                        "meter": str(volume.meter_id),
                        "method": volume.method,
                        "volume": _plain(volume.volume),
                    }
                )


def _base(service: Service, tariff: Tariff, account: _Account, ctx: dict):
    """(quantity, explanation of the base) for one account and service, or None: nothing to
    charge (no volume)."""
    method = service.method
    area = account.area
    if method == Method.AREA:
        return area, {"kind": "area", "value": _plain(area), "unit": "m²"}
    if method == Method.RESIDENT:
        count = Decimal(ctx["residents"].get(account.premises_id, 0))
        return count, {"kind": "residents", "value": _plain(count), "unit": "persons"}
    if method == Method.FIXED or method == Method.TARGET:
        return Decimal(1), {"kind": "premises", "value": "1", "unit": "premises"}
    if method in (Method.PLOT, Method.MEMBERSHIP):
        sotki = area / SOTKA
        return sotki, {
            "kind": "sotki",
            "value": _plain(sotki),
            "unit": "сотка",
            "area": _plain(area),
        }
    volumes: _Volumes = ctx["volumes"]
    if method == Method.METERED:
        row = volumes.premises.get((account.premises_id, service.meter_kind))
        if row is None:
            return None
        quantity = row["volume"] + row["adjustment"]
        return quantity, {
            "kind": "volume",
            "value": _plain(row["volume"]),
            "adjustment": _plain(row["adjustment"]) if row["adjustment"] else "",
            "unit": service.unit,
            "meters": row["basis"],
        }
    building_area = ctx["building_area"].get(account.building_id) or ZERO
    norm = tariff.norm
    common = volumes.building.get((account.building_id, service.meter_kind))
    if method == Method.COMMON_HOUSE:
        cap = norm * area if norm is not None else None
        if common is None or not building_area:
            if cap is None:
                return None
            return cap, {
                "kind": "norm",
                "norm": _plain(norm),
                "area": _plain(area),
                "value": _plain(cap),
                "unit": service.unit,
            }
        own = ctx["building_own"].get((account.building_id, service.meter_kind), ZERO)
        shared = max(common["volume"] - own, ZERO)
        share = _volume(shared * area / building_area)
        capped = cap is not None and share > cap
        quantity = cap if capped else share
        return quantity, {
            "kind": "common_house",
            "building_volume": _plain(common["volume"]),
            "premises_volumes": _plain(own),
            "shared": _plain(shared),
            "area": _plain(area),
            "building_area": _plain(building_area),
            "share": _plain(share),
            "norm": _plain(norm),
            "capped_by_norm": capped,
            "value": _plain(quantity),
            "unit": service.unit,
        }
    if method == Method.HEATING:
        if common is None or not building_area:
            if norm is None:
                return None
            quantity = norm * area
            return quantity, {
                "kind": "norm",
                "norm": _plain(norm),
                "area": _plain(area),
                "value": _plain(quantity),
                "unit": service.unit,
            }
        quantity = _volume(common["volume"] * area / building_area)
        return quantity, {
            "kind": "heating",
            "building_volume": _plain(common["volume"]),
            "area": _plain(area),
            "building_area": _plain(building_area),
            "value": _plain(quantity),
            "unit": service.unit,
        }
    return None


def _context(period: datetime.date, accounts: list[_Account], services: list[Service]) -> dict:
    from tenants.residents.member_selectors import registered_residents_counts
    from tenants.residents.models import Premises

    methods = {s.method for s in services}
    ctx: dict = {"residents": {}, "building_area": {}, "building_own": {}}
    if Method.RESIDENT in methods:
        ctx["residents"] = registered_residents_counts({a.premises_id for a in accounts}, period)
    kinds = {
        s.meter_kind
        for s in services
        if s.meter_kind and s.method in (Method.METERED, Method.COMMON_HOUSE, Method.HEATING)
    }
    ctx["volumes"] = volumes = _Volumes(period, kinds)
    if methods & {Method.COMMON_HOUSE, Method.HEATING}:
        areas: dict = defaultdict(lambda: ZERO)
        for building_id, area in Premises.objects.values_list("building_id", "area"):
            areas[building_id] += area or ZERO
        ctx["building_area"] = dict(areas)
        building_of = dict(Premises.objects.values_list("pk", "building_id"))
        own: dict = defaultdict(lambda: ZERO)
        for (premises_id, kind), row in volumes.premises.items():
            own[(building_of.get(premises_id), kind)] += row["volume"]
        ctx["building_own"] = dict(own)
    return ctx


def calculate(period: datetime.date, *, account_ids=None, progress=None) -> list[Charge]:
    """Every charge of ``period`` (a month's first day): one per account, holding of the month
    and active service with a tariff. ``progress(done, total)`` is called now and then."""
    services = [s for s in Service.objects.filter(is_active=True).order_by("order", "name")]
    tariffs = tariffs_in_force(period)
    services = [s for s in services if s.pk in tariffs]
    accounts = _accounts(period, account_ids)
    if not services or not accounts:
        return []
    benefits = _benefits(period)
    ctx = _context(period, accounts, services)
    month_days = days_in(period)
    charges: list[Charge] = []
    total = len(accounts)
    for index, account in enumerate(accounts, 1):
        for service in services:
            tariff = tariffs[service.pk]
            found = _base(service, tariff, account, ctx)
            if found is None:
                continue
            quantity, base = found
            full = quantity * tariff.rate
            benefit = benefits.get((account.id, service.pk))
            for holding_id, days in account.holdings:
                amount = full * days / month_days if days != month_days else full
                explained_benefit = None
                if benefit is not None:
                    if benefit.kind == BenefitKind.PERCENT:
                        off = amount * benefit.value / HUNDRED
                    else:
                        off = benefit.value * days / month_days
                    off = min(off, amount)
                    amount -= off
                    explained_benefit = {
                        "kind": benefit.kind,
                        "value": _plain(benefit.value),
                        "amount": _plain(kopecks(off)),
                        "since": benefit.started_on.isoformat(),
                        "basis": benefit.basis,
                    }
                rounded = kopecks(amount)
                if rounded == 0 and quantity == 0:
                    continue
                charges.append(
                    Charge(
                        account.id,
                        holding_id,
                        service.pk,
                        rounded,
                        {
                            "method": service.method,
                            "base": base,
                            "tariff": {
                                "rate": _plain(tariff.rate),
                                "valid_from": tariff.valid_from.isoformat(),
                                "basis": tariff.basis,
                            },
                            "full_month": _plain(full),
                            "days": {"held": days, "in_month": month_days},
                            "benefit": explained_benefit,
                            "unrounded": _plain(amount),
                            "rounding": "ROUND_HALF_UP 0.01",
                            "amount": _plain(rounded),
                        },
                    )
                )
        if progress is not None and (index % 1000 == 0 or index == total):
            progress(index, total)
    return charges
