"""The demo association's year of money: real services and tariffs (a tariff raised on 1 July,
as Russian tariffs are), a benefit, the accrual runs of the last twelve months through the same
code the accountant's page uses (area, registered residents, the meters' volumes, heating by
the building's heat meter, common-house water by the norm), the months before last closed and
one recalculation naming a closed month; then the payments, debtors and penalties
(``payments.demo``).

Deterministic, made once (skipped when any service exists). The meters' demo runs first
(``INSTALLED_APPS`` order) and gives the metered services twelve months of readings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tenants.ledger import services
from tenants.ledger.models import BenefitKind, Method, Service
from tenants.ledger.money import month_of, next_month

MONTHS = 12
#: (code, name, method, unit, resource, rate, norm, capital repair, order)
SERVICES = (
    ("maintenance", "Содержание и текущий ремонт", Method.AREA, "м²", "", "32.50", None, False, 10),
    ("capital", "Взнос на капитальный ремонт", Method.AREA, "м²", "", "19.80", None, True, 20),
    ("waste", "Обращение с ТКО", Method.RESIDENT, "чел.", "", "118.40", None, False, 30),
    ("cold", "Холодное водоснабжение", Method.METERED, "м³", "cold_water", "52.76", None, False,
     40),
    ("hot", "Горячее водоснабжение", Method.METERED, "м³", "hot_water", "243.15", None, False,
     50),
    ("heating", "Отопление", Method.HEATING, "Гкал", "heat", "2874.31", "0.0159", False, 60),
    ("cold-odn", "ХВС на содержание общего имущества", Method.COMMON_HOUSE, "м³", "cold_water",
     "52.76", "0.0250", False, 70),
)  # fmt: skip
#: The maintenance tariff raised from 1 July (within the demo's year) by the meeting's decision.
RAISE = ("maintenance", 7, "34.10")


def months_back(today: datetime.date, count: int) -> list[datetime.date]:
    """The ``count`` months before ``today``'s month, oldest first."""
    month = month_of(today)
    found = []
    for _i in range(count):
        month = month_of(month - datetime.timedelta(days=1))
        found.append(month)
    return list(reversed(found))


def _services(months: list[datetime.date]) -> dict[str, Service]:
    from tenants.profile.models import PaymentRecipient

    main = PaymentRecipient.objects.filter(is_main=True).first()
    capital = PaymentRecipient.objects.filter(is_main=False).order_by("title").first() or main
    first = months[0]
    made = {}
    for code, name, method, unit, resource, rate, norm, is_capital, order in SERVICES:
        service = services.create_service(
            actor=None,
            code=code,
            name=name,
            method=method,
            unit=unit,
            meter_kind=resource,
            is_capital_repair=is_capital,
            recipient=capital if is_capital else main,
            order=order,
        )
        services.add_tariff(
            actor=None,
            service=service,
            valid_from=first,
            rate=Decimal(rate),
            norm=Decimal(norm) if norm else None,
            basis="Решение общего собрания (демо)",
        )
        made[code] = service
    code, month_number, rate = RAISE
    for valid_from in (m for m in months[1:] if m.month == month_number):
        services.add_tariff(
            actor=None,
            service=made[code],
            valid_from=valid_from,
            rate=Decimal(rate),
            basis="Решение общего собрания об индексации с 1 июля (демо)",
        )
    return made


def seed_accruals() -> str:
    from tenants.residents.models import PersonalAccount

    if Service.objects.exists():
        return "accruals: already there"
    accounts = list(PersonalAccount.objects.order_by("number")[:2])
    if not accounts:
        return "accruals: no accounts"
    # The demo owner's flat 15 of «Дом 1» shows the recalculation, when the registry has it.
    owners_flat = (
        PersonalAccount.objects.filter(premises__building__name="Дом 1", premises__number="15")
        .order_by("number")
        .first()
    ) or accounts[0]
    months = months_back(timezone.localdate(), MONTHS)
    with transaction.atomic():
        made = _services(months)
        services.add_benefit(
            actor=None,
            account=accounts[-1],
            service=made["waste"],
            kind=BenefitKind.PERCENT,
            value=Decimal(50),
            started_on=months[0],
            basis="Удостоверение ветерана труда (демо)",
        )
    for month in months:
        # booked on the 1st of the following month, as the accountant would have run it
        services.accrue(month, actor=None, booked_on=next_month(month))
    for month in months[:-1]:
        services.close_period(month, actor=None)
    services.post_recalculation(
        actor=None,
        account=owners_flat,
        service=made["hot"],
        corrects_period=months[-3],
        amount=Decimal("-486.30"),
        reason="Горячей воды не было 6 дней (плановый ремонт), Правила 354 прил. 1 п. 4",
        period=months[-1],
    )
    return f"accruals: {len(made)} services, {len(months)} monthly runs"


def seed_demo() -> str:
    from tenants.ledger.payments.demo import seed_payments

    return f"ledger: {seed_accruals()}; {seed_payments()}"
