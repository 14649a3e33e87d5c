"""The demo association's plan: «Дом», paid by invoice, with last month's счёт paid (its акт
ready) and this month's open, so the plan page, the PDFs and the console show something.
Made once (skipped when the demo has a subscription)."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone


def seed_demo() -> str:
    from associations.models import Association
    from billing.plans import services
    from billing.plans.models import (
        PaymentMethod,
        PaymentSource,
        Plan,
        Subscription,
        SubscriptionStatus,
    )

    association = Association.objects.filter(schema_name=connection.schema_name).first()
    if association is None or Subscription.objects.filter(association=association).exists():
        return ""
    now = timezone.now()
    with transaction.atomic():
        subscription = services.subscription_for(association, lock=True)
        subscription.plan = Plan.objects.get(code="house")
        subscription.payment_method = PaymentMethod.INVOICE
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.trial_ends_at = now - datetime.timedelta(days=40)
        subscription.current_period_end = now - datetime.timedelta(days=10)
        subscription.save()
        services._sync_association_plan(subscription)
        paid = services.issue_bank_invoice(association, subscription=subscription)
        paid.issued_at = now - datetime.timedelta(days=40)
        paid.due_at = now - datetime.timedelta(days=30)
        paid.period_start = (now - datetime.timedelta(days=40)).date()
        paid.period_end = (now - datetime.timedelta(days=11)).date()
        paid.save()
        services._record_payment(
            paid,
            amount=paid.amount,
            source=PaymentSource.OPERATOR,
            external_id=f"demo:{paid.pk}",
            when=now - datetime.timedelta(days=35),
        )
        services.issue_bank_invoice(association, subscription=subscription)
    return "plans: the demo pays «Дом» by invoice (one счёт paid, one open)"
