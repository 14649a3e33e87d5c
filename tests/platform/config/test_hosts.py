"""What a request answers by its Host header, before any view runs (docs/architecture.md)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_host_outside_allowed_hosts_gets_an_empty_404() -> None:
    response = Client(HTTP_HOST="portal.attacker.example").get("/")
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.django_db
def test_unknown_subdomain_gets_the_404_page(settings) -> None:
    response = Client(HTTP_HOST=f"nobody-here.{settings.BASE_DOMAIN}").get("/")
    assert response.status_code == 404
    assert response.content  # the portal's own 404 page, in the visitor's language
