"""Expectations of the online payment pages and webhooks (billing.payments, issue 17).

Objects are someone else's: an account nobody in the test holds, a payment nobody in the test
made. Members get 404 where their role opens that kind of page (paying, a payment's page, the
test provider's page), every other role 403; the accountant's pages open for the board and
the accountant, refunds and the reconciliation for the accountant only (POST: 405 for a GET);
the settings for the board. The webhooks take no session: 405 to a GET for everyone.
"""

from __future__ import annotations

from decimal import Decimal

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    METHOD_ACTORS,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    REDIRECT,
    TENANT_URLCONF,
    UNAUTHORIZED,
    answers,
    api,
    everyone,
)
from tests.access_expectations.ledger import account_kwargs

BOARD = (Role.CHAIRMAN.value, Role.BOARD_MEMBER.value)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)


def members_only(answer):
    return answers(FORBIDDEN, **dict.fromkeys(MEMBERS, answer))


def readers(answer=OK, members=FORBIDDEN):
    return answers(
        FORBIDDEN,
        **dict.fromkeys(BOARD, answer),
        accountant=answer,
        **dict.fromkeys(MEMBERS, members),
    )


def api_readers(members=OK):
    return api(
        FORBIDDEN,
        **dict.fromkeys(BOARD, OK),
        accountant=OK,
        **dict.fromkeys(MEMBERS, members),
    )


def payment_kwargs(_association):
    from billing.payments.models import OnlinePayment
    from tests.tenants.residents.factories import make_premises

    payment = OnlinePayment.objects.create(
        account=make_premises().accounts.get(), amount=Decimal("10.00"), provider="test"
    )
    return {"pk": payment.pk}


def return_kwargs(association):
    from billing.payments import tokens

    kwargs = payment_kwargs(association)
    return {**kwargs, "token": tokens.make_token(kwargs["pk"])}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "payments:pay"): (account_kwargs, members_only(NOT_FOUND)),
    (TENANT_URLCONF, "payments:payment"): (payment_kwargs, readers(OK, members=NOT_FOUND)),
    (TENANT_URLCONF, "payments:confirm"): (payment_kwargs, members_only(NOT_ALLOWED)),
    # The provider's return link: a member's own payment only (someone else's: 404).
    (TENANT_URLCONF, "payments:return"): (return_kwargs, members_only(NOT_FOUND)),
    (TENANT_URLCONF, "payments:test-checkout"): (payment_kwargs, members_only(NOT_FOUND)),
    (TENANT_URLCONF, "payments:board"): ({}, readers()),
    (TENANT_URLCONF, "payments:reconcile"): ({}, answers(FORBIDDEN, accountant=NOT_ALLOWED)),
    (TENANT_URLCONF, "payments:refund"): (payment_kwargs, answers(FORBIDDEN, accountant=OK)),
    (TENANT_URLCONF, "payments:settings"): ({}, answers(FORBIDDEN, **dict.fromkeys(BOARD, OK))),
    # Connect onboarding: the chairman alone (a POST; Stripe's refresh link is a GET that
    # sends back to the settings, here with "Stripe is not set up" since the matrix has no key).
    (TENANT_URLCONF, "payments:stripe-connect"): ({}, answers(FORBIDDEN, chairman=NOT_ALLOWED)),
    (TENANT_URLCONF, "payments:stripe-refresh"): ({}, answers(FORBIDDEN, chairman=REDIRECT)),
    # The API: a member reads the payments of their own accounts and starts one; the board and
    # the accountant read every one (someone else's payment: 404 for a member).
    (TENANT_URLCONF, "payments:api-payments"): ({}, api_readers()),
    (TENANT_URLCONF, "payments:api-payment"): (payment_kwargs, api_readers(members=NOT_FOUND)),
    (TENANT_URLCONF, "payments:webhook-stripe"): ({}, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "payments:webhook-tbank"): ({}, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "payments:webhook-test"): ({}, everyone(NOT_ALLOWED)),
}

#: A provider's notification carries no session: a POST without the provider's signature is
#: refused with 400 for everyone, and stores nothing (the matrix counts the rows around it).
METHODS = {
    (TENANT_URLCONF, name): {"POST": dict.fromkeys(METHOD_ACTORS, 400)}
    for name in ("payments:webhook-stripe", "payments:webhook-tbank", "payments:webhook-test")
}
#: Starting a payment through the API: a member's empty body is a 400 naming the fields (nothing
#: written); the board, the accountant and the dispatcher may read but not start (403); no
#: session of this association: 401.
METHODS[(TENANT_URLCONF, "payments:api-payments")] = {
    "POST": {
        **dict.fromkeys(METHOD_ACTORS, FORBIDDEN),
        "anonymous": UNAUTHORIZED,
        "beta_member": UNAUTHORIZED,
        "beta_chairman": UNAUTHORIZED,
        **dict.fromkeys(MEMBERS, 400),
    }
}
