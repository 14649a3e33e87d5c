"""Tokens of one association used on another's host: refused, nothing written (issue 19).

Each token is made in ``alpha`` for a person or object that has a twin in ``beta`` (the same
id, the same address, even the same password hash): only the association the token was made for
tells them apart. Opened and submitted on ``beta``'s host, the link is refused, spends nothing
and writes nothing (rows counted by PostgreSQL around each request, as in the every-method
matrix, ``tests/access_methods.py``), and ``alpha``'s token still works at home.

Ids are checked by the matrix (``test_ids_of_another_association_are_refused``), which covers
the ballot receipt (``voting:receipt``, ``voting:api-receipt``) and the chair's hand-over
(``staff:handover-answer``): their links carry ids, not tokens. The payment return
(``payments:return``, where the provider sends the member back) carries a token bound to the
association's schema: below.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.access.roles import Role
from tests.access_methods import send, visitor
from tests.conftest import host_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "другой-пароль-для-проверки-42"


def _twin(user, association):
    """A user of ``association`` with ``user``'s id, address and password hash (sealed fields
    are bound to their row: the twin is made with the id, not given it afterwards)."""
    connection.set_tenant(association)
    twin = UserFactory(
        id=user.pk, roles=list(user.roles), email=user.email, full_name=user.full_name
    )
    get_user_model().objects.filter(pk=twin.pk).update(
        password=user.password, last_login=user.last_login
    )
    return get_user_model().objects.get(pk=user.pk)


def _refused_on(association, method, path, *, body=None, user=None):
    """``method`` on ``association``'s host (anonymous, or signed in as ``user``): the answer,
    asserting it wrote nothing."""
    client = visitor(host_of(association), user, association if user else None)
    connection.set_tenant(association)
    answer = send(client, method, path, api=False, body=body)
    assert answer.status < 500, (method, path, answer.status)
    assert not answer.written, (method, path, answer.written)
    return answer


def test_a_password_reset_link_of_alpha_does_not_open_beta(alpha, beta):
    from core.access.tokens import password_reset_token

    connection.set_tenant(alpha)
    person = UserFactory(roles=[Role.OWNER])
    token = password_reset_token.make_token(person)
    path = f"/accounts/password-reset/{urlsafe_base64_encode(force_bytes(person.pk))}/{token}/"
    twin = _twin(person, beta)

    opened = _refused_on(beta, "GET", path)
    assert opened.status == 200 and "set-password" not in opened.text
    submitted = _refused_on(
        beta, "POST", path, body={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert submitted.status == 200
    connection.set_tenant(beta)
    twin.refresh_from_db()
    assert not twin.check_password(NEW_PASSWORD)
    # At home the same link opens the form.
    connection.set_tenant(alpha)
    home = visitor(host_of(alpha)).get(path)
    assert home.status_code == 302 and "set-password" in home["Location"]


def test_an_invitation_of_alpha_does_not_open_beta(alpha, beta):
    """(With a twin invitation of the same id and token hash in beta:
    ``tests/tenants/invitations/test_links.py``.)"""
    from tenants.invitations import services, tokens
    from tenants.invitations.models import Invitation, InvitationStatus

    connection.set_tenant(alpha)
    invitation = services.invite_staff(
        email="twin-invited@example.test", roles=[Role.ACCOUNTANT], site_url="http://alpha"
    )
    token = tokens.make_token(invitation.pk)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=tokens.token_hash(token))
    path = f"/invitations/accept/{token}/"

    assert _refused_on(beta, "GET", path).status == 404
    body = {"full_name": "Анна", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert _refused_on(beta, "POST", path, body=body).status == 404
    connection.set_tenant(beta)
    assert not get_user_model().objects.with_email("twin-invited@example.test").exists()
    connection.set_tenant(alpha)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING
    assert visitor(host_of(alpha)).get(path).status_code == 200


def test_an_unsubscribe_link_of_alpha_changes_nothing_in_beta(alpha, beta):
    from tenants.notifications import tokens
    from tenants.notifications.declaration import ANNOUNCEMENT
    from tenants.notifications.models import Preference

    connection.set_tenant(alpha)
    person = UserFactory(roles=[Role.OWNER])
    token = tokens.make_token(person.pk, ANNOUNCEMENT)
    _twin(person, beta)
    path = f"/notifications/unsubscribe/{token}/"

    _refused_on(beta, "GET", path)
    answer = _refused_on(beta, "POST", path)
    assert "Ничего не изменено" in answer.text
    connection.set_tenant(beta)
    assert not Preference.objects.exists()


def test_a_new_portals_hand_over_of_alpha_does_not_sign_in_on_beta(alpha, beta):
    from signup.models import HandoverToken
    from signup.services import issue_handover

    connection.set_tenant(alpha)
    chairman = UserFactory(roles=[Role.CHAIRMAN])
    _twin(chairman, beta)
    connection.set_schema_to_public()
    token = issue_handover(alpha, chairman)
    path = f"/welcome/start/{token}/"

    assert _refused_on(beta, "GET", path).status == 404
    assert _refused_on(beta, "POST", path).status == 405  # a link, opened only
    connection.set_schema_to_public()
    assert HandoverToken.objects.filter(schema_name=alpha.schema_name, used_at=None).exists()
    connection.set_tenant(alpha)
    assert visitor(host_of(alpha)).get(path).status_code == 302  # at home it signs in


def test_a_payment_return_link_of_alpha_does_nothing_on_beta(alpha, beta):
    """A twin in beta: the same member id and a waiting payment of the same id and provider
    reference. The return link made in alpha is a 404 on beta's host, asks no provider and
    changes nothing; at home it opens the payment."""
    import uuid
    from decimal import Decimal

    from billing.payments import tokens
    from billing.payments.models import OnlinePayment, Status
    from tests.tenants.residents.factories import make_owner, make_premises

    payment_id = uuid.uuid4()

    def waiting_payment(association, user):
        connection.set_tenant(association)
        premises = make_premises()
        make_owner(premises, user=user)
        return OnlinePayment.objects.create(
            id=payment_id,
            account=premises.accounts.get(),
            amount=Decimal("10.00"),
            provider="stripe_connect",
            status=Status.PENDING,
            provider_ref="pi_twin",
            created_by=user,
        )

    connection.set_tenant(alpha)
    person = UserFactory(roles=[Role.OWNER])
    waiting_payment(alpha, person)
    connection.set_tenant(alpha)
    token = tokens.make_token(payment_id)
    twin = _twin(person, beta)
    waiting_payment(beta, twin)
    path = f"/money/online/{payment_id}/return/{token}/"
    # The twin's first request notes beta's last activity (public schema), as any member's does.
    visitor(host_of(beta), twin, beta).get("/")

    assert _refused_on(beta, "GET", path, user=twin).status == 404
    assert _refused_on(beta, "POST", path, user=twin).status == 405
    connection.set_tenant(beta)
    assert OnlinePayment.objects.get(pk=payment_id).status == Status.PENDING
    assert not tokens.check_token(token, payment_id)
    connection.set_tenant(alpha)
    assert tokens.check_token(token, payment_id)
    home = visitor(host_of(alpha), person, alpha).get(path)
    assert home.status_code == 302 and home["Location"] == f"/money/online/{payment_id}/"
