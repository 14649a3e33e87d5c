"""Expectations of the online signup's URLs (issue 5): the public signup pages, and a new
portal's hand-over and first steps."""

from __future__ import annotations

import uuid

from core.access.roles import Role
from tests.access_expectations import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    PUBLIC_ACTORS,
    PUBLIC_URLCONF,
    REDIRECT,
    TENANT_ACTORS,
    TENANT_URLCONF,
    everyone,
)

BOARD = {Role.CHAIRMAN, Role.BOARD_MEMBER}


def first_steps_answers() -> dict:
    answers = {actor: (OK if actor in BOARD else FORBIDDEN) for actor in TENANT_ACTORS}
    answers["anonymous"] = answers["other_association"] = LOGIN
    return answers


EXPECTATIONS: dict[tuple[str, str], tuple[dict, dict]] = {
    # The form lives on the landing page; GET /signup/ sends the visitor there.
    (PUBLIC_URLCONF, "signup:signup"): ({}, dict.fromkeys(PUBLIC_ACTORS, REDIRECT)),
    (PUBLIC_URLCONF, "signup:check-subdomain"): ({}, dict.fromkeys(PUBLIC_ACTORS, OK)),
    (PUBLIC_URLCONF, "signup:sent"): ({}, dict.fromkeys(PUBLIC_ACTORS, OK)),
    # A link that opens no signup: a page saying so, as 404.
    (PUBLIC_URLCONF, "signup:confirm"): (
        {"signup_id": uuid.UUID(int=5), "secret": "not-the-secret"},
        dict.fromkeys(PUBLIC_ACTORS, NOT_FOUND),
    ),
    # A token that opens nothing: a page saying so (sign in instead), as 404, for everyone.
    (TENANT_URLCONF, "signup:handover"): ({"token": "not-a-token"}, everyone(NOT_FOUND)),
    (TENANT_URLCONF, "signup:first-steps"): ({}, first_steps_answers()),
}
