"""Sessions expire (idle and absolute), the password policy holds in the real forms (in Russian),
sign-in and second-factor limits hold and fail closed without Redis, and sign-in events are
audited. Hygiene guarantees of docs/security.md."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.access import sessions
from core.access.roles import Role
from core.access.tokens import password_reset_token
from core.audit.models import AuditEntry
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

#: A Redis URL at a closed port: the shared Redis is never stopped.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


@pytest.fixture
def clock(monkeypatch):
    now = [1_900_000_000.0]
    monkeypatch.setattr(sessions, "clock", lambda: now[0])
    return now


# -- sessions -------------------------------------------------------------------------------------


def test_an_idle_session_ends(alpha, client_of, make_user, clock, settings):
    make_user(alpha, roles=[Role.OWNER], email="idle@example.test")
    client = client_of(alpha)
    assert sign_in(client, "idle@example.test").status_code == 302
    clock[0] += settings.SESSION_IDLE_SECONDS - 60
    assert client.get("/").status_code == 200  # still within the idle limit, and it is renewed
    clock[0] += settings.SESSION_IDLE_SECONDS - 60
    assert client.get("/").status_code == 200
    clock[0] += settings.SESSION_IDLE_SECONDS + 1
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session
    connection.set_tenant(alpha)
    assert AuditEntry.objects.get(action="access.signed_out").details == {"expired": True}


def test_a_busy_session_still_ends_at_the_absolute_limit(
    alpha, client_of, make_user, clock, settings
):
    make_user(alpha, roles=[Role.OWNER], email="busy@example.test")
    client = client_of(alpha)
    assert sign_in(client, "busy@example.test").status_code == 302
    step = settings.SESSION_IDLE_SECONDS // 2
    while clock[0] + step < 1_900_000_000 + settings.SESSION_ABSOLUTE_SECONDS:
        clock[0] += step
        assert client.get("/").status_code == 200
    clock[0] = 1_900_000_000 + settings.SESSION_ABSOLUTE_SECONDS + 1
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_api_answers_as_for_anyone_signed_out(alpha, client_of, make_user, clock, settings):
    make_user(alpha, roles=[Role.OWNER], email="api@example.test")
    client = client_of(alpha)
    assert sign_in(client, "api@example.test").status_code == 302
    clock[0] += settings.SESSION_ABSOLUTE_SECONDS + 1
    assert client.get("/api/v1/me/").status_code in {401, 403}
    assert "_auth_user_id" not in client.session


def test_the_cookie_lives_no_longer_than_the_absolute_limit(alpha, client_of, make_user, settings):
    make_user(alpha, roles=[Role.OWNER], email="cookie@example.test")
    client = client_of(alpha)
    response = sign_in(client, "cookie@example.test")
    morsel = response.cookies["sessionid"]
    assert int(morsel["max-age"]) == settings.SESSION_ABSOLUTE_SECONDS
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and not morsel["domain"]


# -- password policy -------------------------------------------------------------------------------


def reset_page(client, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_token.make_token(user)
    response = client.get(f"/accounts/password-reset/{uid}/{token}/")
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    ("password", "message", "email"),
    [
        ("Ab1!xyz", "Введённый пароль слишком короткий", "sk@example.test"),
        ("password123", "Введённый пароль слишком широко распространён", "sk@example.test"),
        ("8301947265", "Введённый пароль состоит только из цифр", "sk@example.test"),
        (
            "svetlana.kuznetsova",
            "Введённый пароль слишком похож на электронная почта",
            "svetlana.kuznetsova@example.test",
        ),
        ("KuznetsovaSvetlana", "Введённый пароль слишком похож на ФИО", "sk@example.test"),
    ],
)
def test_the_password_reset_form_applies_the_policy_in_russian(
    alpha, client_of, make_user, password, message, email
):
    user = make_user(
        alpha,
        roles=[Role.OWNER],
        email=email,
        full_name="Kuznetsova Svetlana",
    )
    client = client_of(alpha)
    url = reset_page(client, user)
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)  # nothing written
    good = "Tulip-harbour-7-quietly"
    response = client.post(url, {"new_password1": good, "new_password2": good})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(good)
    assert AuditEntry.objects.filter(action="access.password_reset", target_id=str(user.pk))


def test_the_invitation_form_applies_the_policy_in_russian(alpha):
    from tenants.invitations.forms import SetPasswordForm

    connection.set_tenant(alpha)
    for password, message in [
        ("short1", "слишком короткий"),
        ("qwerty123", "слишком широко распространён"),
        ("5550193847", "состоит только из цифр"),
        ("OlegSmirnov", "слишком похож на ФИО"),
    ]:
        form = SetPasswordForm(
            {"full_name": "Oleg Smirnov", "password1": password, "password2": password},
            email="o.s@example.test",
        )
        assert not form.is_valid()
        assert message in " ".join(form.errors["password1"]), password


# -- rate limits -----------------------------------------------------------------------------------


def test_sign_in_is_limited_per_account_across_addresses(alpha, client_of, make_user):
    make_user(alpha, roles=[Role.OWNER], email="target@example.test")
    for number in range(5):
        client = client_of(alpha)
        client.defaults["REMOTE_ADDR"] = f"10.0.0.{number + 1}"
        assert sign_in(client, "target@example.test", "wrong").status_code == 200
    client = client_of(alpha)
    client.defaults["REMOTE_ADDR"] = "10.0.0.99"
    assert sign_in(client, "target@example.test").status_code == 429


def test_second_factor_codes_are_limited(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN], email="chair@example.test")
    client = client_of(alpha, chairman, second_factor_verified=False)
    client.get("/accounts/second-factor/")  # enrolment starts
    for _ in range(5):
        response = client.post("/accounts/second-factor/", {"code": "000000"})
        assert "Код неверный" in response.content.decode() or response.status_code == 200
    import pyotp

    from core.access.twofactor import SecondFactor

    factor = SecondFactor.objects.get(user=chairman)
    right = pyotp.TOTP(factor.secret).now()
    response = client.post("/accounts/second-factor/", {"code": right})
    assert response.status_code == 200  # refused: the limit holds even for the right code
    assert "Слишком много" in response.content.decode()
    factor.refresh_from_db()
    assert factor.confirmed_at is None


def _without_redis(settings):
    # Every cache at a closed port: the default one degrades to misses (core/cache.py), the
    # rate-limit counters' one raises, and the limits fail closed.
    caches_setting = {
        name: {**cache, "LOCATION": CLOSED_REDIS} for name, cache in settings.CACHES.items()
    }
    return override_settings(CACHES=caches_setting)


def test_sign_in_fails_closed_when_redis_is_unreachable(alpha, client_of, make_user, settings):
    make_user(alpha, roles=[Role.OWNER], email="closed@example.test")
    client = client_of(alpha)
    with _without_redis(settings):
        caches["default"].close()
        response = sign_in(client, "closed@example.test")
    caches["default"].close()
    assert response.status_code == 503
    assert "Вход временно недоступен" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_second_factor_fails_closed_when_redis_is_unreachable(
    alpha, client_of, make_user, settings
):
    import pyotp

    from core.access.twofactor import SecondFactor

    chairman = make_user(alpha, roles=[Role.CHAIRMAN], email="chair2@example.test")
    client = client_of(alpha, chairman, second_factor_verified=False)
    client.get("/accounts/second-factor/")
    factor = SecondFactor.objects.get(user=chairman)
    with _without_redis(settings):
        caches["default"].close()
        response = client.post(
            "/accounts/second-factor/", {"code": pyotp.TOTP(factor.secret).now()}
        )
    caches["default"].close()
    assert response.status_code == 200 and "Слишком много" in response.content.decode()
    factor.refresh_from_db()
    assert factor.confirmed_at is None


# -- audit of sign-in events -----------------------------------------------------------------------


def test_sign_in_events_and_second_factor_enrolment_are_audited(alpha, client_of, make_user):
    import pyotp

    from core.access.twofactor import SecondFactor

    chairman = make_user(alpha, roles=[Role.CHAIRMAN], email="audited@example.test")
    client = client_of(alpha)
    sign_in(client, "audited@example.test", "wrong")
    sign_in(client, "nobody@example.test", "wrong")
    assert sign_in(client, "audited@example.test").status_code == 302
    client.get("/accounts/second-factor/")
    factor = SecondFactor.objects.get(user=chairman)
    client.post("/accounts/second-factor/", {"code": pyotp.TOTP(factor.secret).now()})
    client.post("/accounts/logout/")
    connection.set_tenant(alpha)
    entries = list(AuditEntry.objects.order_by("at").values_list("action", "target_id", "details"))
    me = str(chairman.pk)
    assert entries == [
        ("access.sign_in_failed", me, {"known": True}),
        ("access.sign_in_failed", "", {"known": False}),
        ("access.signed_in", me, {}),
        ("access.second_factor_enabled", me, {}),
        ("access.signed_out", me, {"expired": False}),
    ]
    text = repr(entries)
    assert "example.test" not in text  # ids only


def test_downloading_the_register_with_contacts_is_audited(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    client = client_of(alpha, chairman)
    for name in ("csv", "xlsx"):
        assert client.get(f"/registry/members/register.{name}").status_code in {200, 404}
    connection.set_tenant(alpha)
    formats = sorted(
        e.details["format"] for e in AuditEntry.objects.filter(action="residents.register_exported")
    )
    assert formats == ["csv", "xlsx"]
