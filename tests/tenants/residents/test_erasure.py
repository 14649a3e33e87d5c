"""Erasing a former holder's personal data through the page (152-ФЗ): a confirmation step, the
key destroyed, the amounts and dates kept, the current holder untouchable."""

from __future__ import annotations

import datetime

import pytest

from core.access.roles import Role
from core.audit.models import AuditEntry
from core.crypto import keyring, registry
from core.crypto.errors import KeyNotFound
from core.crypto.models import WrappedDataKey
from tenants.residents import services
from tenants.residents.models import Holding, Owner, Ownership
from tests.tenants.residents.factories import make_owner, make_premises

pytestmark = pytest.mark.django_db

SALE = datetime.date(2024, 6, 1)


@pytest.fixture
def board(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.BOARD_MEMBER]))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sold(in_alpha):
    """Premises sold on ``SALE``: the seller's holding is former, the buyer's current."""
    premises = make_premises(account="E-1")
    seller = make_owner(
        premises, name="Продавцова Ольга", email="olga@example.test", phone="+79001112233"
    )
    buyer = services.change_holder(
        seller.holding.account, holder={"full_name": "Покупателев Иван"}, on=SALE
    )
    return premises, seller, buyer


def test_the_confirmation_page_says_what_goes_and_what_stays(sold, board):
    _premises, seller, _buyer = sold
    response = board.get(f"/registry/holdings/{seller.holding_id}/erase/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "What is erased" in html and "What is kept" in html and "152-ФЗ" in html
    assert 'name="confirm"' in html


def test_without_the_confirmation_nothing_is_erased(sold, board):
    _premises, seller, _buyer = sold
    response = board.post(f"/registry/holdings/{seller.holding_id}/erase/", {})
    assert response.context["form"].errors == {"confirm": ["Tick the box to confirm the erasure."]}
    assert Owner.objects.get(pk=seller.pk).full_name == "Продавцова Ольга"


def test_erasure_destroys_the_key_and_keeps_the_record(
    sold, board, django_capture_on_commit_callbacks
):
    premises, seller, buyer = sold
    key_name = seller.holding.encryption_key_name()
    wrapped = list(WrappedDataKey.objects.filter(key_name=key_name))

    with django_capture_on_commit_callbacks(execute=True):
        response = board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/registry/premises/{premises.pk}/"
    holding = Holding.objects.get(pk=seller.holding_id)
    assert holding.erased_at is not None and holding.full_name is None
    owner = Owner.objects.get(pk=seller.pk)
    assert owner.full_name is None and owner.email_index is None and owner.phone_index is None
    # The key job destroys the key after the commit (in production on the "keys" queue);
    # then even an old backup of the data key opens nothing.
    assert keyring.destroy_requested_keys() == 1
    registry.get_key_cache().clear()
    with pytest.raises(KeyNotFound):
        registry.get_provider().unwrap(wrapped[0].key_name, wrapped[0].wrapped)
    # What the law keeps: the account, the dates, the share.
    ownership = Ownership.objects.get(owner=owner)
    assert (ownership.share, ownership.started_on, ownership.ended_on) == (
        1,
        seller.ownerships.get().started_on,
        SALE,
    )
    assert holding.account.number == "E-1" and holding.ended_on == SALE
    # The buyer is untouched, the page says what happened.
    assert Holding.objects.get(pk=buyer.pk).full_name == "Покупателев Иван"
    page = board.get(f"/registry/premises/{premises.pk}/").content.decode()
    assert "personal data erased" in page and "Продавцова" not in page
    assert (
        "Former holder&#x27;s personal data erased" in page
        or "Former holder's personal data erased" in page
    )
    entry = AuditEntry.objects.get(action="residents.holder_erased")
    assert entry.details == {"premises": str(premises.pk), "owners": 1}
    # Searching by the erased email finds nothing any more.
    assert board.get("/registry/", {"q": "olga@example.test"}).context["rows"] == []


def test_the_current_holder_cannot_be_erased(sold, board):
    _premises, _seller, buyer = sold
    response = board.get(f"/registry/holdings/{buyer.pk}/erase/")
    assert "change the holder before erasing" in response.content.decode()
    assert 'name="confirm"' not in response.content.decode()
    response = board.post(f"/registry/holdings/{buyer.pk}/erase/", {"confirm": "on"})
    assert response.status_code == 409
    assert Holding.objects.get(pk=buyer.pk).erased_at is None


def test_erasing_twice_is_refused(sold, board, django_capture_on_commit_callbacks):
    _premises, seller, _buyer = sold
    with django_capture_on_commit_callbacks(execute=True):
        board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})
    response = board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})
    assert response.status_code == 409
    assert AuditEntry.objects.filter(action="residents.holder_erased").count() == 1


def test_only_the_board_erases(sold, alpha, client_of, make_user):
    _premises, seller, _buyer = sold
    for role in (Role.ACCOUNTANT, Role.OWNER, Role.DISPATCHER):
        client = client_of(alpha, make_user(alpha, roles=[role]))
        response = client.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})
        assert response.status_code == 403
    assert Holding.objects.get(pk=seller.holding_id).erased_at is None
