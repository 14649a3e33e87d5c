"""Registry objects for tests, made through the registry's services (so they are valid,
encrypted and audited like the real thing). Call them inside a tenant schema (``in_alpha``)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from fractions import Fraction

import factory

from tenants.residents import services
from tenants.residents.models import Building, Owner, Premises

SINCE = datetime.date(2020, 1, 1)
_numbers = itertools.count(1)


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"Дом {n}")
    address = factory.Sequence(lambda n: f"г. Москва, ул. Тестовая, д. {n}")


def make_premises(
    building: Building | None = None,
    *,
    number: str | None = None,
    kind: str = "flat",
    area: str = "50.00",
    account: str | None = "auto",
    **fields,
) -> Premises:
    """Premises with (by default) one personal account whose holding started on ``SINCE``."""
    n = next(_numbers)
    return services.create_premises(
        building=building or BuildingFactory(),
        kind=kind,
        number=number or str(n),
        area=Decimal(area),
        account_number=f"T-{n:05d}" if account == "auto" else (account or ""),
        started_on=SINCE,
        **fields,
    )


def make_owner(
    premises: Premises,
    *,
    share=1,
    name: str = "Петрова Мария Ивановна",
    email: str | None = None,
    phone: str | None = None,
    user=None,
    started_on: datetime.date = SINCE,
    **kwargs,
) -> Owner:
    """A person owning ``share`` of ``premises``, under its first account's current holding."""
    account = premises.accounts.order_by("number").first()
    return services.add_owner(
        services.current_holding(account),
        premises=premises,
        share=Fraction(share),
        started_on=started_on,
        person={"full_name": name, "primary_email": email, "primary_phone": phone},
        user=user,
        **kwargs,
    )
