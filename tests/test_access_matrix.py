"""Every URL pattern × every kind of visitor, checked against the expected answer.

The matrix is generated from the URL maps: a new URL without an entry in EXPECTATIONS fails
``test_every_url_has_an_expectation``, so the matrix grows with every feature. Answers follow the
architecture: anonymous → login page (401 for the API), signed in without the role → 403,
someone else's object → 404. Every app's URL names carry its namespace, and no two apps share
one (``name_clashes``).
"""

from __future__ import annotations

import types

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from core.access.roles import Role
from tests.access_expectations import (
    LOGIN,
    PUBLIC_URLCONF,
    TENANT_URLCONF,
    collect,
)

EXPECTATIONS = collect()


#: Names a URL map gives itself, outside every app: Django's language switch, the JavaScript
#: catalogue, the API schema. Every app's URLs carry its namespace (``app_name``).
MAP_NAMES = frozenset({"set_language", "javascript-catalog", "api-schema"})


def named_urls(urlconf) -> list[tuple[str, str]]:
    """(full name, module that defines it) of every pattern in a URL map (a module or its name);
    unnamed patterns are a failure too."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix, namespace, module):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = getattr(pattern.urlconf_module, "__name__", module)
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {prefix}{pattern.pattern}>"
                found.append((namespace + name, module))

    resolver = get_resolver(urlconf)
    walk(resolver.url_patterns, "", "", getattr(resolver.urlconf_module, "__name__", str(urlconf)))
    return found


def url_names(urlconf) -> set[str]:
    return {name for name, _module in named_urls(urlconf)}


def _app_of(module: str) -> str:
    """The app a URL module belongs to: ``tenants.residents.urls`` → ``tenants.residents``, and
    a sub-package's map (``tenants.ledger.payments.urls``) to the installed app that holds it."""
    from django.apps import apps

    config = apps.get_containing_app_config(module)
    return config.name if config else module.rsplit(".", 1)[0]


def name_clashes(*urlconfs) -> list[str]:
    """What would make ``reverse()`` ambiguous: an app's URL without its namespace, a namespace
    that two apps use, or one full name that two apps define."""
    problems = []
    owners: dict[str, set[str]] = {}
    for urlconf in urlconfs:
        defined: dict[str, set[str]] = {}
        for name, module in named_urls(urlconf):
            defined.setdefault(name, set()).add(_app_of(module))
            if ":" in name:
                owners.setdefault(name.split(":", 1)[0], set()).add(_app_of(module))
            elif name not in MAP_NAMES and not name.startswith("<unnamed"):
                problems.append(f"{name} ({module}) has no namespace: set app_name")
        problems += [
            f"{name} is defined by {sorted(apps)}"
            for name, apps in defined.items()
            if len(apps) > 1
        ]
    problems += [
        f"namespace {ns!r} is used by {sorted(apps)}"
        for ns, apps in owners.items()
        if len(apps) > 1
    ]
    return problems


def test_no_two_apps_use_the_same_url_name():
    assert name_clashes(TENANT_URLCONF, PUBLIC_URLCONF) == []


def test_two_apps_using_the_same_url_name_are_noticed():
    def urls_module(name, app_name=None):
        module = types.ModuleType(name)
        module.urlpatterns = [path("", lambda request: None, name="index")]
        if app_name:
            module.app_name = app_name
        return module

    one, other = (
        urls_module("tenants.one.urls", "shared"),
        urls_module("tenants.other.urls", "shared"),
    )
    bare = urls_module("tenants.bare.urls")
    root = types.ModuleType("clash_urls")
    root.urlpatterns = [
        path("one/", include(one)),
        path("other/", include(other)),
        path("bare/", include(bare)),
    ]
    problems = name_clashes(root)
    assert "shared:index is defined by ['tenants.one', 'tenants.other']" in problems
    assert "namespace 'shared' is used by ['tenants.one', 'tenants.other']" in problems
    assert "index (tenants.bare.urls) has no namespace: set app_name" in problems


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
