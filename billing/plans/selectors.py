"""Reads of plans and subscriptions (public schema tables, readable from any schema)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from billing.plans.models import InvoiceStatus, Plan, PlanInvoice, Subscription
from billing.plans.state import CATALOGUE_KEY

DEFAULT_PLAN = "start"


def public_plans() -> list[Plan]:
    """The plans sold on the landing page, cheapest first (cached: the landing page asks the
    database nothing for them once warm; forgotten when a plan is saved)."""
    found = cache.get(CATALOGUE_KEY)
    if found is None:
        found = list(Plan.objects.filter(is_public=True).order_by("position", "monthly_price"))
        cache.set(CATALOGUE_KEY, found, 3600)
    return found


def plan_by_code(code: str) -> Plan | None:
    return Plan.objects.filter(code=code).first()


def free_plan() -> Plan:
    return Plan.objects.filter(monthly_price=0).order_by("position").first()


def next_plan_for(premises: int, *, current: Plan | None = None) -> Plan | None:
    """The cheapest public plan that holds ``premises`` (above the current one)."""
    plans = [plan for plan in public_plans() if plan.max_premises >= premises]
    if current is not None:
        plans = [plan for plan in plans if plan.monthly_price > current.monthly_price] or plans
    return plans[0] if plans else None


def subscription_of(association) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(association=association).first()


def invoices_of(association) -> QuerySet[PlanInvoice]:
    return PlanInvoice.objects.filter(association=association).select_related("plan")


def invoice_of(association, invoice_id) -> PlanInvoice | None:
    """One of ``association``'s invoices; another's is None (a 404 by construction)."""
    return invoices_of(association).filter(pk=invoice_id).first()


def open_invoice(association) -> PlanInvoice | None:
    return invoices_of(association).filter(status=InvoiceStatus.OPEN).order_by("issued_at").first()


def subscriptions_for_console() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("plan", "association").order_by("association__name")


def premises_count() -> int | None:
    """The premises of the association of this connection, as the registry declares the count
    (``core.extensions``: billing reads no tenant app)."""
    from core import extensions

    for count in extensions.tenant_counts():
        if count.key == "premises":
            return count.count()
    return None
