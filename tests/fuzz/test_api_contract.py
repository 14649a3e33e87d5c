"""The API answers as its schema says, to every role (issue 19, "Fuzzing against the API's own
contract"): no 5xx on any generated request, every status code documented, every body matching.

One test; for each role it fuzzes every operation of ``/api/schema/`` (``tests/fuzz/contract.py``)
in association A, filled once with the demo data, through the WSGI application on A's host with the
role's session and a CSRF token. The failures are printed together, then the test fails.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from core.access.roles import Role
from core.extensions import demo_seeders
from tests.conftest import host_of
from tests.fuzz.contract import EXAMPLES, MODES, fuzz

pytestmark = pytest.mark.django_db

#: The roles the API serves, each a user of A; the owner is the one the fill gives a home (premises,
#: meters, a request), and with the demo's fill the chairman is the demo's.
ROLES = {
    "anonymous": None,
    "owner": [Role.OWNER],
    "resident": [Role.RESIDENT],
    "chairman": [Role.CHAIRMAN, Role.BOARD_MEMBER, Role.OWNER],
    "board_member": [Role.BOARD_MEMBER],
    "accountant": [Role.ACCOUNTANT],
    "dispatcher": [Role.DISPATCHER],
}
FILL = os.environ.get("TSZH_FUZZ_FILL", "light")
#: ``TSZH_FUZZ_ROLES=owner,chairman`` fuzzes those only.
FUZZ_ROLES = [
    role for role in os.environ.get("TSZH_FUZZ_ROLES", ",".join(ROLES)).split(",") if role
]
CSRF = "fuzzcsrf" * 4  # 32 characters: the cookie's secret and the header's token


@contextmanager
def in_test_transaction():
    """Django's WSGI application inside the test's transaction: a request's start and end must not
    close the connection, as they do in production (Django's test client does the same, and puts
    the handlers back after each of its own requests: so this wraps the fuzzing only)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def filled_alpha(in_alpha, make_user):
    """A with something in every list: ``TSZH_FUZZ_FILL=demo`` (``make fuzz``) runs every app's
    demo seeder with the demo's logins (minutes); otherwise an owner with premises, meters and a
    request, and a supplier (seconds)."""
    users = {}
    if FILL == "demo":
        from associations.management.commands.seed_demo import DEMO_USERS

        for email, name, roles in DEMO_USERS:
            user = make_user(in_alpha, roles=roles, email=email, full_name=name)
            users.setdefault(str(roles[0]), user)
        for _label, seed in demo_seeders():
            seed()
    else:
        from tenants.meters.models import MeterKind
        from tests.tenants.dispatch.support import file_request, member, supplier
        from tests.tenants.meters.support import add_meter

        owner, premises = member()
        for kind in (MeterKind.COLD_WATER, MeterKind.HOT_WATER):
            add_meter(premises, kind=kind)
        file_request(owner, premises)
        supplier()
        users["owner"] = owner
    return in_alpha, users


def _user(association, users, make_user, role: str):
    if role in users:
        return users[role]
    return make_user(association, roles=ROLES[role])


def _schema(association, client_of, make_user) -> dict:
    reader = make_user(association, roles=[Role.CHAIRMAN])
    response = client_of(association, reader).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    return response.json()


def test_the_api_keeps_its_contract(filled_alpha, client_of, make_user, record_property):
    """Every role in turn on one filling of A (the demo's seeders are the slow part)."""
    association, users = filled_alpha
    schema = _schema(association, client_of, make_user)
    host = host_of(association)
    failures = 0
    for role in FUZZ_ROLES:
        cookies = {settings.CSRF_COOKIE_NAME: CSRF}
        if ROLES[role] is not None:
            client = client_of(association, _user(association, users, make_user, role))
            cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
        headers = {"X-CSRFToken": CSRF, "Host": host}
        with in_test_transaction() as app:
            report = fuzz(app, schema, role=role, host=host, cookies=cookies, headers=headers)
        summary = f"{report.line()}  ({EXAMPLES} examples, {'+'.join(m.value for m in MODES)})"
        record_property("fuzz", summary)
        print(f"\n{summary}")
        for (label, check, status), detail in sorted(report.failures.items()):
            print(f"--- {role}: {label} [{check}] {status}\n{detail}\n")
        assert report.requests >= report.operations
        failures += len(report.failures)
    assert not failures, f"{failures} failures (printed above)"
