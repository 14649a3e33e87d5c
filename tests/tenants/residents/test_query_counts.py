"""Pinned query counts of the registry's pages and API (tests/query_counts.py).

A register that grows premises by premises: each has an account, a member with an email and a
phone, a registered resident, and Anna (one person, one login, one email) as co-owner of all of
them, so her "My home", her membership card and the register of members grow too. The detail
pages grow inside one premises: its owners, its accounts' holders and its registered residents.
"""

from __future__ import annotations

import datetime

import pytest

from core.access.roles import Role
from tenants.residents.models import Premises
from tenants.residents.services import residency
from tests.query_counts import counts_at, query_count
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises

pytestmark = pytest.mark.django_db

SIZES = (1, 20)
MEMBER = {"is_member": True, "member_since": datetime.date(2020, 6, 1)}


class Register:
    """``grow_to(n)``: n premises, each with a member, Anna and a registered resident."""

    def __init__(self, alpha, make_user):
        self.chairman = make_user(alpha, roles=[Role.CHAIRMAN])
        self.anna = make_user(alpha, roles=[Role.OWNER], email="anna@example.test")
        self.building = BuildingFactory(name="Садовая, 12")
        self.first = None
        self.anna_first = None

    def grow_to(self, size: int) -> None:
        for n in range(Premises.objects.count(), size):
            flat = make_premises(self.building, number=str(n + 1))
            make_owner(
                flat,
                share="1/2",
                name=f"Член {n}",
                email=f"member{n}@example.test",
                phone=f"+7 916 000-00-{n:02d}",
                membership=MEMBER,
            )
            anna = make_owner(
                flat,
                share="1/2",
                name="Смирнова Анна",
                email="anna@example.test",
                user=self.anna,
                membership=MEMBER,
            )
            residency.register_resident(
                flat, full_name=f"Жилец {n}", started_on=datetime.date(2021, 1, 1), actor=None
            )
            if self.first is None:
                self.first, self.anna_first = flat, anna


@pytest.fixture
def register(in_alpha, make_user) -> Register:
    return Register(in_alpha, make_user)


def grown(register, client, path) -> dict[int, int]:
    return counts_at(SIZES, register.grow_to, lambda: query_count(client, path(register)))


@pytest.mark.parametrize(
    ("path", "pinned"),
    [
        (lambda r: "/registry/", 8),
        (lambda r: "/registry/accounts/", 5),
        (lambda r: "/registry/members/", 6),
        (lambda r: "/members/register/", 6),
        (lambda r: "/registry/members/register.csv", 7),  # + the download's audit entry
        (lambda r: "/registry/members/register.xlsx", 7),  # + the download's audit entry
        (lambda r: f"/registry/owners/{r.anna_first.pk}/membership/", 9),
        (lambda r: "/api/v1/registry/premises/", 6),
        (lambda r: "/api/v1/registry/owners/", 5),
        (lambda r: "/api/v1/registry/accounts/", 5),
    ],
    ids=[
        "registry",
        "accounts",
        "register-of-members",
        "register-for-members",
        "register-csv",
        "register-xlsx",
        "membership-card",
        "api-premises",
        "api-owners",
        "api-accounts",
    ],
)
def test_the_board_pages_and_api(alpha, register, client_of, path, pinned):
    found = grown(register, client_of(alpha, register.chairman), path)
    assert found == {1: pinned, 20: pinned}


@pytest.mark.parametrize(
    ("path", "pinned"),
    [
        (lambda r: "/home/", 4),
        (lambda r: "/members/register/", 6),
        (lambda r: "/api/v1/registry/premises/", 6),
        (lambda r: "/api/v1/registry/owners/", 5),
        (lambda r: "/api/v1/registry/accounts/", 5),
    ],
    ids=["my-home", "register-for-members", "api-premises", "api-owners", "api-accounts"],
)
def test_an_owners_pages_and_api(alpha, register, client_of, path, pinned):
    found = grown(register, client_of(alpha, register.anna), path)
    assert found == {1: pinned, 20: pinned}


class OnePremises:
    """One premises whose owners (one account's holding) and registered residents grow."""

    def __init__(self):
        self.premises = make_premises(BuildingFactory(), number="7", account="70007")
        self.account = self.premises.accounts.get()
        self.owners = 0

    def grow_to(self, size: int) -> None:
        from tenants.residents.models import Ownership

        for n in range(self.owners, size):
            owner = make_owner(
                self.premises,
                share="1/40",
                name=f"Совладелец {n}",
                email=f"co{n}@example.test",
                membership=MEMBER,
            )
            residency.register_resident(
                self.premises,
                full_name=f"Жилец {n}",
                started_on=datetime.date(2021, 1, 1),
                actor=None,
            )
            self.first_owner = getattr(self, "first_owner", None) or owner
        self.owners = size
        assert Ownership.objects.filter(premises=self.premises).count() == size


@pytest.mark.parametrize(
    ("path", "pinned"),
    [
        (lambda p: f"/registry/premises/{p.premises.pk}/", 9),
        (lambda p: f"/registry/accounts/{p.account.pk}/", 4),
        (lambda p: f"/registry/premises/{p.premises.pk}/registered/", 6),
        (lambda p: f"/registry/premises/{p.premises.pk}/edit/", 4),
        (lambda p: f"/registry/owners/{p.first_owner.pk}/", 3),
        (lambda p: f"/registry/accounts/{p.account.pk}/holder/", 3),
        (lambda p: f"/registry/buildings/{p.premises.building_id}/", 3),
        (lambda p: f"/api/v1/registry/premises/{p.premises.pk}/", 5),
        (lambda p: f"/api/v1/registry/accounts/{p.account.pk}/", 4),
    ],
    ids=[
        "premises",
        "account",
        "registered-residents",
        "premises-edit",
        "owner-edit",
        "holder-change",
        "building-edit",
        "api-premises",
        "api-account",
    ],
)
def test_the_detail_pages(alpha, in_alpha, client_of, make_user, path, pinned):
    board = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    one = OnePremises()
    found = counts_at(SIZES, one.grow_to, lambda: query_count(board, path(one)))
    assert found == {1: pinned, 20: pinned}
