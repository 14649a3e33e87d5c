"""Edit with history: every change of the register is audited in its transaction, with ids and
field names only, and the premises page lists who changed what kind of thing and when."""

from __future__ import annotations

import datetime
import json

import pytest

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.residents import services
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db


def test_each_change_is_recorded_against_the_premises(in_alpha, make_user):
    chairman = make_user(in_alpha, roles=[Role.CHAIRMAN])
    premises = make_premises(account="H-1")
    owner = make_owner(premises, share="1/2", name="Смирнова Анна", email="anna@example.test")
    services.update_premises(premises, area="61.20", registered_residents=3, actor=chairman)
    services.update_owner(
        owner,
        membership={"is_member": True, "member_since": datetime.date(2022, 1, 1)},
        actor=chairman,
    )
    services.update_ownership(owner.ownerships.get(), share=1, actor=chairman)
    holding = services.change_holder(
        premises.accounts.get(),
        holder={"full_name": "Покупатель"},
        on=datetime.date(2025, 1, 1),
        actor=chairman,
    )
    services.erase_holder(owner.holding, actor=chairman)

    entries = list(AuditEntry.objects.filter(details__premises=str(premises.pk)).order_by("at"))

    assert [e.action for e in entries] == [
        "residents.premises_created",
        "residents.account_opened",
        "residents.owner_added",
        "residents.premises_changed",
        "residents.membership_changed",
        "residents.ownership_changed",
        "residents.holder_changed",
        "residents.holder_erased",
    ]
    assert entries[3].details["fields"] == ["area", "registered_residents"]
    assert entries[6].details["holding"] == str(holding.pk)
    assert {e.actor_id for e in entries[3:]} == {chairman.pk}
    # No personal data in the log: ids, counts and field names only.
    dump = json.dumps([e.details for e in entries], ensure_ascii=False)
    assert "Смирнова" not in dump and "anna@" not in dump and "Покупатель" not in dump


def test_an_unchanged_save_records_nothing(in_alpha):
    premises = make_premises()
    before = AuditEntry.objects.count()
    services.update_premises(premises, number=premises.number, area=premises.area)
    assert AuditEntry.objects.count() == before


def test_the_premises_page_shows_its_history(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN], full_name="Козлов Пётр Ильич")
    client = client_of(alpha, chairman)
    client.cookies["django_language"] = "en"
    premises = make_premises(account="H-1")
    client.post(
        f"/registry/premises/{premises.pk}/edit/",
        {
            "building": premises.building_id,
            "kind": "flat",
            "number": premises.number,
            "area": "70.00",
            "registered_residents": "0",
        },
    )

    response = client.get(f"/registry/premises/{premises.pk}/")

    history = response.context["card"].history
    assert history[0].action == "residents.premises_changed"
    assert history[0].actor == "Козлов Пётр Ильич"
    assert [str(f) for f in history[0].fields] == ["total area, m²"]
    assert history[-1].action == "residents.premises_created"
    html = response.content.decode()
    assert "Premises details changed" in html and "Козлов Пётр Ильич" in html
