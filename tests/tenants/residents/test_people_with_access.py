"""Who can open a premises through the portal, as the board sees it, and how a resident's access
ends: the board presses "end access", the residency ends (kept as history) and is audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.residents import selectors, services
from tenants.residents.models import Residency
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def home(in_alpha, make_user):
    premises = make_premises(account="P-1")
    anna = make_user(in_alpha, roles=[Role.OWNER], full_name="Анна Владелица")
    make_owner(premises, user=anna, share="1/2")
    make_owner(premises, name="Без логина", share="1/2")
    lodger = make_user(in_alpha, roles=[Role.RESIDENT], full_name="Пётр Жилец")
    residency = Residency.objects.create(
        premises=premises, user=lodger, started_on=datetime.date(2024, 1, 1)
    )
    return premises, anna, lodger, residency


def test_the_premises_page_lists_the_people_with_access(home, board):
    premises, _anna, _lodger, residency = home

    html = board.get(f"/registry/premises/{premises.pk}/").content.decode()

    assert "People with access" in html
    assert 'data-access="owner"' in html and "Анна Владелица" in html
    assert f'data-residency="{residency.pk}"' in html and "Пётр Жилец" in html
    assert f"/registry/residencies/{residency.pk}/end/" in html


def test_the_board_ends_a_residents_access(home, board, alpha, client_of):
    premises, _anna, lodger, residency = home
    lodger_client = client_of(alpha, lodger)
    assert lodger_client.get("/home/").context["homes"]

    response = board.post(f"/registry/residencies/{residency.pk}/end/")

    assert response.status_code == 302
    assert response["Location"] == f"/registry/premises/{premises.pk}/"
    assert Residency.objects.get(pk=residency.pk).ended_on == timezone.localdate()
    assert not selectors.premises_visible_to(lodger).exists()
    assert lodger_client.get("/home/").context["homes"] == []
    entry = AuditEntry.objects.get(action="residents.residency_ended")
    assert entry.details == {"premises": str(premises.pk), "residency": str(residency.pk)}
    page = board.get(f"/registry/premises/{premises.pk}/").content.decode()
    assert "Пётр Жилец" not in page and "A resident&#x27;s access ended" in page


def test_ending_access_twice_is_refused(home, board):
    _premises, _anna, _lodger, residency = home
    services.end_residency(residency)

    with pytest.raises(ValidationError):
        services.end_residency(residency)
    response = board.post(f"/registry/residencies/{residency.pk}/end/", follow=True)

    assert "already ended" in response.content.decode()
    assert AuditEntry.objects.filter(action="residents.residency_ended").count() == 1


def test_only_the_board_ends_a_residents_access(home, alpha, client_of, make_user):
    _premises, anna, lodger, residency = home
    for user in (anna, lodger, make_user(alpha, roles=[Role.ACCOUNTANT])):
        response = client_of(alpha, user).post(f"/registry/residencies/{residency.pk}/end/")
        assert response.status_code == 403
    assert Residency.objects.get(pk=residency.pk).ended_on is None
