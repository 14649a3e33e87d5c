"""Billing's Celery tasks (public schema): webhook events, bank invoices, warnings.

Arguments are ids only. Each task calls its service from inside the task.
"""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="plans.process_event", acks_late=True)
def process_event(event_pk: int) -> str:
    from billing.plans import services

    return services.process_event(event_pk)


@shared_task(name="plans.process_connect_event", acks_late=True)
def process_connect_event(event_pk: int) -> str:
    """A Connect event of the platform's endpoint, routed to its association's schema."""
    from billing.plans import connect

    return connect.process(event_pk)


@shared_task(name="plans.daily")
def daily() -> dict:
    """Issue the bank invoices that are due, mark the overdue ones, warn the boards."""
    from billing.plans import services

    issued = services.issue_due_bank_invoices()
    overdue = services.mark_overdue_bank_invoices()
    warned = warn_overdue()
    return {"issued": issued, "overdue": overdue, "warned": warned}


def warn_overdue() -> int:
    """Email the board of each overdue association (every ``WARN_EVERY``), in its schema."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from billing.plans import services

    count = 0
    for association_id, schema in services.associations_to_warn():
        with schema_context(schema), transaction.atomic():
            warn_board()
            services.mark_warned(association_id)
        count += 1
    return count


def warn_board() -> None:
    """The board's email (through the association's notifications, kind ``plans.payment_due``).

    A shared app imports no tenant app: the notifications offer the send as a declared hook
    (``core.extensions.operator_hook``), run here inside the association's schema.
    """
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from billing.plans.declaration import NOTIFY_MEMBERS, PAYMENT_DUE
    from core.extensions import operator_hook

    notify_members = operator_hook(NOTIFY_MEMBERS)
    notify_members(
        kind=PAYMENT_DUE,
        subject=_("The portal's plan is not paid"),
        body=_(
            "The payment for the association's plan failed or is missing. Pay it to keep the "
            "board's features: after the grace period the board falls back to the free plan's "
            "features. Members' accounts, accruals, readings, payments, letters, meetings and "
            "disclosure keep working."
        ),
        path=reverse("plans:index", urlconf="config.urls_tenant"),
    )
