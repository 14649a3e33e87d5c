"""Board members and operators confirm a TOTP code after the password; owners do not."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.db import connection

from core.access.models import SecondFactor
from core.access.roles import SECOND_FACTOR_ROLES, Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def current_code(user, at=None) -> str:
    secret = SecondFactor.objects.get(user=user).secret
    return pyotp.TOTP(secret).at(at or time.time())


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR_ROLES))
def test_roles_that_see_others_data_enrol_and_confirm_a_code(alpha, client_of, make_user, role):
    user = make_user(alpha, roles=[role])
    client = client_of(alpha)
    sign_in(client, user)
    blocked = client.get("/")
    assert blocked.status_code == 302
    assert blocked["Location"].startswith("/accounts/second-factor/")
    page = client.get(blocked["Location"])
    assert page.status_code == 200 and page.context["enrolling"]
    assert "<svg" in page.content.decode()
    stored = SecondFactor.objects.get(user=user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM access_secondfactor WHERE id = %s", [stored.pk])
        assert cursor.fetchone()[0].startswith("e1.")  # the seed is encrypted
    response = client.post("/accounts/second-factor/", {"code": current_code(user), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_api_answers_403_until_the_second_factor_is_confirmed(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha)
    sign_in(client, user)
    assert client.get("/api/v1/me/").status_code == 403


def test_the_second_factor_roles_are_those_that_see_others_data():
    # The dispatcher routes members' requests (names, addresses, what they wrote): a second
    # factor too. Owners and residents see their own data only.
    assert set(Role) - {Role.OWNER, Role.RESIDENT} == SECOND_FACTOR_ROLES


def test_owners_need_no_second_factor(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha)
    sign_in(client, user)
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_and_a_used_code_cannot_be_replayed(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.CHAIRMAN])
    first = client_of(alpha)
    sign_in(first, user)
    first.get("/accounts/second-factor/")
    wrong = first.post("/accounts/second-factor/", {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    code = current_code(user)
    assert first.post("/accounts/second-factor/", {"code": code}).status_code == 302
    # A second sign-in (say, an eavesdropper) with the same code is refused.
    second = client_of(alpha)
    sign_in(second, user)
    page = second.get("/accounts/second-factor/")
    assert not page.context["enrolling"]
    assert second.post("/accounts/second-factor/", {"code": code}).status_code == 200
    assert second.get("/").status_code == 302


def test_operators_confirm_a_second_factor_on_the_console(public_client):
    connection.set_schema_to_public()
    operator = UserFactory(roles=[], is_staff=True)
    sign_in(public_client, operator)
    assert public_client.get("/console/")["Location"].startswith("/accounts/second-factor/")
    public_client.get("/accounts/second-factor/")
    public_client.post("/accounts/second-factor/", {"code": current_code(operator)})
    assert public_client.get("/console/").status_code == 200
