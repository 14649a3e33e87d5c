"""Ledger objects for tests, made through the services. Call inside a tenant schema."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from tenants.ledger import services
from tenants.ledger.models import Method

_codes = itertools.count(1)
JAN = datetime.date(2025, 1, 1)


def add_service(method=Method.AREA, rate="10.00", *, valid_from=JAN, norm=None, **fields):
    fields.setdefault("code", f"svc-{next(_codes)}")
    fields.setdefault("name", f"Service {fields['code']}")
    service = services.create_service(actor=None, method=method, **fields)
    services.add_tariff(
        actor=None, service=service, valid_from=valid_from, rate=Decimal(rate), norm=norm
    )
    return service
