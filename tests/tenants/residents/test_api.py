"""The registry's REST API: the same access as the pages (401, 403, 404), the board writes
through the same services (validated and audited), owners read only their own."""

from __future__ import annotations

import pytest

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.residents.models import Owner, PersonalAccount, Premises
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db

API = "/api/v1/registry"


@pytest.fixture
def board(alpha, client_of, make_user):
    return client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))


@pytest.fixture
def homes(in_alpha, make_user):
    """Anna owns flat 1 (half, with a co-owner); flat 2 belongs to someone else."""
    anna = make_user(in_alpha, roles=[Role.OWNER])
    mine = make_premises(number="1", account="A-1")
    own_record = make_owner(mine, share="1/2", user=anna, email="anna@example.test")
    co_owner = make_owner(mine, share="1/2", name="Совладелец")
    theirs = make_premises(number="2", account="A-2")
    stranger = make_owner(theirs, name="Чужой")
    return {
        "anna": anna,
        "mine": mine,
        "theirs": theirs,
        "own_record": own_record,
        "co_owner": co_owner,
        "stranger": stranger,
    }


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_anonymous_callers_get_401(alpha, client_of):
    for resource in ("premises", "owners", "accounts"):
        assert client_of(alpha).get(f"{API}/{resource}/").status_code == 401


def test_an_owner_lists_and_reads_only_their_own(homes, alpha, client_of):
    client = client_of(alpha, homes["anna"])

    assert ids(client.get(f"{API}/premises/")) == [str(homes["mine"].pk)]
    assert client.get(f"{API}/premises/{homes['theirs'].pk}/").status_code == 404
    assert [a["number"] for a in client.get(f"{API}/accounts/").json()["results"]] == ["A-1"]
    other_account = homes["theirs"].accounts.get()
    assert client.get(f"{API}/accounts/{other_account.pk}/").status_code == 404
    assert ids(client.get(f"{API}/owners/")) == [str(homes["own_record"].pk)]
    assert client.get(f"{API}/owners/{homes['co_owner'].pk}/").status_code == 404
    assert client.get(f"{API}/owners/{homes['stranger'].pk}/").status_code == 404

    premises = client.get(f"{API}/premises/{homes['mine'].pk}/").json()
    assert premises["shares_total"] == "1" and premises["shares_complete"] is True
    assert premises["accounts"] == ["A-1"]
    # An owner's view of an account carries no holder's name.
    assert client.get(f"{API}/accounts/").json()["results"][0]["holder_name"] is None


def test_an_owner_cannot_write(homes, alpha, client_of):
    client = client_of(alpha, homes["anna"])
    response = client.patch(
        f"{API}/premises/{homes['mine'].pk}/", {"area": "1.00"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert client.post(f"{API}/accounts/", {"number": "X"}).status_code == 403


@pytest.mark.parametrize("resource", ["premises", "owners", "accounts"])
def test_the_dispatcher_sees_none_of_it(alpha, client_of, make_user, resource):
    client = client_of(alpha, make_user(alpha, roles=[Role.DISPATCHER]))
    assert client.get(f"{API}/{resource}/").status_code == 403


def test_the_accountant_sees_accounts_with_holders_but_not_owners(
    homes, alpha, client_of, make_user
):
    client = client_of(alpha, make_user(alpha, roles=[Role.ACCOUNTANT]))
    accounts = client.get(f"{API}/accounts/").json()["results"]
    assert [a["number"] for a in accounts] == ["A-1", "A-2"]
    assert client.get(f"{API}/owners/").status_code == 403
    assert client.get(f"{API}/premises/").status_code == 403


def test_the_board_reads_everything_with_personal_data(homes, board):
    owners = {o["id"]: o for o in board.get(f"{API}/owners/").json()["results"]}
    assert len(owners) == 3
    anna = owners[str(homes["own_record"].pk)]
    assert anna["primary_email"] == "anna@example.test"
    assert anna["ownerships"][0]["share"] == "1/2"
    assert anna["user"] == str(homes["anna"].pk)


def test_the_board_creates_premises_and_an_owner(in_alpha, board):
    building = BuildingFactory()
    response = board.post(
        f"{API}/premises/",
        {
            "building": str(building.pk),
            "kind": "flat",
            "number": "9",
            "area": "44.10",
            "account_number": "900009",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    premises = Premises.objects.get(pk=response.json()["id"])
    assert PersonalAccount.objects.get(number="900009").premises == premises

    response = board.post(
        f"{API}/owners/",
        {
            "premises": str(premises.pk),
            "share": "2/3",
            "started_on": "2024-01-01",
            "full_name": "Новикова Анастасия",
            "primary_phone": "+7 900 123-45-67",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["ownerships"][0]["share"] == "2/3"
    owner = Owner.objects.get(pk=response.json()["id"])
    assert owner.full_name == "Новикова Анастасия"
    assert AuditEntry.objects.filter(action="residents.owner_added").exists()

    response = board.patch(
        f"{API}/owners/{owner.pk}/",
        {"is_member": True, "member_since": "2024-02-01"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["is_member"] is True


def test_the_api_refuses_bad_input_with_the_field(in_alpha, board):
    premises = make_premises(number="3", account="700003")
    make_owner(premises, share="1/2")

    overflow = board.post(
        f"{API}/owners/",
        {
            "premises": str(premises.pk),
            "share": "2/3",
            "started_on": "2024-01-01",
            "full_name": "Лишний",
        },
        content_type="application/json",
    )
    assert overflow.status_code == 400 and list(overflow.json()) == ["share"]

    duplicate = board.post(
        f"{API}/accounts/", {"number": "700003"}, content_type="application/json"
    )
    assert duplicate.status_code == 400 and list(duplicate.json()) == ["number"]

    twin = board.post(
        f"{API}/premises/",
        {"building": str(premises.building_id), "kind": "flat", "number": "3", "area": "40.00"},
        content_type="application/json",
    )
    assert twin.status_code == 400 and list(twin.json()) == ["number"]

    cadastral = board.patch(
        f"{API}/premises/{premises.pk}/",
        {"cadastral_number": "77-01"},
        content_type="application/json",
    )
    assert cadastral.status_code == 400 and list(cadastral.json()) == ["cadastral_number"]

    inn = board.post(
        f"{API}/owners/",
        {
            "premises": str(premises.pk),
            "share": "1/2",
            "started_on": "2024-01-01",
            "kind": "org",
            "organisation_name": "ООО",
            "inn": "1234567890",
        },
        content_type="application/json",
    )
    assert inn.status_code == 400 and list(inn.json()) == ["inn"]
    assert Owner.objects.count() == 1


def test_the_board_renumbers_an_account(in_alpha, board):
    account = make_premises(account="500001").accounts.get()
    make_premises(account="500002")
    taken = board.patch(
        f"{API}/accounts/{account.pk}/", {"number": "500002"}, content_type="application/json"
    )
    assert taken.status_code == 400
    renamed = board.patch(
        f"{API}/accounts/{account.pk}/", {"number": "500009"}, content_type="application/json"
    )
    assert renamed.status_code == 200 and renamed.json()["number"] == "500009"


def test_the_schema_describes_the_registry(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/registry/premises/",
        "/api/v1/registry/owners/{id}/",
        "/api/v1/registry/accounts/",
    ):
        assert path in schema


def test_the_api_refuses_shares_with_exponents_and_overlong_shares(in_alpha, board):
    premises = make_premises(account="800001")
    for share, code in (("5e-1", "invalid"), ("1e-999999999", "invalid"), ("1" * 31, "long")):
        response = board.post(
            f"{API}/owners/",
            {
                "premises": str(premises.pk),
                "share": share,
                "started_on": "2024-01-01",
                "full_name": "Экспонентов",
            },
            content_type="application/json",
        )
        assert response.status_code == 400, share
        assert list(response.json()) == ["share"]
        if code == "long":
            assert "30" in response.json()["share"][0]  # the limit is named
    assert not Owner.objects.exists()


def test_a_put_of_an_unchanged_account_succeeds(in_alpha, board):
    premises = make_premises(account="900001")
    account = premises.accounts.get()
    current = board.get(f"{API}/accounts/{account.pk}/").json()

    unchanged = board.put(
        f"{API}/accounts/{account.pk}/",
        {"number": current["number"], "premises": current["premises"]},
        content_type="application/json",
    )
    renumbered = board.put(
        f"{API}/accounts/{account.pk}/",
        {"number": "900002", "premises": current["premises"]},
        content_type="application/json",
    )

    assert unchanged.status_code == 200, unchanged.content
    assert renumbered.status_code == 200 and renumbered.json()["number"] == "900002"


def test_a_put_that_moves_an_account_to_other_premises_is_refused(in_alpha, board):
    account = make_premises(account="900003").accounts.get()
    elsewhere = make_premises(account=None)

    response = board.put(
        f"{API}/accounts/{account.pk}/",
        {"number": "900003", "premises": str(elsewhere.pk)},
        content_type="application/json",
    )

    assert response.status_code == 400 and list(response.json()) == ["premises"]
    assert PersonalAccount.objects.get(pk=account.pk).premises_id != elsewhere.pk


def test_the_schema_allows_an_ownership_without_its_document_kind():
    """Found by tests/fuzz: an ownership entered without a document answers ``document_kind: ""``,
    which the schema's enum did not allow."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    kind = schema["components"]["schemas"]["Ownership"]["properties"]["document_kind"]
    refs = {choice.get("$ref", "").rsplit("/", 1)[-1] for choice in kind.get("oneOf", [])}
    assert "BlankEnum" in refs, kind


def test_an_account_without_premises_still_names_its_building_as_null():
    """Found by tests/fuzz: ``building_name`` was left out of an account without premises."""
    from drf_spectacular.generators import SchemaGenerator

    from tenants.residents.api import AccountSerializer
    from tenants.residents.models import PersonalAccount

    account = PersonalAccount(number="1", premises=None)
    fields = AccountSerializer().fields
    schema = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    properties = schema["components"]["schemas"]["Account"]["properties"]
    for name in ("building_name", "premises_number", "premises_kind"):
        assert fields[name].get_attribute(account) is None, name
        assert properties[name].get("nullable") or "null" in str(properties[name]), name


def test_an_owner_without_a_login_answers_user_null_as_the_schema_says(homes, board):
    """Found by make fuzz (chairman, 25 examples): the registry's owners answered ``"user":
    null`` for an owner with no login of their own, where the schema said a UUID."""
    from tests.api_schema import assert_conforms

    response = board.get(f"{API}/owners/")
    users = {row["id"]: row["user"] for row in response.json()["results"]}
    assert users[str(homes["co_owner"].pk)] is None
    assert users[str(homes["own_record"].pk)] == str(homes["anna"].pk)
    assert_conforms(response, "/api/v1/registry/owners/")
    one = board.get(f"{API}/owners/{homes['stranger'].pk}/")
    assert one.json()["user"] is None
    assert_conforms(one, "/api/v1/registry/owners/{id}/")
