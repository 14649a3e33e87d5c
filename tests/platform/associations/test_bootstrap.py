"""``bootstrap_platform``: a fresh installation gets its public site and its first operator."""

from __future__ import annotations

import io
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from associations.models import Association, Domain


@pytest.mark.django_db
def test_the_public_site_row_and_domain_are_ensured_idempotently():
    # A fresh installation has no domain for the public site (the row is the test setup's).
    Domain.objects.filter(domain=settings.BASE_DOMAIN).delete()
    assert not Domain.objects.filter(domain=settings.BASE_DOMAIN).exists()

    call_command("bootstrap_platform", stdout=io.StringIO())
    call_command("bootstrap_platform", stdout=io.StringIO())

    (public,) = Association.objects.filter(schema_name=settings.PUBLIC_SCHEMA_NAME)
    assert Domain.objects.filter(domain=settings.BASE_DOMAIN, tenant=public).count() == 1


@pytest.mark.django_db
def test_an_operator_is_created_once_with_a_password_from_stdin(monkeypatch):
    User = get_user_model()
    monkeypatch.setattr(sys, "stdin", io.StringIO("Dlinnyi-Parol-2026!\n"))
    out = io.StringIO()
    call_command(
        "bootstrap_platform",
        operator="Ops@Example.ru",
        name="Оператор Платформы",
        password_stdin=True,
        stdout=out,
    )
    operator = User.objects.with_email("ops@example.ru").get()
    assert operator.is_staff and operator.is_superuser
    assert operator.check_password("Dlinnyi-Parol-2026!")
    assert "Dlinnyi" not in out.getvalue() and "ops@example.ru" not in out.getvalue()

    monkeypatch.setattr(sys, "stdin", io.StringIO("another-password-2026\n"))
    call_command("bootstrap_platform", operator="ops@example.ru", password_stdin=True, stdout=out)
    assert User.objects.with_email("ops@example.ru").count() == 1
    assert User.objects.with_email("ops@example.ru").get().check_password("Dlinnyi-Parol-2026!")


@pytest.mark.django_db
def test_a_weak_password_creates_nobody(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError):
        call_command(
            "bootstrap_platform",
            operator="weak@example.ru",
            password_stdin=True,
            stdout=io.StringIO(),
        )
    assert not get_user_model().objects.with_email("weak@example.ru").exists()
