"""The board's registry pages: adding and editing, bad input beside its field, search, filters.

Error messages are checked in English (the language switch's cookie): the Russian catalogue is
translated separately; the field an error stands beside is what matters here.
"""

from __future__ import annotations

import datetime
import re

import pytest

from core.access.roles import Role
from core.audit.models import AuditEntry
from tenants.residents.models import Building, Owner, Ownership, PersonalAccount, Premises
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    client.cookies["django_language"] = "en"
    return client


def errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def premises_data(building, **changes) -> dict:
    data = {
        "building": building.pk,
        "kind": "flat",
        "number": "12",
        "floor": "3",
        "entrance": "1",
        "area": "54.30",
        "cadastral_number": "77:01:0004012:1234",
        "registered_residents": "2",
        "account_number": "100012",
    }
    return {**data, **changes}


def owner_data(**changes) -> dict:
    data = {
        "kind": "person",
        "full_name": "Смирнова Анна Владимировна",
        "primary_phone": "+7 912 345-67-89",
        "primary_email": "Anna@Example.test",
        "share": "1/2",
        "started_on": "2021-06-01",
        "document_kind": "egrn",
        "document_number": "КУВИ-001/2021-1",
        "document_date": "2021-06-01",
        "egrn_record": "77:01:0004012:1234-77/011/2021-1",
        "is_member": "on",
        "member_since": "2021-07-01",
    }
    return {**data, **changes}


# -- adding ---------------------------------------------------------------------------------------


def test_board_adds_a_building_premises_with_an_account_and_an_owner(in_alpha, board):
    response = board.post(
        "/registry/buildings/new/", {"name": "Дом 1", "address": "ул. Садовая, 12"}
    )
    assert response.status_code == 302
    building = Building.objects.get(name="Дом 1")

    response = board.post("/registry/premises/new/", premises_data(building))
    premises = Premises.objects.get(building=building, number="12")
    assert response["Location"] == f"/registry/premises/{premises.pk}/"
    assert str(premises.area) == "54.30"
    account = PersonalAccount.objects.get(number="100012")
    assert account.premises == premises

    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", owner_data())
    assert response.status_code == 302
    owner = Owner.objects.get()
    assert owner.full_name == "Смирнова Анна Владимировна"
    assert owner.primary_email == "anna@example.test"
    assert owner.is_member and str(owner.member_since) == "2021-07-01"
    ownership = Ownership.objects.get()
    assert (ownership.share_numerator, ownership.share_denominator) == (1, 2)
    assert ownership.egrn_record == "77:01:0004012:1234-77/011/2021-1"
    # The account was opened without a holder: its first owner became the holder.
    assert account.holdings.get().full_name == "Смирнова Анна Владимировна"

    page = board.get(f"/registry/premises/{premises.pk}/").content.decode()
    assert "Смирнова Анна Владимировна" in page and "1/2" in page and "100012" in page
    assert 'data-warning="shares"' in page  # only a half is registered


def test_an_organisation_owner_with_inn_and_ogrn(in_alpha, board):
    premises = make_premises(kind="nonres", number="Н1")
    response = board.post(
        f"/registry/premises/{premises.pk}/owners/new/",
        owner_data(
            kind="org",
            full_name="",
            organisation_name="ООО «Садовая торговля»",
            inn="7707083893",
            ogrn="1027700132195",
            share="1",
        ),
    )
    assert response.status_code == 302
    owner = Owner.objects.get()
    assert (owner.kind, owner.inn, owner.ogrn) == ("org", "7707083893", "1027700132195")
    assert owner.display_name == "ООО «Садовая торговля»"


def test_an_owner_needs_an_account_first(in_alpha, board):
    premises = make_premises(account=None)
    response = board.get(f"/registry/premises/{premises.pk}/owners/new/")
    assert "Open a personal account for these premises first" in response.content.decode()
    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", owner_data())
    assert response.status_code == 200 and not Owner.objects.exists()


# -- bad input: a message beside the field, nothing changed -------------------------------------


def test_shares_over_one_are_refused_beside_the_share(in_alpha, board):
    premises = make_premises()
    make_owner(premises, share="2/3")

    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", owner_data(share="1/2"))

    assert errors(response) == {
        "share": ["The shares of this premises would add up to more than 1."]
    }
    assert Owner.objects.count() == 1


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("abc", "Write the share as a fraction like 1/3, or 1 for the whole premises."),
        ("3/2", "A share must be more than 0 and at most 1."),
        ("0", "A share must be more than 0 and at most 1."),
        ("1/0", "Write the share as a fraction like 1/3, or 1 for the whole premises."),
        ("5e-1", "Write the share as a fraction like 1/3, or 1 for the whole premises."),
        ("1e-9", "Write the share as a fraction like 1/3, or 1 for the whole premises."),
    ],
)
def test_malformed_shares_are_explained(in_alpha, board, share, message):
    premises = make_premises()
    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", owner_data(share=share))
    assert errors(response) == {"share": [message]}
    assert not Owner.objects.exists()


def test_a_duplicate_account_number_is_refused(in_alpha, board):
    make_premises(account="100012")
    building = BuildingFactory()

    response = board.post("/registry/premises/new/", premises_data(building))

    assert errors(response) == {"account_number": ["Account number 100012 is already taken."]}
    assert not Premises.objects.filter(building=building).exists()


def test_a_duplicate_account_number_on_the_account_page(in_alpha, board):
    make_premises(account="100012")
    premises = make_premises(account=None)
    response = board.post(
        f"/registry/premises/{premises.pk}/accounts/new/",
        {"number": "100012", "started_on": "2024-01-01"},
    )
    assert errors(response) == {"number": ["Account number 100012 is already taken."]}


def test_a_premises_number_is_unique_in_its_building(in_alpha, board):
    building = BuildingFactory()
    make_premises(building, number="12")

    response = board.post("/registry/premises/new/", premises_data(building, account_number=""))

    assert errors(response) == {
        "number": ["This building already has premises of this kind with this number."]
    }
    assert Premises.objects.filter(building=building).count() == 1
    # The same number in another building is another premises.
    other = BuildingFactory()
    assert (
        board.post("/registry/premises/new/", premises_data(other, account_number="")).status_code
        == 302
    )


def test_renumbering_premises_onto_a_taken_number_is_refused(in_alpha, board):
    building = BuildingFactory()
    make_premises(building, number="1")
    second = make_premises(building, number="2")
    data = premises_data(building, number="1")
    data.pop("account_number")

    response = board.post(f"/registry/premises/{second.pk}/edit/", data)

    assert list(errors(response)) == ["number"]
    second.refresh_from_db()
    assert second.number == "2"


@pytest.mark.parametrize("cadastral", ["77-01-0004012-1234", "77:01:12:1", "кадастр"])
def test_a_malformed_cadastral_number_is_explained(in_alpha, board, cadastral):
    building = BuildingFactory()
    response = board.post(
        "/registry/premises/new/", premises_data(building, cadastral_number=cadastral)
    )
    assert errors(response) == {
        "cadastral_number": ["A cadastral number looks like 77:01:0004012:1234."]
    }
    assert not Premises.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("area", "0"), ("area", "-5"), ("area", "12.345"), ("area", "много"), ("floor", "third")],
)
def test_bad_numbers_stay_beside_their_field(in_alpha, board, field, value):
    building = BuildingFactory()
    response = board.post("/registry/premises/new/", premises_data(building, **{field: value}))
    assert list(errors(response)) == [field]
    assert not Premises.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"inn": "7707083894"}, "inn"),  # wrong check digit
        ({"inn": "12345"}, "inn"),
        ({"ogrn": "1027700132196"}, "ogrn"),
        ({"inn": ""}, "inn"),  # an organisation needs its ИНН
        ({"organisation_name": ""}, "organisation_name"),
    ],
)
def test_organisation_numbers_are_checked(in_alpha, board, changes, field):
    premises = make_premises()
    data = owner_data(
        kind="org",
        full_name="",
        organisation_name="ООО «Ромашка»",
        inn="7707083893",
        ogrn="1027700132195",
        share="1",
    )
    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", {**data, **changes})
    assert list(errors(response)) == [field]
    assert not Owner.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"primary_phone": "12-34"}, "primary_phone"),
        ({"primary_email": "not-an-email"}, "primary_email"),
        ({"member_since": ""}, "member_since"),
        ({"started_on": "31.02.2021"}, "started_on"),
    ],
)
def test_a_person_owner_is_checked(in_alpha, board, changes, field):
    premises = make_premises()
    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", owner_data(**changes))
    assert list(errors(response)) == [field]
    assert not Owner.objects.exists()


def test_a_building_name_is_unique(in_alpha, board):
    BuildingFactory(name="Дом 1")
    response = board.post("/registry/buildings/new/", {"name": "дом 1"})
    assert errors(response) == {"name": ["A building with this name already exists."]}


def test_a_correction_of_a_share_cannot_overflow(in_alpha, board):
    premises = make_premises()
    first = make_owner(premises, share="1/2").ownerships.get()
    make_owner(premises, share="1/2", name="Второй")

    response = board.post(
        f"/registry/shares/{first.pk}/",
        {"share": "2/3", "started_on": "2020-01-01"},
    )

    assert errors(response) == {
        "share": ["The shares of this premises would add up to more than 1."]
    }
    first.refresh_from_db()
    assert first.share == 0.5


def test_garbage_identifiers_are_not_found(in_alpha, board):
    assert board.get("/registry/premises/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert board.get("/registry/premises/not-a-uuid/").status_code == 404
    assert board.get("/registry/?building=nonsense&kind=castle&page=x").status_code == 200


# -- editing ------------------------------------------------------------------------------


def test_board_corrects_an_owner_and_their_membership(in_alpha, board):
    premises = make_premises()
    owner = make_owner(premises, name="Старое Имя")

    response = board.post(
        f"/registry/owners/{owner.pk}/",
        {
            "full_name": "Новое Имя",
            "primary_phone": "+7 900 000-00-01",
            "primary_email": "",
            "is_member": "on",
            "member_since": "2023-03-01",
        },
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.full_name == "Новое Имя" and owner.is_member
    assert str(owner.member_since) == "2023-03-01"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"residents.owner_changed", "residents.membership_changed"} <= actions


def test_change_of_holder_with_the_new_owner(in_alpha, board):
    premises = make_premises(account="H-1")
    make_owner(premises, name="Продавец")
    account = premises.accounts.get()

    response = board.post(
        f"/registry/accounts/{account.pk}/holder/",
        {"on": "2025-02-01", "full_name": "Покупатель", "register_as_owner": "on"},
    )

    assert response.status_code == 302
    current = Ownership.objects.filter(ended_on__isnull=True).select_related("owner").get()
    assert current.owner.full_name == "Покупатель" and current.share == 1
    assert Ownership.objects.filter(ended_on__isnull=False).count() == 1  # history kept


def test_a_refused_new_owner_undoes_the_change_of_holder(in_alpha, board):
    from tenants.residents.services import add_owner, open_account

    premises = make_premises(account="H-1")
    # A second account of the same premises whose holder owns all of it.
    _second, holding = open_account(
        number="H-2", holder={}, started_on=datetime.date(2020, 1, 1), premises=premises
    )
    add_owner(
        holding,
        premises=premises,
        share=1,
        started_on=holding.started_on,
        person={"full_name": "Другой"},
    )
    account = PersonalAccount.objects.get(number="H-1")

    response = board.post(
        f"/registry/accounts/{account.pk}/holder/",
        {"on": "2025-02-01", "full_name": "Покупатель", "register_as_owner": "on"},
    )

    # The form has no share field: the refusal is shown above the form.
    assert errors(response) == {
        "__all__": ["The shares of this premises would add up to more than 1."]
    }
    assert account.holdings.count() == 1  # the change of holder was rolled back too


def test_a_holder_cannot_start_before_the_current_one(in_alpha, board):
    account = make_premises().accounts.get()
    response = board.post(
        f"/registry/accounts/{account.pk}/holder/", {"on": "2019-01-01", "full_name": "Ранний"}
    )
    assert list(errors(response)) == ["on"]
    assert account.holdings.count() == 1


# -- search and filters ---------------------------------------------------------------------------


@pytest.fixture
def registry(in_alpha):
    one, two = BuildingFactory(name="Дом 1"), BuildingFactory(name="Дом 2")
    flat = make_premises(one, number="15", account="100015")
    make_owner(flat, share="1/3", email="anna@example.test", phone="8 (912) 345-67-89")
    make_owner(flat, share="1/3", name="Второй")
    make_owner(flat, share="1/3", name="Третий")
    half = make_premises(one, number="16", account="100016")
    make_owner(half, share="1/2")
    parking = make_premises(two, number="3", kind="parking", account="200003")
    make_owner(parking)
    return {"flat": flat, "half": half, "parking": parking, "one": one, "two": two}


def found(board, **params) -> list[str]:
    """The search form is posted (an email or phone never goes into an address)."""
    response = board.post("/registry/", params)
    assert response.status_code == 200
    return [row.premises.number for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("15", ["15"]),
        ("100016", ["16"]),
        ("0001", ["15", "16"]),  # part of an account number
        ("Anna@Example.TEST", ["15"]),  # exact email, any case, via its blind index
        ("+7 912 345 67 89", ["15"]),  # the same phone written differently
        ("anna@example", []),  # no partial matches on encrypted data
        ("нет такого", []),
    ],
)
def test_search(registry, board, query, numbers):
    assert found(board, q=query) == numbers


def test_filters(registry, board):
    assert found(board, building=registry["two"].pk) == ["3"]
    assert found(board, kind="parking") == ["3"]
    # 1/3 + 1/3 + 1/3 is exactly 1: only the half-registered flat is flagged.
    assert found(board, incomplete="on") == ["16"]
    assert found(board, building=registry["one"].pk, incomplete="on", q="16") == ["16"]


def test_the_list_flags_shares_that_do_not_add_up(registry, board):
    html = board.get("/registry/").content.decode()
    flagged = html.split('data-premises="')
    warnings = {
        chunk[:36] for chunk in flagged[1:] if 'data-warning="shares"' in chunk.split("</li>")[0]
    }
    assert warnings == {str(registry["half"].pk)}


def test_building_links_filter_by_address(registry, board):
    response = board.get("/registry/", {"building": registry["two"].pk})
    assert [row.premises.number for row in response.context["rows"]] == ["3"]


def test_the_search_form_is_posted_so_no_email_reaches_an_address(registry, board):
    html = board.get("/registry/").content.decode()
    assert re.search(r'<form method="post"[^>]*id="registry-filters"', html)
    response = board.post("/registry/", {"q": "anna@example.test"})
    assert [row.premises.number for row in response.context["rows"]] == ["15"]
    assert not re.search(r'(href|action|hx-\w+)="[^"]*anna', response.content.decode())


def test_pages_of_results(in_alpha, board):
    building = BuildingFactory()
    for n in range(55):
        make_premises(building, number=str(n + 1), account=None)
    first = board.post("/registry/", {"building": building.pk})
    assert len(first.context["rows"]) == 50
    second = board.post("/registry/", {"building": building.pk, "page": "2"})
    assert [row.premises.number for row in second.context["rows"]] == [
        str(n) for n in range(51, 56)
    ]
    assert 'name="page" value="2"' in first.content.decode()


def test_htmx_asks_for_the_results_only(registry, board):
    response = board.post("/registry/", {"q": "15"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="premises-results"')
    assert "<html" not in html


def test_accounts_list_for_the_accountant(registry, alpha, client_of, make_user):
    accountant = client_of(alpha, make_user(alpha, roles=[Role.ACCOUNTANT]))
    response = accountant.get("/registry/accounts/", {"q": "1000"})
    assert [a.number for a in response.context["page"].object_list] == ["100015", "100016"]
    # The accountant sees money, not the owners' register.
    assert accountant.get("/registry/").status_code == 403
    assert accountant.get(f"/registry/premises/{registry['flat'].pk}/").status_code == 403
    account = registry["flat"].accounts.get()
    page = accountant.get(f"/registry/accounts/{account.pk}/").content.decode()
    assert "/holder/" not in page and "/erase/" not in page


def test_board_corrects_a_share_and_its_title_document(in_alpha, board):
    premises = make_premises()
    ownership = make_owner(premises, share="1/2").ownerships.get()

    response = board.post(
        f"/registry/shares/{ownership.pk}/",
        {
            "share": "1",
            "started_on": "2020-01-01",
            "document_kind": "contract",
            "document_number": "Д-15",
            "document_date": "2019-12-20",
            "egrn_record": "",
        },
    )

    assert response.status_code == 302
    ownership.refresh_from_db()
    assert ownership.share == 1 and ownership.document_number == "Д-15"
    entry = AuditEntry.objects.get(action="residents.ownership_changed")
    assert entry.details["fields"] == ["share", "document_kind", "document_number", "document_date"]


def test_an_ownership_cannot_end_before_it_starts(in_alpha, board):
    ownership = make_owner(make_premises()).ownerships.get()
    response = board.post(
        f"/registry/shares/{ownership.pk}/",
        {"share": "1", "started_on": "2020-01-01", "ended_on": "2019-01-01"},
    )
    assert list(errors(response)) == ["ended_on"]


def test_renumbering_an_account_onto_a_taken_number_is_refused(in_alpha, board):
    make_premises(account="300001")
    account = make_premises(account="300002").accounts.get()
    response = board.post(f"/registry/accounts/{account.pk}/number/", {"number": "300001"})
    assert errors(response) == {"number": ["Account number 300001 is already taken."]}
    response = board.post(f"/registry/accounts/{account.pk}/number/", {"number": "300009"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.number == "300009"


def test_an_empty_post_changes_nothing_and_explains(in_alpha, board):
    premises = make_premises()
    response = board.post(f"/registry/premises/{premises.pk}/owners/new/", {})
    assert {"kind", "share", "started_on"} <= set(errors(response))
    assert not Owner.objects.exists()


def test_joint_owners_without_shares_on_the_registry_form(in_alpha, board):
    """Spouses' common property (ГК РФ ст. 253): both rows carry the whole, counted once."""
    from tenants.residents.models import Ownership

    premises = make_premises(number="77")
    url = f"/registry/premises/{premises.pk}/owners/new/"
    for name in ("Иванов Иван Иванович", "Иванова Анна Петровна"):
        response = board.post(url, owner_data(full_name=name, share="1", joint="on"))
        assert response.status_code == 302
    assert list(Ownership.objects.values_list("joint", flat=True)) == [True, True]
    page = board.get(f"/registry/premises/{premises.pk}/").content.decode()
    assert page.count('<span class="reg-badge">joint ownership</span>') == 2
    assert 'data-warning="shares"' not in page  # the joint whole counts once
    refused = board.post(url, owner_data(full_name="Сын", share="1/2"))
    assert "would add up to more than 1" in refused.content.decode()
    assert Ownership.objects.count() == 2  # nothing stored
