"""The "Security" pages of a signed-in person: the password, the second factor, other sessions
(core/access/security.py, core/access/security_views.py)."""

from __future__ import annotations

import datetime
import time

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.utils import translation

from core.access import security
from core.access.models import SecondFactor
from core.access.roles import Role
from core.access.session_store import SessionStore
from core.audit.models import AuditEntry
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lilac-harbour-4417"
PASSWORD_URL = "/accounts/security/password/"


def actions_about(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(user.pk))
        .order_by("at")
        .values_list("action", flat=True)
    )


def change(client, current=TEST_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        PASSWORD_URL,
        {"old_password": current, "new_password1": new, "new_password2": again or new},
    )


def reload(user):
    return type(user).objects.get(pk=user.pk)


def is_signed_in(client) -> bool:
    return client.get("/accounts/security/").status_code == 200


def cached_copy(session_key: str):
    store = SessionStore(session_key)
    return store._cache.get(store.cache_key)


def with_factor(user, secret=None) -> str:
    secret = secret or pyotp.random_base32()
    SecondFactor(user=user, secret=secret, confirmed_at=datetime.datetime.now(datetime.UTC)).save()
    return secret


# -- the password -------------------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_ends_the_others(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    here, elsewhere = client_of(alpha, owner), client_of(alpha, owner)
    assert is_signed_in(elsewhere)  # its session is now in the cache too
    other_key = elsewhere.session.session_key
    assert cached_copy(other_key) is not None
    stranger = make_user(alpha, roles=[Role.OWNER])
    strangers_client = client_of(alpha, stranger)

    response = change(here)

    assert response.status_code == 302 and response["Location"] == "/accounts/security/"
    assert reload(owner).check_password(NEW_PASSWORD)
    assert is_signed_in(here)
    assert not Session.objects.filter(pk=other_key).exists()
    assert cached_copy(other_key) is None
    assert elsewhere.get("/accounts/security/")["Location"].startswith("/accounts/login/")
    assert is_signed_in(strangers_client)  # another person's sessions are left alone
    assert actions_about(owner)[-1] == "access.password_changed"
    entry = AuditEntry.objects.filter(action="access.password_changed").latest("at")
    assert entry.details == {"sessions_ended": 1}
    # And the new password signs in.
    fresh = client_of(alpha)
    assert fresh.login(username=owner.email, password=NEW_PASSWORD)


def test_the_person_gets_a_letter_about_the_change(alpha, client_of, make_user):
    from tenants.notifications.services import deliver_pending

    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, owner)
    with translation.override("ru"):
        change(client)
    deliver_pending()
    letters = [letter for letter in mail.outbox if owner.email in letter.to]
    assert len(letters) == 1
    assert "пароль" in letters[0].subject.lower()
    assert NEW_PASSWORD not in letters[0].body


def test_a_wrong_current_password_changes_nothing(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    here, elsewhere = client_of(alpha, owner), client_of(alpha, owner)
    before = actions_about(owner)

    response = change(here, current="not-my-password")

    assert response.status_code == 200
    assert "Текущий пароль неверен" in response.content.decode()
    assert reload(owner).check_password(TEST_PASSWORD)
    assert is_signed_in(elsewhere) and is_signed_in(here)
    assert actions_about(owner) == before


@pytest.mark.parametrize(
    "new",
    [
        "short1",  # too short
        "1234567890",  # only digits
        "password123",  # a common password
        "{local}",  # the email's name part
    ],
)
def test_the_password_policy_holds(alpha, client_of, make_user, new):
    owner = make_user(alpha, roles=[Role.OWNER], email="vasilisa.prekrasnaya@example.test")
    client = client_of(alpha, owner)
    response = change(client, new=new.format(local="vasilisa.prekrasnaya"))
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert reload(owner).check_password(TEST_PASSWORD)
    assert "access.password_changed" not in actions_about(owner)


def test_the_two_new_passwords_must_be_the_same(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, owner)
    response = change(client, again=NEW_PASSWORD + "x")
    assert response.status_code == 200
    assert "Новые пароли не совпадают" in response.content.decode()
    assert reload(owner).check_password(TEST_PASSWORD)


def test_guessing_the_current_password_is_limited(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, owner)
    limit = int(settings.LOGIN_FAILURE_RATE.split("/")[0])
    for _attempt in range(limit):
        assert change(client, current="guess").status_code == 200
    # Used up: the right password is refused too, and nothing changes.
    response = change(client)
    assert response.status_code == 429
    assert "Слишком много" in response.content.decode()
    assert reload(owner).check_password(TEST_PASSWORD)
    assert "access.password_changed" not in actions_about(owner)


def test_an_operator_changes_the_password_on_the_public_site(
    public_client, django_capture_on_commit_callbacks
):
    connection.set_schema_to_public()
    operator = UserFactory(roles=[], is_staff=True)
    assert public_client.login(username=operator.email, password=TEST_PASSWORD)
    from tests.conftest import verify_second_factor

    verify_second_factor(public_client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(public_client)
    assert response.status_code == 302
    connection.set_schema_to_public()
    assert reload(operator).check_password(NEW_PASSWORD)
    assert public_client.get("/accounts/security/").status_code == 200
    assert [letter for letter in mail.outbox if operator.email in letter.to]


# -- other sessions -----------------------------------------------------------------------------


def test_signing_out_everywhere_else(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    here = client_of(alpha, owner)
    others = [client_of(alpha, owner) for _n in range(2)]
    keys = [other.session.session_key for other in others]
    for other in others:
        assert is_signed_in(other)

    response = here.post("/accounts/security/sign-out-elsewhere/")

    assert response.status_code == 302
    assert is_signed_in(here)
    assert not Session.objects.filter(pk__in=keys).exists()
    assert all(cached_copy(key) is None for key in keys)
    for other in others:
        assert not is_signed_in(other)
    entry = AuditEntry.objects.filter(action="access.other_sessions_ended").latest("at")
    assert entry.details == {"ended": 2} and entry.actor_id == owner.pk
    assert reload(owner).check_password(TEST_PASSWORD)


def test_signing_out_elsewhere_is_a_post(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    assert client_of(alpha, owner).get("/accounts/security/sign-out-elsewhere/").status_code == 405


# -- the second factor --------------------------------------------------------------------------


def test_the_page_says_whether_the_second_factor_is_on(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    with_factor(chairman)
    page = client_of(alpha, chairman).get("/accounts/security/")
    assert page.context["factor_on"] and page.context["factor_required"]
    owner = make_user(alpha, roles=[Role.OWNER])
    page = client_of(alpha, owner).get("/accounts/security/")
    assert not page.context["factor_on"] and not page.context["factor_required"]


def new_phone_secret(client) -> str:
    page = client.get("/accounts/security/new-phone/")
    assert page.status_code == 200
    return page.context["secret"]


def test_moving_the_second_factor_to_a_new_phone(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN, Role.BOARD_MEMBER])
    old_secret = with_factor(chairman)
    client = client_of(alpha, chairman)
    new_secret = new_phone_secret(client)
    assert new_secret != old_secret
    # The pending seed waits in the session sealed, never in clear.
    pending = client.session[security.PENDING_KEY]
    assert pending["token"].startswith("e1.") and new_secret not in str(pending)
    assert new_phone_secret(client) == new_secret  # a reload shows the same one

    # A wrong code, or a wrong password, changes nothing.
    wrong = client.post(
        "/accounts/security/new-phone/",
        {"current_password": TEST_PASSWORD, "code": pyotp.TOTP(old_secret).now()},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    no_password = client.post(
        "/accounts/security/new-phone/",
        {"current_password": "nope", "code": pyotp.TOTP(new_secret).now()},
    )
    assert no_password.status_code == 200
    assert no_password.context["form"].errors["current_password"]
    assert SecondFactor.objects.get(user=chairman).secret == old_secret
    assert "access.second_factor_replaced" not in actions_about(chairman)

    done = client.post(
        "/accounts/security/new-phone/",
        {"current_password": TEST_PASSWORD, "code": pyotp.TOTP(new_secret).now()},
    )

    assert done.status_code == 302
    factor = SecondFactor.objects.get(user=chairman)
    assert factor.secret == new_secret and factor.confirmed_at is not None
    assert security.PENDING_KEY not in client.session
    assert actions_about(chairman)[-1] == "access.second_factor_replaced"
    # The old phone no longer works; the code just used cannot be replayed.
    from core.access import twofactor

    later = time.time() + 60
    assert not twofactor.verify_code(factor, pyotp.TOTP(old_secret).at(later), at=later)
    assert not twofactor.verify_code(factor, pyotp.TOTP(new_secret).now())
    assert is_signed_in(client)


def test_a_pending_seed_opens_only_for_its_own_login(alpha, make_user):
    first, second = make_user(alpha), make_user(alpha)
    pending = security.seal_pending(first, "JBSWY3DPEHPK3PXP")
    assert security.open_pending(first, pending) == "JBSWY3DPEHPK3PXP"
    assert security.open_pending(second, pending) is None
    assert security.open_pending(first, {**pending, "nonce": "other"}) is None
    assert security.open_pending(first, None) is None


@pytest.mark.parametrize("role", [Role.CHAIRMAN, Role.ACCOUNTANT, Role.DISPATCHER])
def test_board_roles_cannot_turn_the_second_factor_off(alpha, client_of, make_user, role):
    user = make_user(alpha, roles=[role])
    with_factor(user)
    client = client_of(alpha, user)
    page = client.get("/accounts/security/second-factor-off/")
    assert "не может быть выключен" in page.content.decode()
    response = client.post(
        "/accounts/security/second-factor-off/", {"current_password": TEST_PASSWORD}
    )
    assert response.status_code == 403
    assert SecondFactor.objects.filter(user=user).exists()
    assert "access.second_factor_disabled" not in actions_about(user)


def test_a_member_turns_off_an_authenticator_left_from_a_board_role(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    with_factor(owner)
    client = client_of(alpha, owner)
    wrong = client.post("/accounts/security/second-factor-off/", {"current_password": "nope"})
    assert wrong.status_code == 200 and SecondFactor.objects.filter(user=owner).exists()
    response = client.post(
        "/accounts/security/second-factor-off/", {"current_password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert not SecondFactor.objects.filter(user=owner).exists()
    assert actions_about(owner)[-1] == "access.second_factor_disabled"


def test_members_have_nothing_to_move(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, owner)
    page = client.get("/accounts/security/new-phone/")
    assert page.status_code == 200 and page.context["form"] is None
    assert security.PENDING_KEY not in client.session
    client.post("/accounts/security/new-phone/", {"current_password": TEST_PASSWORD, "code": "1"})
    assert not SecondFactor.objects.filter(user=owner).exists()


def test_the_menu_links_to_the_security_page(alpha, client_of, make_user):
    owner = make_user(alpha, roles=[Role.OWNER])
    page = client_of(alpha, owner).get("/")
    assert 'href="/accounts/security/"' in page.content.decode()


def test_the_password_is_not_checked_while_the_counters_are_out_of_reach(
    alpha, client_of, make_user, monkeypatch
):
    from core.access import security_views

    owner = make_user(alpha, roles=[Role.OWNER])
    client = client_of(alpha, owner)
    monkeypatch.setattr(security_views, "_usage", lambda request, **limit: None)
    response = change(client)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Сейчас нельзя проверить пароль" in response.content.decode()
    assert reload(owner).check_password(TEST_PASSWORD)
