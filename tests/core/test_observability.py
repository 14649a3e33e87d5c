"""Error reports and logs carry no decrypted personal data."""

from __future__ import annotations

import datetime
import logging

import pytest

from core.observability import _scrub
from tenants.residents.models import Holding
from tenants.residents.services import open_account


def test_sentry_events_lose_local_variables_bodies_cookies_and_user():
    event = {
        "request": {
            "data": "password=x",
            "cookies": {"sessionid": "s"},
            "url": "http://alpha.localhost/accounts/password-reset/MTIz/cz4t-1b2c3d4e5f6a7b8c9d0e/",
        },
        "breadcrumbs": {"values": [{"message": "SELECT ... 'anna@example.test'"}]},
        "extra": {"email": "anna@example.test"},
        "user": {"email": "anna@example.test"},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"name": "Анна"}}]}}]
        },
    }
    scrubbed = _scrub(event, {})
    assert "data" not in scrubbed["request"] and "cookies" not in scrubbed["request"]
    assert "user" not in scrubbed
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert scrubbed["request"]["url"] == (
        "http://alpha.localhost/accounts/password-reset/MTIz/[token]/"
    )
    assert "breadcrumbs" not in scrubbed and "extra" not in scrubbed


@pytest.mark.django_db
def test_reprs_and_str_of_encrypted_rows_show_no_personal_data(in_alpha, make_user, caplog):
    user = make_user(in_alpha, email="secret-person@example.test", full_name="Тайный Человек")
    _account, holding = open_account(
        number="OBS-1",
        holder={"full_name": "Тайный Владелец"},
        started_on=datetime.date(2024, 1, 1),
    )
    sealed = Holding.objects.get(pk=holding.pk).__dict__["full_name"]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("tszh.test").info("user %s holding %s value %r", user, holding, sealed)
    text = caplog.text + str(user) + repr(user) + str(holding) + repr(sealed)
    for secret in ("secret-person", "Тайный"):
        assert secret not in text
    assert "<encrypted>" in repr(sealed)
