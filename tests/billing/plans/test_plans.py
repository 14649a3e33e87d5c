"""Plans as data, the chairman's page, bank invoices (счёт, акт, QR code), the operators'
confirmation and bank statement, dunning and the fallback of the board's features."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from billing.plans import documents, services, state, tasks
from billing.plans.models import (
    InvoiceStatus,
    PaymentMethod,
    Plan,
    PlanInvoice,
    PlanPayment,
    SubscriptionStatus,
)
from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.ledger.receipts import qr
from tests.billing.plans.conftest import add_premises
from tests.billing.plans.support import bank_invoice

pytestmark = pytest.mark.django_db


def test_the_landing_page_sells_the_plans_stored_as_data(public_client):
    page = public_client.get("/").content.decode()
    for code in ("start", "house", "quarter"):
        assert f'data-plan="{code}"' in page
    assert "1\u00a0490" in page
    connection.set_schema_to_public()
    Plan.objects.filter(code="house").update(monthly_price=Decimal("1790"))
    Plan.objects.get(code="house").save()  # forgets the cached catalogue
    page = public_client.get("/").content.decode()
    assert "1\u00a0790" in page and "1\u00a0490" not in page


def test_the_chairman_sees_the_plan_usage_and_that_stripe_is_off(
    alpha, chairman_client, stripe_off
):
    add_premises(alpha, 3)
    page = chairman_client.get("/settings/plan/").content.decode()
    assert 'data-plan="start"' in page
    assert 'data-stripe="off"' in page
    usage = page.split("data-usage>")[1].split("</dd>")[0]
    assert usage.replace(" ", "").startswith("3/50")
    assert 'value="stripe"' not in page  # no card without keys


def test_choosing_a_paid_plan_by_invoice_starts_the_trial_and_is_audited(
    alpha, chairman_client, stripe_off
):
    response = chairman_client.post(
        "/settings/plan/change/", {"plan": "house", "method": "invoice"}
    )
    assert response.status_code == 302
    subscription = services.subscription_for(alpha)
    assert subscription.plan.code == "house"
    assert subscription.status == SubscriptionStatus.TRIALING
    assert subscription.payment_method == PaymentMethod.INVOICE
    assert subscription.trial_ends_at > timezone.now() + datetime.timedelta(days=29)
    alpha.refresh_from_db()
    assert alpha.plan == "house"
    connection.set_tenant(alpha)
    assert AuditEntry.objects.filter(action="plans.plan_changed").count() == 1


def test_a_plan_smaller_than_the_registry_is_refused_and_the_next_plan_offered(
    alpha, chairman_client, stripe_off
):
    add_premises(alpha, 51)
    page = chairman_client.get("/settings/plan/").content.decode()
    assert "data-over-limit" in page
    assert 'data-billing="over-limit"' in chairman_client.get("/").content.decode()
    response = chairman_client.post("/settings/plan/change/", {"plan": "start", "method": ""})
    assert response.status_code == 200
    assert "Choose a larger plan" in response.content.decode() or "больше" in (
        response.content.decode()
    )
    assert services.subscription_for(alpha).status == SubscriptionStatus.FREE
    # Nothing is cut off: the board still works.
    assert chairman_client.get("/registry/").status_code == 200


def test_only_the_chairman_changes_the_plan(alpha, client_of, make_user, stripe_off):
    accountant = client_of(alpha, make_user(alpha, roles=[Role.ACCOUNTANT]))
    assert accountant.get("/settings/plan/").status_code == 200
    response = accountant.post("/settings/plan/change/", {"plan": "house", "method": "invoice"})
    assert response.status_code == 403
    assert services.subscription_for(alpha).plan.code == "start"


def test_a_bank_invoice_carries_its_own_st00012_code_and_renders(alpha, chairman_client):
    connection.set_tenant(alpha)
    invoice = bank_invoice(alpha)
    assert invoice.number.startswith("П-")
    values = qr.parse(documents.payload_for(invoice))
    assert values["Sum"] == "149000"
    assert invoice.number in values["Purpose"]
    assert values["PersonalAcc"] == documents.platform_legal()["account"]
    assert "TechCode" not in values  # not a housing payment
    response = chairman_client.get(f"/settings/plan/invoices/{invoice.pk}/invoice.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    # No акт before it is paid.
    assert chairman_client.get(f"/settings/plan/invoices/{invoice.pk}/act.pdf").status_code == 404


def test_amount_in_words():
    assert documents.amount_in_words(Decimal("1490")) == (
        "Одна тысяча четыреста девяносто рублей 00 копеек"
    )
    assert documents.amount_in_words(Decimal("3990.51")) == (
        "Три тысячи девятьсот девяносто рублей 51 копейка"
    )


def test_another_associations_invoice_is_a_404(alpha, beta, chairman_client):
    connection.set_tenant(beta)
    theirs = bank_invoice(beta)
    response = chairman_client.get(f"/settings/plan/invoices/{theirs.pk}/invoice.pdf")
    assert response.status_code == 404


def test_the_operator_confirms_a_transfer_the_act_appears_and_it_is_audited(
    alpha, console, chairman_client
):
    invoice = bank_invoice(alpha)
    connection.set_schema_to_public()
    response = console.post(f"/console/billing/invoices/{invoice.pk}/confirm/")
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert PlanPayment.objects.filter(invoice=invoice).count() == 1
    assert AuditEntry.objects.filter(action="plans.bank_payment_confirmed").count() == 1
    # Twice: refused, nothing recorded again.
    console.post(f"/console/billing/invoices/{invoice.pk}/confirm/")
    assert PlanPayment.objects.filter(invoice=invoice).count() == 1
    act = chairman_client.get(f"/settings/plan/invoices/{invoice.pk}/act.pdf")
    assert act.status_code == 200 and act.content.startswith(b"%PDF")


def test_the_bank_statement_pays_an_invoice_once(alpha, console):
    invoice = bank_invoice(alpha)
    connection.set_schema_to_public()
    line = f"05.12.2026;1490,00;Оплата по счёту {invoice.number} за портал;123"
    wrong = f"05.12.2026;1000,00;Оплата по счёту {invoice.number};124"
    response = console.post("/console/billing/statement/", {"lines": f"{line}\n{wrong}\nнечто"})
    page = response.content.decode()
    assert 'data-matched="1"' in page and 'data-unmatched="2"' in page
    console.post("/console/billing/statement/", {"lines": line})  # the same statement again
    assert PlanPayment.objects.filter(invoice=invoice).count() == 1
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_operators_grant_a_plan_and_extend_a_trial_audited(alpha, console):
    connection.set_schema_to_public()
    until = (timezone.now() + datetime.timedelta(days=90)).date()
    response = console.post(
        f"/console/billing/associations/{alpha.pk}/grant/",
        {"plan": "quarter", "until": until.isoformat()},
    )
    assert response.status_code == 302
    subscription = services.subscription_for(alpha)
    assert subscription.plan.code == "quarter" and subscription.status == "active"
    assert subscription.payment_method == PaymentMethod.MANUAL
    response = console.post(f"/console/billing/associations/{alpha.pk}/trial/", {"days": 10})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.TRIALING
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"plans.plan_granted", "plans.trial_extended"} <= actions
    # A bad number of days: a clear answer, nothing changed.
    response = console.post(f"/console/billing/associations/{alpha.pk}/trial/", {"days": 500})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="plans.trial_extended").count() == 1
    # Past dates refused.
    response = console.post(
        f"/console/billing/associations/{alpha.pk}/grant/",
        {"plan": "house", "until": "2001-01-01"},
    )
    assert response.status_code == 200
    assert services.subscription_for(alpha).plan.code == "quarter"


def test_the_console_lists_every_associations_plan_and_billing_state(alpha, beta, console):
    invoice = bank_invoice(alpha)
    PlanInvoice.objects.filter(pk=invoice.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert services.mark_overdue_bank_invoices() == 1
    connection.set_schema_to_public()
    page = console.get("/console/billing/").content.decode()
    row = page.split('data-slug="alpha"')[1].split("</tr>")[0]
    assert 'data-billing-state="overdue"' in row
    assert 'data-slug="beta"' in page
    detail = console.get(f"/console/billing/associations/{alpha.pk}/").content.decode()
    assert 'data-status="past_due"' in detail


def _overdue(alpha, *, days_ago: int):
    invoice = bank_invoice(alpha)
    PlanInvoice.objects.filter(pk=invoice.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    services.mark_overdue_bank_invoices()
    return invoice


def test_an_overdue_plan_warns_the_board_on_every_page_and_by_email_not_the_members(
    alpha, chairman_client, client_of, make_user, settings
):
    _overdue(alpha, days_ago=1)
    page = chairman_client.get("/").content.decode()
    assert 'data-billing="overdue"' in page
    assert 'data-billing="overdue"' in chairman_client.get("/registry/").content.decode()
    owner = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    assert "data-billing" not in owner.get("/").content.decode()
    connection.set_schema_to_public()
    assert tasks.warn_overdue() == 1
    assert tasks.warn_overdue() == 0  # not every day
    from tenants.notifications.services import deliver_pending

    connection.set_tenant(alpha)
    mail.outbox.clear()
    deliver_pending()
    assert any("plan" in m.subject.lower() or "тариф" in m.subject.lower() for m in mail.outbox)


def test_after_the_grace_period_paid_features_stop_for_the_board_and_payment_restores_them(
    alpha, chairman_client, console, settings
):
    settings.TSZH_BILLING_GRACE_DAYS = 14
    invoice = _overdue(alpha, days_ago=20)
    subscription = services.subscription_for(alpha)
    assert state.compute(subscription).limited
    page = chairman_client.get("/").content.decode()
    assert 'data-billing="limited"' in page
    # The registry's spreadsheet import (a paid feature): reading open, changing refused.
    assert chairman_client.get("/registry/import/").status_code == 200
    refused = chairman_client.post("/registry/import/", {})
    assert refused.status_code == 403
    assert "plans:index" not in refused.content.decode()
    # What members and the law depend on is not touched (the registry, accruals, letters...).
    assert chairman_client.post("/settings/profile/contacts/", {}).status_code != 403
    # Drafting the estimate stops; putting it to a meeting, its decision and rates do not.
    some = uuid.uuid4()
    assert chairman_client.post(f"/budget/{some}/lines/add/", {}).status_code == 403
    for action in ("meeting", "decision", "apply", "publish"):
        assert chairman_client.post(f"/budget/{some}/{action}/", {}).status_code != 403
    # The payment restores everything at once.
    connection.set_schema_to_public()
    console.post(f"/console/billing/invoices/{invoice.pk}/confirm/")
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert not state.compute(subscription).overdue
    assert "data-billing" not in chairman_client.get("/").content.decode()
    assert chairman_client.post("/registry/import/", {}).status_code != 403


def test_the_demo_pays_its_plan_by_invoice_once(alpha, chairman_client):
    from billing.plans.demo import seed_demo

    connection.set_tenant(alpha)
    assert seed_demo()
    assert seed_demo() == ""  # made once
    subscription = services.subscription_for(alpha)
    assert subscription.plan.code == "house" and not state.compute(subscription).overdue
    invoices = PlanInvoice.objects.filter(association=alpha)
    statuses = sorted(invoices.values_list("status", flat=True))
    assert statuses == ["open", "paid"]
    page = chairman_client.get("/settings/plan/").content.decode()
    assert page.count("data-invoice=") == 2 and "act.pdf" in page


def test_the_daily_job_invoices_a_trial_about_to_end_once(alpha, chairman_client, stripe_off):
    chairman_client.post("/settings/plan/change/", {"plan": "house", "method": "invoice"})
    connection.set_schema_to_public()
    subscription = services.subscription_for(alpha)
    subscription.trial_ends_at = timezone.now() + datetime.timedelta(days=5)
    subscription.save()
    assert tasks.daily()["issued"] == 1
    assert tasks.daily()["issued"] == 0
    invoice = PlanInvoice.objects.get(association=alpha)
    assert invoice.amount == Decimal("1490.00") and invoice.status == InvoiceStatus.OPEN
    assert not state.compute(services.subscription_for(alpha)).overdue


def test_the_console_billing_page_asks_the_same_queries_for_more_subscriptions(
    alpha, beta, console
):
    from tests.query_counts import query_count

    services.subscription_for(alpha)
    connection.set_schema_to_public()
    one = query_count(console, "/console/billing/")
    services.subscription_for(beta)
    bank_invoice(beta)
    connection.set_schema_to_public()
    assert query_count(console, "/console/billing/") == one
