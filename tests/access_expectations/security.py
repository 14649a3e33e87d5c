"""Expectations of a signed-in person's "Security" pages (core/access/security_views.py), on
an association's host and on the public site (the same views)."""

from tests.access_expectations import (
    LOGIN,
    NOT_ALLOWED,
    OK,
    PUBLIC_URLCONF,
    TENANT_URLCONF,
    everyone,
    signed_in,
)

#: A member of an association on the public site is nobody there (another schema's login).
_PUBLIC_PAGE = {"anonymous": LOGIN, "operator": OK, "member": LOGIN}
_PUBLIC_BUTTON = {"anonymous": NOT_ALLOWED, "operator": NOT_ALLOWED, "member": NOT_ALLOWED}

EXPECTATIONS: dict[tuple[str, str], tuple[dict, dict]] = {
    (TENANT_URLCONF, "access:security"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "access:security_password"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "access:security_new_phone"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "access:security_turn_off"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "access:security_end_sessions"): ({}, everyone(NOT_ALLOWED)),
    (PUBLIC_URLCONF, "access:security"): ({}, _PUBLIC_PAGE),
    (PUBLIC_URLCONF, "access:security_password"): ({}, _PUBLIC_PAGE),
    (PUBLIC_URLCONF, "access:security_new_phone"): ({}, _PUBLIC_PAGE),
    (PUBLIC_URLCONF, "access:security_turn_off"): ({}, _PUBLIC_PAGE),
    (PUBLIC_URLCONF, "access:security_end_sessions"): ({}, _PUBLIC_BUTTON),
}
