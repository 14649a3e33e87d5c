"""The demo association's estimates: this year's, adopted at last December's meeting (its
protocol entered), with its expenditures month by month up to today and its rates set as the
ledger's tariffs (from the first month the demo's ledger has not charged yet: the ledger's demo
charged the past months with its own tariffs); and next year's draft, copied from it with the
maintenance lines raised by 7 %.

Deterministic, made once (skipped when any estimate exists). Runs after the ledger's demo
(``INSTALLED_APPS`` order), so the registry and the ledger's months exist; a month the ledger
closed refuses its expenditures and they are skipped, as the accountant's page would refuse them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.budget import services
from tenants.budget.models import Article, Basis, DecisionForm, Estimate

#: (article, name, planned a year, basis, comment)
LINES = (
    (Article.MAINTENANCE, "Уборка подъездов и придомовой территории", "1440000.00", Basis.AREA,
     "Договор с клининговой компанией"),
    (Article.MAINTENANCE, "Обслуживание лифтов", "624000.00", Basis.AREA, "2 лифта"),
    (Article.CURRENT_REPAIR, "Ремонт кровли (частичный)", "480000.00", Basis.AREA, ""),
    (Article.SALARIES, "Оплата труда управляющего и бухгалтера", "1320000.00", Basis.AREA,
     "Включая НДФЛ"),
    (Article.SALARIES, "Страховые взносы", "398640.00", Basis.AREA, "30,2 %"),
    (Article.UTILITIES, "Электроэнергия мест общего пользования", "216000.00", Basis.AREA, ""),
    (Article.MANAGEMENT, "Банковское обслуживание и программы", "96000.00", Basis.PREMISES, ""),
    (Article.RESERVE, "Резервный фонд", "150000.00", Basis.AREA, "Непредвиденные расходы"),
    (Article.CAPITAL_REPAIR, "Взносы на специальный счёт", "1425600.00", Basis.AREA,
     "Минимальный размер взноса по региону"),
)  # fmt: skip
SUPPLIERS = {
    Article.MAINTENANCE: "ООО «Чистый двор»",
    Article.CURRENT_REPAIR: "ООО «КровляСервис»",
    Article.SALARIES: "Ведомость",
    Article.UTILITIES: "АО «Энергосбыт»",
    Article.MANAGEMENT: "ПАО «Банк»",
}


def seed_demo() -> str:
    if Estimate.objects.exists():
        return ""
    today = timezone.localdate()
    with transaction.atomic():
        current = services.create_estimate(actor=None, year=today.year, title="Смета")
        for order, (article, name, planned, basis, comment) in enumerate(LINES):
            services.add_line(
                current,
                actor=None,
                article=article,
                name=name,
                planned=Decimal(planned),
                basis=basis,
                comment=comment,
                order=order * 10,
            )
        services.publish(current, actor=None)
        services.put_to_meeting(current, actor=None)
        decided = datetime.date(today.year - 1, 12, 10)
        services.record_decision(
            current,
            actor=None,
            adopted=True,
            decided_on=decided,
            form=DecisionForm.MIXED,
            protocol_number=f"4/{today.year - 1}",
            rates_from=_next_month(today),
        )
        try:
            with transaction.atomic():
                services.apply_rates(current, actor=None)
        except ValidationError:
            pass
        posted = _expenditures(current, today)
        draft = services.create_estimate(
            actor=None, year=today.year + 1, title="Смета (проект)", copy_from=current
        )
        for line in draft.lines.filter(article=Article.MAINTENANCE):
            services.update_line(
                line, actor=None, planned=(line.planned * Decimal("1.07")).quantize(Decimal("0.01"))
            )
    current.refresh_from_db()
    return (
        f"Demo estimates: {current.year} {current.status} ({posted} expenditures), "
        f"{draft.year} draft"
    )


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _expenditures(estimate: Estimate, today: datetime.date) -> int:
    posted = 0
    for line in estimate.lines.exclude(article__in=[Article.RESERVE, Article.CAPITAL_REPAIR]):
        monthly = (line.planned / 12).quantize(Decimal("0.01"))
        for month in range(1, today.month + 1):
            # A little over the plan in summer for the repair, a little under otherwise.
            factor = (
                Decimal("1.35")
                if line.article == Article.CURRENT_REPAIR and month in (6, 7)
                else Decimal("0.96")
            )  # noqa: E501
            try:
                with transaction.atomic():
                    services.post_expenditure(
                        line,
                        actor=None,
                        supplier=SUPPLIERS.get(line.article, "ООО «Поставщик»"),
                        document=f"Акт № {month}-{line.order}",
                        spent_on=datetime.date(
                            estimate.year, month, min(25, today.day) if month == today.month else 25
                        ),
                        amount=(monthly * factor).quantize(Decimal("0.01")),
                    )
                posted += 1
            except ValidationError:
                continue
    return posted
