"""Pages of the register of members: what each version shows, exports, constant queries."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from core.access.roles import Role
from tenants.residents.models import RegisteredResident
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db
SINCE = {"is_member": True, "member_since": datetime.date(2021, 1, 1)}


def anna(email="anna@example.test", phone="+7 916 000-00-01"):
    house = BuildingFactory(name="Садовая, 12")
    flat = make_premises(house, number="15", account="10015", area="60.00")
    make_owner(flat, share="1/2", name="Смирнова Анна", email=email, phone=phone, membership=SINCE)
    parking = make_premises(house, number="М2", kind="parking", account="10090", area="14.00")
    make_owner(parking, share=1, name="Смирнова Анна", email=email, membership=SINCE)


def test_the_board_register_counts_a_flat_and_a_parking_place_once(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    anna()

    response = client_of(alpha, chairman).get("/registry/members/")

    assert response.status_code == 200
    (member,) = response.context["members"]
    body = response.content.decode()
    assert body.count("data-member") == 1
    assert "anna@example.test" in body and "+7 916 000-00-01" in body
    assert str(member.area_share) == "44.00"  # 60 × 1/2 + 14


def test_the_members_version_shows_no_contacts(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    anna()

    response = client_of(alpha, owner).get("/members/register/")

    body = response.content.decode()
    assert response.status_code == 200 and "Смирнова Анна" in body
    assert "anna@example.test" not in body and "916" not in body


def test_exports_have_one_row_per_member(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    anna()
    make_owner(make_premises(number="3"), name="Орлов Иван", membership=SINCE)
    make_owner(make_premises(number="4"), name="Не член")
    client = client_of(alpha, chairman)

    text = client.get("/registry/members/register.csv?on=2024-06-01").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 3
    names = sorted(row[1] for row in rows[1:])
    assert names == ["Орлов Иван", "Смирнова Анна"]
    annas = next(row for row in rows[1:] if row[1] == "Смирнова Анна")
    assert "15" in annas[2] and "М2" in annas[2] and annas[5] == "2021-01-01"
    assert annas[7] == "anna@example.test"

    response = client.get("/registry/members/register.xlsx?on=2024-06-01")
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(min_row=3, values_only=True))
    assert sorted(row[1] for row in values) == names


def test_the_register_day_decides(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    anna()
    response = client_of(alpha, chairman).get("/registry/members/?on=2020-06-01")
    assert response.context["members"] == []


def test_the_register_page_does_not_grow_with_members(
    alpha, client_of, make_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha, chairman)
    house = BuildingFactory()
    make_owner(make_premises(house), name="Первый", email="p1@example.test", membership=SINCE)
    client.get("/registry/members/")  # the session's and the key cache's first visit
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/registry/members/").context["members"]) == 1
    pinned = len(one.captured_queries)
    assert pinned <= 16
    for n in range(2, 12):
        make_owner(
            make_premises(house), name=f"Член {n}", email=f"p{n}@example.test", membership=SINCE
        )
    client.get("/registry/members/")
    with django_assert_num_queries(pinned):
        response = client.get("/registry/members/")
    assert len(response.context["members"]) == 11


def test_registered_residents_page(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    flat = make_premises()
    client = client_of(alpha, chairman)

    response = client.post(
        f"/registry/premises/{flat.pk}/registered/",
        {"full_name": "Петров Пётр", "started_on": "2024-01-10"},
    )
    assert response.status_code == 302
    resident = RegisteredResident.objects.get()
    page = client.get(f"/registry/premises/{flat.pk}/registered/")
    assert "Петров Пётр" in page.content.decode() and page.context["count"] == 1

    refused = client.post(f"/registry/registered/{resident.pk}/end/", {"ended_on": "2023-01-01"})
    assert refused.status_code == 302
    resident.refresh_from_db()
    assert resident.ended_on is None


def test_the_membership_page_admits_and_links(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha, chairman)
    house = BuildingFactory()
    one = make_owner(make_premises(house), name="Орлов Иван")
    parking = make_premises(house, kind="parking", number="М9", account="P-9")
    other = make_owner(parking, name="Орлов Иван")

    page = client.get(f"/registry/owners/{one.pk}/membership/?account=P-9")
    assert [c.pk for c in page.context["candidates"]] == [other.pk]
    assert client.post(f"/registry/owners/{one.pk}/link/{other.pk}/").status_code == 302
    admitted = client.post(
        f"/registry/owners/{one.pk}/membership/",
        {"admitted_on": "2024-03-12", "decision": "Протокол № 3"},
    )
    assert admitted.status_code == 302
    response = client.get("/registry/members/")
    assert len(response.context["members"]) == 1
    refused = client.post(f"/registry/owners/{one.pk}/membership/", {"admitted_on": "2099-01-01"})
    assert refused.status_code == 200 and refused.context["form"].errors
