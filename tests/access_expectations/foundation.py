"""Expectations of the foundation's URLs: sign-in, password reset, dashboard, language, API."""

from tests.access_expectations import (
    FORBIDDEN,  # noqa: F401
    LOGIN,
    NOT_ALLOWED,
    OK,
    PUBLIC_ACTORS,
    PUBLIC_URLCONF,
    REDIRECT,
    TENANT_URLCONF,
    UNAUTHORIZED,
    everyone,
    signed_in,
)

EXPECTATIONS: dict[tuple[str, str], tuple[dict, dict]] = {
    (TENANT_URLCONF, "portal:dashboard"): ({}, signed_in(OK)),
    (TENANT_URLCONF, "access:login"): ({}, signed_in(REDIRECT, anonymous=OK)),
    (TENANT_URLCONF, "access:logout"): ({}, everyone(NOT_ALLOWED)),
    (TENANT_URLCONF, "access:second_factor"): ({}, signed_in(REDIRECT)),
    (TENANT_URLCONF, "access:password_reset"): ({}, everyone(OK)),
    (TENANT_URLCONF, "access:password_reset_done"): ({}, everyone(OK)),
    (TENANT_URLCONF, "access:password_reset_confirm"): (
        {"uidb64": "MTIz", "token": "bad-token"},
        everyone(OK),  # the page says the link is no longer valid
    ),
    (TENANT_URLCONF, "access:password_reset_complete"): ({}, everyone(OK)),
    (TENANT_URLCONF, "set_language"): ({}, everyone(REDIRECT)),
    (TENANT_URLCONF, "javascript-catalog"): ({}, everyone(OK)),
    (TENANT_URLCONF, "api-schema"): ({}, signed_in(OK, anonymous=UNAUTHORIZED)),
    (TENANT_URLCONF, "portal:api-me"): ({}, signed_in(OK, anonymous=UNAUTHORIZED)),
    (PUBLIC_URLCONF, "signup:landing"): ({}, dict.fromkeys(PUBLIC_ACTORS, OK)),
    (PUBLIC_URLCONF, "console:index"): ({}, {"anonymous": LOGIN, "operator": OK, "member": LOGIN}),
    (PUBLIC_URLCONF, "access:login"): ({}, {"anonymous": OK, "operator": REDIRECT, "member": OK}),
    (PUBLIC_URLCONF, "access:logout"): ({}, dict.fromkeys(PUBLIC_ACTORS, NOT_ALLOWED)),
    (PUBLIC_URLCONF, "access:second_factor"): (
        {},
        {"anonymous": LOGIN, "operator": REDIRECT, "member": LOGIN},
    ),
    (PUBLIC_URLCONF, "access:password_reset"): ({}, dict.fromkeys(PUBLIC_ACTORS, OK)),
    (PUBLIC_URLCONF, "access:password_reset_done"): ({}, dict.fromkeys(PUBLIC_ACTORS, OK)),
    (PUBLIC_URLCONF, "access:password_reset_confirm"): (
        {"uidb64": "MTIz", "token": "bad-token"},
        dict.fromkeys(PUBLIC_ACTORS, OK),
    ),
    (PUBLIC_URLCONF, "access:password_reset_complete"): ({}, dict.fromkeys(PUBLIC_ACTORS, OK)),
    (PUBLIC_URLCONF, "set_language"): ({}, dict.fromkeys(PUBLIC_ACTORS, REDIRECT)),
}
