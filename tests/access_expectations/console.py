"""Expectations of the operators' console (public site) and the chairman's data export page.

Console pages: anonymous → login; an operator → the page (action URLs accept POST only: 405);
a member of an association → login, because sessions live in their association's schema.
The export page on a portal is for the chairman (with the second factor) only.
"""

from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    OK,
    PUBLIC_URLCONF,
    TENANT_ACTORS,
    TENANT_URLCONF,
)


def operators(answer):
    return {"anonymous": LOGIN, "operator": answer, "member": LOGIN}


def chairman_only():
    answers = dict.fromkeys(TENANT_ACTORS, FORBIDDEN)
    answers["anonymous"] = answers["other_association"] = LOGIN
    answers["chairman"] = OK
    return answers


def alpha_pk(_association):
    from associations.models import Association

    return {"pk": Association.objects.get(slug="alpha").pk}


def ready_export_of_alpha(association):
    """A ready export of alpha (made inside alpha's schema, as the worker would)."""
    from tests.platform.console.helpers import make_ready_export

    return {"export_id": make_ready_export(association).pk}


EXPECTATIONS: dict[tuple[str, str], tuple] = {
    (PUBLIC_URLCONF, "console:association"): (alpha_pk, operators(OK)),
    (PUBLIC_URLCONF, "console:association-suspend"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "console:association-reactivate"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "console:association-export"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "console:association-export-status"): (alpha_pk, operators(OK)),
    (PUBLIC_URLCONF, "console:association-delete"): (alpha_pk, operators(OK)),
    (PUBLIC_URLCONF, "console:association-chair"): (alpha_pk, operators(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "console:audit"): ({}, operators(OK)),
    (TENANT_URLCONF, "console:export"): ({}, chairman_only()),
    (TENANT_URLCONF, "console:export-download"): (ready_export_of_alpha, chairman_only()),
}
