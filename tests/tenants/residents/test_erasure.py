"""Erasing a former holder's personal data through the page (152-ФЗ): a confirmation step, the
key destroyed, the amounts and dates kept, the current holder untouchable."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access.roles import Role
from core.audit.models import AuditEntry
from core.crypto import keyring, registry
from core.crypto.errors import KeyNotFound
from core.crypto.models import WrappedDataKey
from tenants.invitations import tokens
from tenants.invitations.models import Invitation, InvitationKind, InvitationStatus
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
    # Every app's erasure hook adds its counts (the registry's own: registered residents).
    assert entry.details["registered_residents_cleared"] == 0
    assert (
        entry.details.items()
        >= {
            "premises": str(premises.pk),
            "owners": 1,
            "logins_closed": 0,
            "invitations_cleared": 0,
        }.items()
    )
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


# -- only a truly former holding is erased --------------------------------------------------------


def _ends_in_future(seller) -> datetime.date:
    """A holding closed by a future-dated change of holder (made before such dates were refused)."""
    later = timezone.localdate() + datetime.timedelta(days=30)
    Holding.objects.filter(pk=seller.holding_id).update(ended_on=later)
    Ownership.objects.filter(owner=seller).update(ended_on=later)
    return later


def test_a_holding_that_ends_in_the_future_cannot_be_erased(sold, board):
    _premises, seller, _buyer = sold
    _ends_in_future(seller)

    page = board.get(f"/registry/holdings/{seller.holding_id}/erase/")
    assert page.context["refusal"] and 'name="confirm"' not in page.content.decode()
    response = board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    assert response.status_code == 409
    assert Holding.objects.get(pk=seller.holding_id).erased_at is None
    with pytest.raises(ValidationError):
        services.erase_holder(Holding.objects.get(pk=seller.holding_id))
    assert Owner.objects.get(pk=seller.pk).full_name == "Продавцова Ольга"


def test_a_holding_whose_owner_still_owns_a_share_cannot_be_erased(sold, board):
    _premises, seller, _buyer = sold
    Ownership.objects.filter(owner=seller).update(ended_on=None)  # still in the register

    response = board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    assert response.status_code == 409
    assert "still owns a share" in response.context["refusal"]
    with pytest.raises(ValidationError):
        services.erase_holder(Holding.objects.get(pk=seller.holding_id))
    assert Holding.objects.get(pk=seller.holding_id).erased_at is None


def test_the_premises_page_offers_erasure_only_where_erasure_is_allowed(sold, board):
    premises, seller, _buyer = sold
    erase_link = f"/registry/holdings/{seller.holding_id}/erase/"
    assert erase_link in board.get(f"/registry/premises/{premises.pk}/").content.decode()

    _ends_in_future(seller)

    assert erase_link not in board.get(f"/registry/premises/{premises.pk}/").content.decode()


# -- the former holder's logins --------------------------------------------------------------------


def _invite_and_accept(seller, user):
    """The seller was invited as an owner and accepted (as the invitation service does)."""
    invitation = Invitation(
        email="olga@example.test",
        kind=InvitationKind.OWNER,
        premises=seller.ownerships.get().premises,
        owner=seller,
        status=InvitationStatus.ACCEPTED,
        expires_at=timezone.now(),
        accepted_by=user,
    )
    invitation.token_hash = tokens.token_hash(tokens.make_token(invitation.pk))
    invitation.save()
    Owner.objects.filter(pk=seller.pk).update(user=user)
    return invitation


def test_erasure_closes_the_former_holders_login_and_forgets_its_email(
    sold, board, alpha, make_user, client_of
):
    _premises, seller, _buyer = sold
    olga = make_user(alpha, roles=[Role.OWNER], email="olga@example.test", full_name="Ольга")
    olga_client = client_of(alpha, olga)
    invitation = _invite_and_accept(seller, olga)

    response = board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    assert response.status_code == 302
    User = get_user_model()
    closed = User.objects.get(pk=olga.pk)
    assert closed.email == f"erased-{olga.pk}@invalid" and closed.full_name == ""
    assert not closed.is_active and not closed.has_usable_password() and closed.roles == []
    assert not User.objects.with_email("olga@example.test").exists()
    assert Owner.objects.get(pk=seller.pk).user_id is None
    invitation.refresh_from_db()
    assert invitation.email is None and invitation.email_index is None
    # Her open session is of no use any more.
    assert olga_client.get("/home/").status_code == 302
    entry = AuditEntry.objects.get(action="residents.holder_erased")
    assert entry.details["logins_closed"] == 1 and entry.details["invitations_cleared"] == 1


def test_erasure_revokes_a_pending_invitation_of_the_former_holder(sold, board):
    premises, seller, _buyer = sold
    invitation = Invitation(
        email="olga@example.test",
        kind=InvitationKind.OWNER,
        premises=premises,
        owner=seller,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    invitation.token_hash = tokens.token_hash(tokens.make_token(invitation.pk))
    invitation.save()

    board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED and invitation.email is None
    assert "email erased" in board.get("/invitations/").content.decode()


def test_erasure_keeps_a_login_that_still_owns_other_premises(sold, board, alpha, make_user):
    _premises, seller, _buyer = sold
    olga = make_user(alpha, roles=[Role.OWNER], email="olga@example.test")
    _invite_and_accept(seller, olga)
    make_owner(make_premises(account="E-2"), name="Продавцова Ольга", user=olga)

    board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    kept = get_user_model().objects.get(pk=olga.pk)
    assert kept.is_active and kept.email == "olga@example.test" and kept.roles == [Role.OWNER]
    assert Owner.objects.get(pk=seller.pk).user_id is None


def test_erasure_keeps_a_board_members_login_without_the_owner_role(sold, board, alpha, make_user):
    _premises, seller, _buyer = sold
    member = make_user(alpha, roles=[Role.BOARD_MEMBER, Role.OWNER], email="olga@example.test")
    _invite_and_accept(seller, member)

    board.post(f"/registry/holdings/{seller.holding_id}/erase/", {"confirm": "on"})

    kept = get_user_model().objects.get(pk=member.pk)
    assert kept.is_active and kept.email == "olga@example.test"
    assert kept.roles == [Role.BOARD_MEMBER]
