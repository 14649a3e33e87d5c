"""Every URL pattern × every kind of visitor, checked against the expected answer.

The matrix is generated from the URL maps: a new URL without an entry in EXPECTATIONS fails
``test_every_url_has_an_expectation``, so the matrix grows with every feature. Answers follow the
architecture: anonymous → login page (401 for the API), signed in without the role → 403,
someone else's object → 404.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.access.roles import Role
from tests.access_expectations import (
    LOGIN,
    PUBLIC_URLCONF,
    TENANT_URLCONF,
    collect,
)

EXPECTATIONS = collect()


def url_names(urlconf: str) -> set[str]:
    """Every named pattern reachable in a URL map (unnamed patterns are a failure too)."""
    names: set[str] = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                names.add(pattern.name or f"<unnamed {prefix}{pattern.pattern}>")

    walk(get_resolver(urlconf).url_patterns)
    return names


@pytest.mark.parametrize("urlconf", [TENANT_URLCONF, PUBLIC_URLCONF])
def test_every_url_has_an_expectation(urlconf):
    expected = {name for (conf, name) in EXPECTATIONS if conf == urlconf}
    missing = url_names(urlconf) - expected
    assert not missing, f"add these URLs to the access matrix: {sorted(missing)}"
    stale = expected - url_names(urlconf)
    assert not stale, f"the access matrix names URLs that no longer exist: {sorted(stale)}"


def check_answer(response, answer):
    if answer == LOGIN:
        assert response.status_code == 302, response.status_code
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == answer


TENANT_CASES = [
    (name, actor)
    for (conf, name), (_kwargs, answers) in EXPECTATIONS.items()
    if conf == TENANT_URLCONF
    for actor in answers
]
PUBLIC_CASES = [
    (name, actor)
    for (conf, name), (_kwargs, answers) in EXPECTATIONS.items()
    if conf == PUBLIC_URLCONF
    for actor in answers
]


@pytest.mark.parametrize(("name", "actor"), TENANT_CASES)
def test_tenant_url_answers(name, actor, alpha, beta, client_of, make_user):
    kwargs, answers = EXPECTATIONS[(TENANT_URLCONF, name)]
    if actor == "anonymous":
        client = client_of(alpha)
    elif actor == "other_association":
        # Signed in at beta, the same cookie jar then visits alpha: alpha must not know it.
        stranger = make_user(beta, roles=[Role.CHAIRMAN, Role.OWNER])
        client = client_of(beta, stranger)
    else:
        client = client_of(alpha, make_user(alpha, roles=[actor]))
    client.defaults["HTTP_HOST"] = alpha.get_primary_domain().domain
    if callable(kwargs):
        connection.set_tenant(alpha)
        kwargs = kwargs(alpha)
    response = client.get(reverse(name, urlconf=TENANT_URLCONF, kwargs=kwargs))
    check_answer(response, answers[actor])


@pytest.mark.parametrize(("name", "actor"), PUBLIC_CASES)
def test_public_url_answers(name, actor, alpha, client_of, public_client, make_user):
    from tests.conftest import verify_second_factor
    from tests.factories import TEST_PASSWORD, UserFactory

    kwargs, answers = EXPECTATIONS[(PUBLIC_URLCONF, name)]
    client = public_client
    if actor == "operator":
        connection.set_schema_to_public()
        operator = UserFactory(roles=[], is_staff=True)
        assert client.login(username=operator.email, password=TEST_PASSWORD)
        verify_second_factor(client, operator)
    elif actor == "member":
        member = make_user(alpha, roles=[Role.CHAIRMAN])
        client = client_of(alpha, member)
        from django.conf import settings

        client.defaults["HTTP_HOST"] = settings.BASE_DOMAIN
    if callable(kwargs):
        connection.set_schema_to_public()
        kwargs = kwargs(None)
    response = client.get(reverse(name, urlconf=PUBLIC_URLCONF, kwargs=kwargs))
    check_answer(response, answers[actor])
