"""The one-click unsubscribe: signed, bound to the association and the person; refused with a
clear message and no change when altered or from another association."""

from __future__ import annotations

import pytest
from django.db import connection

from core.audit.models import AuditEntry
from tenants.notifications import services, tokens
from tenants.notifications.models import Preference
from tests.tenants.notifications.conftest import ANNOUNCEMENT, EMERGENCY

pytestmark = pytest.mark.django_db


def _url(token):
    return f"/notifications/unsubscribe/{token}/"


def test_token_names_the_person_and_kind_in_this_association_only(in_alpha, owner, beta):
    token = tokens.make_token(owner.pk, ANNOUNCEMENT)
    claims = tokens.read_token(token)
    assert (claims.user_id, claims.kind) == (owner.pk, ANNOUNCEMENT)
    assert tokens.read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    connection.set_tenant(beta)
    assert tokens.read_token(token) is None


def test_the_link_switches_off_without_signing_in(in_alpha, owner, neighbour, client_of, alpha):
    token = tokens.make_token(owner.pk, ANNOUNCEMENT)
    client = client_of(alpha)
    page = client.get(_url(token))
    assert page.status_code == 200 and "Отписаться" in page.content.decode()
    assert not Preference.objects.exists()  # opening the link (a mail scanner) changes nothing
    done = client.post(_url(token))
    assert done.status_code == 200
    assert "больше не будете получать" in done.content.decode()
    assert Preference.objects.get(user=owner, kind=ANNOUNCEMENT).enabled is False
    assert not Preference.objects.filter(user=neighbour).exists()
    assert AuditEntry.objects.filter(action="notifications.preference_changed").count() == 1
    assert client.post(_url(token)).status_code == 200  # again: still off, nothing new
    assert AuditEntry.objects.filter(action="notifications.preference_changed").count() == 1


def test_one_click_post_from_a_mail_client(in_alpha, owner, client_of, alpha):
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` without any cookie."""
    client = client_of(alpha)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        _url(tokens.make_token(owner.pk, ANNOUNCEMENT)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Preference.objects.get(user=owner).enabled is False


def test_a_link_from_another_association_is_refused(in_beta, make_user, beta, alpha, client_of):
    stranger = make_user(beta)
    token = tokens.make_token(stranger.pk, ANNOUNCEMENT)
    connection.set_tenant(alpha)
    response = client_of(alpha).post(_url(token))
    assert response.status_code == 200
    assert "другой организации" in response.content.decode() or "изменена" in (
        response.content.decode()
    )
    assert "Ничего не изменено" in response.content.decode()
    assert not Preference.objects.exists()
    connection.set_tenant(beta)
    assert not Preference.objects.exists()


def test_a_tampered_link_is_refused(in_alpha, owner, neighbour, client_of, alpha):
    token = tokens.make_token(owner.pk, ANNOUNCEMENT)
    forged = token.replace(token.split(":")[0], tokens.make_token(neighbour.pk, "x").split(":")[0])
    for bad in (forged, token + "x", "nonsense"):
        response = client_of(alpha).post(_url(bad))
        assert response.status_code == 200
        assert "Ничего не изменено" in response.content.decode()
    assert "Ничего не изменено" in client_of(alpha).get(_url(forged)).content.decode()
    assert not Preference.objects.exists()


def test_an_emergency_link_cannot_switch_it_off(in_alpha, owner, client_of, alpha):
    token = tokens.make_token(owner.pk, EMERGENCY)
    response = client_of(alpha).post(_url(token))
    assert response.status_code == 200
    assert not Preference.objects.exists()
    with pytest.raises(Exception):  # noqa: B017 - the service refuses as the page says
        services.unsubscribe(token)
