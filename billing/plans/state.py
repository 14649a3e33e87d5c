"""An association's billing state as every page needs it: cheap, cached, computed from the
subscription row and the time.

* ``overdue``: a payment failed or is missing (Stripe's ``past_due``/``unpaid``, an unpaid bank
  invoice past its due date, a trial ended without a way to pay): the board is warned on every
  page (``templates/plans/banner.html``) and by email (``tasks.warn_overdue``).
* ``limited``: overdue for longer than ``GRACE_DAYS``: the board falls back to the free plan's
  features (``gating.GATED_NAMESPACES``); everything stays readable and exportable.
* ``over_limit``: more premises than the plan allows: told and offered the next plan, never cut.

The state is cached per association (``STATE_TTL``, and forgotten whenever a plan or a
subscription is saved), so a warm page asks the database nothing for it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

STATE_TTL = 300
CACHE_PREFIX = "plans:state:"


def grace_days() -> int:
    return int(getattr(settings, "TSZH_BILLING_GRACE_DAYS", 14))


@dataclass(frozen=True)
class BillingState:
    plan_code: str
    plan_name: str
    status: str
    overdue: bool = False
    limited: bool = False
    limited_from: datetime.datetime | None = None
    trial_ends_at: datetime.datetime | None = None
    max_premises: int = 0
    premises: int | None = None

    @property
    def over_limit(self) -> bool:
        return self.premises is not None and self.premises > self.max_premises


def _key(association_id) -> str:
    return f"{CACHE_PREFIX}{association_id}"


def forget(sender=None, instance=None, **kwargs) -> None:
    """Drop the cached state (a signal receiver for Plan and Subscription saves). A plan's
    change reaches the associations' cached states within ``STATE_TTL``.

    The cache's keys carry the schema of the connection that wrote them (``KEY_FUNCTION``): a
    page of the association cached its state under the association's schema, while a webhook's
    task saves in the public one, so the key is deleted under both."""
    association_id = getattr(instance, "association_id", None)
    cache.delete(CATALOGUE_KEY)
    if association_id is None:
        return
    from associations.models import Association

    key = _key(association_id)
    cache.delete(key)
    schema = (
        Association.objects.filter(pk=association_id).values_list("schema_name", flat=True).first()
    )
    if schema:
        cache._cache.delete(f"{schema}:{cache.key_prefix}:{cache.version}:{key}")


CATALOGUE_KEY = "plans:catalogue"


def compute(subscription, *, now=None, premises: int | None = None) -> BillingState:
    """The state of ``subscription`` (with its plan loaded) at ``now``."""
    from billing.plans.models import OVERDUE, SubscriptionStatus

    now = now or timezone.now()
    plan = subscription.plan
    granted = subscription.granted_until is not None and subscription.granted_until > now
    overdue = not granted and subscription.status in OVERDUE
    if (
        not granted
        and subscription.status == SubscriptionStatus.TRIALING
        and subscription.trial_ends_at
        and subscription.trial_ends_at < now
        and subscription.payment_method in ("none", "invoice")
    ):
        overdue = True  # a trial over with nothing paid
    since = subscription.past_due_since or subscription.trial_ends_at
    limited_from = since + datetime.timedelta(days=grace_days()) if overdue and since else None
    return BillingState(
        plan_code=plan.code,
        plan_name=plan.display_name,
        status=subscription.status,
        overdue=overdue,
        limited=bool(limited_from and limited_from <= now),
        limited_from=limited_from,
        trial_ends_at=subscription.trial_ends_at,
        max_premises=plan.max_premises,
        premises=premises,
    )


def state_of(association) -> BillingState | None:
    """The cached state of ``association`` (None for the public site). Read from a page of the
    association itself, it counts the premises too (for the over-the-limit notice)."""
    if association is None or getattr(association, "schema_name", "") == "public":
        return None
    key = _key(association.pk)
    found = cache.get(key)
    if found is not None:
        return found or None
    from django.db import connection

    from billing.plans import selectors
    from billing.plans.models import Plan, Subscription

    subscription = (
        Subscription.objects.select_related("plan").filter(association_id=association.pk).first()
    )
    if subscription is None:  # never changed its plan: the one it signed up with, unsaved
        plan = Plan.objects.filter(code=association.plan or "").first() or selectors.free_plan()
        subscription = Subscription(association_id=association.pk, plan=plan) if plan else None
    premises = None
    if subscription is not None and connection.schema_name == association.schema_name:
        premises = selectors.premises_count()
    state = compute(subscription, premises=premises) if subscription is not None else None
    cache.set(key, state or False, STATE_TTL)
    return state
