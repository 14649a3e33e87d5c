"""Routing by host, schema isolation and the association's time zone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from core.access.roles import Role

pytestmark = pytest.mark.django_db


def test_unknown_subdomain_answers_404_without_any_association_data(alpha):
    response = Client(HTTP_HOST="nosuch.localhost").get("/")
    assert response.status_code == 404
    assert alpha.name not in response.content.decode()


def test_public_site_is_on_the_base_domain(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "signup/landing.html"


def test_the_schema_is_chosen_by_host_never_by_header(alpha, beta, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, owner)
    response = client.get("/", HTTP_X_FORWARDED_HOST="beta.localhost", HTTP_X_TENANT="beta")
    assert response.status_code == 200
    assert response.context["association"] == alpha


def test_users_of_one_association_are_invisible_in_another(alpha, beta, make_user):
    make_user(alpha, email="only-in-alpha@example.test")
    connection.set_tenant(beta)
    assert not get_user_model().objects.with_email("only-in-alpha@example.test").exists()
    connection.set_tenant(alpha)
    assert get_user_model().objects.with_email("only-in-alpha@example.test").exists()


def test_pages_use_the_association_time_zone(beta, client_of, make_user):
    owner = make_user(beta, roles=[Role.OWNER])
    response = client_of(beta, owner).get("/")
    assert response.context["TIME_ZONE"] == "Asia/Yekaterinburg"
