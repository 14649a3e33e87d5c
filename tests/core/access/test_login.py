"""Signing in, rate limits on failures, and password reset bound to the association."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection

from core.access.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def post_login(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_owner_signs_in_and_lands_on_the_dashboard(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER], email="anna@example.test")
    client = client_of(alpha)
    response = post_login(client, "Anna@Example.test", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == owner


def test_wrong_password_gives_a_clear_message_and_no_session(alpha, client_of, make_user):
    make_user(alpha, email="anna@example.test")
    client = client_of(alpha)
    response = post_login(client, "anna@example.test", "not-the-password")
    assert response.status_code == 200
    assert "Неверный адрес" in response.content.decode() or "wrong" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_login_is_valid_only_in_its_own_association(alpha, beta, client_of, make_user):
    make_user(alpha, email="anna@example.test")
    response = post_login(client_of(beta), "anna@example.test", TEST_PASSWORD)
    assert response.status_code == 200  # the form again: beta has no such user


def test_repeated_failures_are_rate_limited_even_with_the_right_password(
    alpha, client_of, make_user
):
    make_user(alpha, email="anna@example.test")
    client = client_of(alpha)
    for _ in range(5):
        assert post_login(client, "anna@example.test", "wrong").status_code == 200
    response = post_login(client, "anna@example.test", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_successful_logins_do_not_count_towards_the_limit(alpha, client_of, make_user):
    make_user(alpha, email="anna@example.test")
    for _ in range(8):
        client = client_of(alpha)
        assert post_login(client, "anna@example.test", TEST_PASSWORD).status_code == 302


def test_session_cookie_is_host_only(alpha, client_of, make_user):
    make_user(alpha, email="anna@example.test")
    response = post_login(client_of(alpha), "anna@example.test", TEST_PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"]


def reset_link_from_outbox() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_password_reset_by_email(alpha, client_of, make_user):
    make_user(alpha, email="anna@example.test")
    client = client_of(alpha)
    response = client.post("/accounts/password-reset/", {"email": "anna@example.test"})
    assert response.status_code == 302
    assert "alpha.localhost" in mail.outbox[0].body
    link = reset_link_from_outbox()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "a-fresh-long-password-42"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert post_login(client_of(alpha), "anna@example.test", new_password).status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(alpha, client_of):
    response = client_of(alpha).post("/accounts/password-reset/", {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_link_of_one_association_does_not_open_another(alpha, beta, client_of, make_user):
    """Ids and SECRET_KEY are shared; the token names its schema, so it fails elsewhere."""
    user = make_user(alpha, email="anna@example.test")
    # The same id and password hash in beta: only the schema differs.
    connection.set_tenant(beta)
    twin = UserFactory(id=user.pk, email="twin@example.test")
    type(twin).objects.filter(pk=twin.pk).update(password=user.password)
    connection.set_tenant(alpha)
    client_of(alpha).post("/accounts/password-reset/", {"email": "anna@example.test"})
    link = reset_link_from_outbox()
    assert client_of(alpha).get(link, follow=True).context["validlink"]
    assert not client_of(beta).get(link, follow=True).context["validlink"]


def test_password_reset_letters_are_limited_per_account(alpha, client_of, make_user):
    make_user(alpha, email="anna@example.test")
    client = client_of(alpha)
    for _ in range(8):
        response = client.post("/accounts/password-reset/", {"email": "anna@example.test"})
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == 5
