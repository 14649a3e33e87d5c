"""Expectations of the plan pages: the association's plan page for the board and the accountant
(the chairman alone changes and pays), the platform's Stripe webhook (POST only), and the
console's billing pages (operators; action URLs accept POST only)."""

from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    PUBLIC_ACTORS,
    PUBLIC_URLCONF,
    TENANT_URLCONF,
    answers,
)


def readers(answer=OK):
    return answers(FORBIDDEN, chairman=answer, board_member=answer, accountant=answer)


def chairman(answer):
    return answers(FORBIDDEN, chairman=answer)


def operators(answer):
    return {"anonymous": LOGIN, "operator": answer, "member": LOGIN}


def everyone_public(answer):
    return {"anonymous": answer, "operator": answer, "member": answer}


def _bank_invoice(association, *, paid: bool):
    from tests.billing.plans.support import bank_invoice

    return {"pk": bank_invoice(association, paid=paid).pk}


def open_invoice(association):
    return _bank_invoice(association, paid=False)


def paid_invoice(association):
    return _bank_invoice(association, paid=True)


def alpha_pk(_association):
    from associations.models import Association

    return {"pk": Association.objects.get(slug="alpha").pk}


def alpha_invoice(_association):
    from associations.models import Association

    return open_invoice(Association.objects.get(slug="alpha"))


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (TENANT_URLCONF, "plans:index"): ({}, readers()),
    (TENANT_URLCONF, "plans:change"): ({}, chairman(NOT_ALLOWED)),
    (TENANT_URLCONF, "plans:card"): ({}, chairman(NOT_ALLOWED)),
    (TENANT_URLCONF, "plans:invoice-pdf"): (open_invoice, readers()),
    (TENANT_URLCONF, "plans:act-pdf"): (paid_invoice, readers()),
    (PUBLIC_URLCONF, "plans_webhooks:stripe"): ({}, everyone_public(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "plans_webhooks:stripe-connect"): ({}, everyone_public(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "plans_console:index"): ({}, operators(OK)),
    (PUBLIC_URLCONF, "plans_console:association"): (alpha_pk, operators(OK)),
    (PUBLIC_URLCONF, "plans_console:grant"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "plans_console:trial"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "plans_console:issue-invoice"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "plans_console:confirm"): (alpha_invoice, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "plans_console:statement"): ({}, operators(NOT_ALLOWED)),
}

#: Stripe's notification carries no session: a POST without Stripe's signature is refused with
#: 400 for everyone, and stores nothing (the matrix counts the rows around it).
METHODS = {
    (PUBLIC_URLCONF, "plans_webhooks:stripe"): {"POST": dict.fromkeys(PUBLIC_ACTORS, 400)},
    (PUBLIC_URLCONF, "plans_webhooks:stripe-connect"): {"POST": dict.fromkeys(PUBLIC_ACTORS, 400)},
}
