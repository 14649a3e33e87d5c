"""The landing page and the signup form: a valid form emails a link and creates nothing else;
bad input answers beside its field and creates nothing; bots and floods are turned away."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail, signing
from django.test import Client

from associations.models import Association
from associations.services import create_association
from core.audit.models import AuditEntry
from signup.forms import STARTED_SALT
from signup.models import PendingSignup
from tests.platform.associations.support import (
    SBERBANK_INN,
    SBERBANK_OGRN,
    YANDEX_INN,
    YANDEX_OGRN,
    unique_slug,
)
from tests.platform.signup.support import CHAIRMAN_NAME, form_data, link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_client(public_client) -> Client:
    """The public site in English (messages are checked in their msgid language)."""
    public_client.cookies["django_language"] = "en"
    return public_client


def nothing_created() -> bool:
    return not PendingSignup.objects.exists() and not mail.outbox


# --- The landing page -----------------------------------------------------------------------------


def test_the_landing_page_explains_the_portal_plans_and_prices_and_has_the_form(public_client):
    response = public_client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in page
    for section in ("members", "board", "accountant", "protection"):
        assert f'data-section="{section}"' in page
    for plan in ("start", "house", "quarter"):
        assert f'data-plan="{plan}"' in page
    assert "1\u00a0490" in page and "3\u00a0990" in page
    form = response.context["form"]
    assert list(form.fields) == [
        "name",
        "kind",
        "inn",
        "ogrn",
        "slug",
        "time_zone",
        "chairman_name",
        "email",
        "password1",
        "password2",
        "consent",
        "website",
        "started",
    ]
    # The live availability check, by htmx (no inline script anywhere).
    assert 'hx-get="/signup/subdomain/"' in page
    assert "<script>" not in page and "style=" not in page


def test_russian_time_zones_come_first_with_moscow_preselected(public_client):
    form = public_client.get("/").context["form"]
    russia, others = form.fields["time_zone"].choices
    assert [name for name, _label in russia[1]][:3] == [
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Europe/Volgograd",
    ]
    assert "Asia/Vladivostok" in [name for name, _label in russia[1]]
    assert "Europe/Berlin" in [name for name, _label in others[1]]
    assert form["time_zone"].value() == "Europe/Moscow"


# --- A valid signup -----------------------------------------------------------------------------


def test_a_valid_signup_emails_a_link_and_keeps_only_a_sealed_pending_signup(english_client):
    data = form_data(inn=SBERBANK_INN, ogrn=SBERBANK_OGRN)

    response = english_client.post("/signup/", data)

    assert response.status_code == 302
    assert response["Location"] == "/signup/sent/"
    assert not Association.objects.filter(slug=data["slug"]).exists()
    (message,) = mail.outbox
    assert message.to == [data["email"]]
    assert f"{data['slug']}.localhost" in message.subject
    path, signup_id, _secret = link_in(message)
    signup = PendingSignup.objects.get()
    assert signup.pk == signup_id
    # No name, email, ИНН, subdomain or password can be read from the database.
    stored = str(PendingSignup.objects.filter(pk=signup.pk).values().get())
    for value in (data["email"], CHAIRMAN_NAME, data["slug"], SBERBANK_INN, data["password1"]):
        assert value not in stored
    entry = AuditEntry.objects.get(action="signup.requested")
    assert entry.target_id == str(signup.pk)
    assert data["email"] not in str(entry.details)


def test_the_letter_names_only_the_subdomain_and_the_kind_never_the_free_text(english_client):
    """Anyone may send the form with any address: the platform's letter must not carry text a
    stranger chose (a phishing lure in the association's or the chairman's name)."""
    lure = "Your account is blocked, pay at https://evil.example.test/pay now"
    data = form_data(name=f"ТСЖ {lure}", chairman_name="Служба безопасности Сбербанка")

    assert english_client.post("/signup/", data).status_code == 302

    (message,) = mail.outbox
    letter = message.subject + "\n" + message.body
    for free_text in ("evil.example.test", "Your account is blocked", "Служба безопасности"):
        assert free_text not in letter
    assert f"{data['slug']}.localhost" in message.subject
    assert f"{data['slug']}.localhost" in message.body
    assert "Homeowners' association (ТСЖ)" in message.body
    # The details are shown on the page the link opens, to whoever holds the link.
    path, _signup_id, _secret = link_in(message)
    page = english_client.get(path).content.decode()
    assert "Служба безопасности Сбербанка" in page
    assert "evil.example.test" in page


def test_the_same_email_may_sign_up_several_associations(public_client):
    email = "busy-chairman@example.test"
    first = public_client.post("/signup/", form_data(email=email))
    second = public_client.post("/signup/", form_data(email=email))

    assert first.status_code == second.status_code == 302
    assert PendingSignup.objects.count() == 2
    assert len(mail.outbox) == 2


def test_spaces_in_inn_and_ogrn_and_capitals_in_the_subdomain_are_forgiven(public_client):
    slug = unique_slug("up")
    response = public_client.post(
        "/signup/",
        form_data(inn="7707 083 893", ogrn="1027700-132195", slug=f"  {slug.upper()} "),
    )
    assert response.status_code == 302


# --- Bad input: beside the field, nothing created ----------------------------------------------

BAD_INPUT = [
    ("slug", {"slug": "www"}, "reserved by the platform"),
    ("slug", {"slug": "admin"}, "reserved by the platform"),
    ("slug", {"slug": "console"}, "reserved by the platform"),
    ("slug", {"slug": "demo-house"}, "reserved by the platform"),
    ("slug", {"slug": "tszh-template"}, "reserved by the platform"),
    ("slug", {"slug": "ab"}, "3 to 40 Latin letters"),
    ("slug", {"slug": "дом"}, "3 to 40 Latin letters"),
    ("slug", {"slug": "my-house-"}, "3 to 40 Latin letters"),
    ("slug", {"slug": "my--house"}, "two hyphens"),
    ("slug", {"slug": "alpha"}, "already taken"),
    ("inn", {"inn": "7707083894", "ogrn": SBERBANK_OGRN}, "check digit does not match"),
    ("inn", {"inn": "77070838", "ogrn": SBERBANK_OGRN}, "has 10 digits"),
    ("inn", {"inn": "500100732259", "ogrn": SBERBANK_OGRN}, "a person's ИНН"),
    ("inn", {"inn": "77O7083893", "ogrn": SBERBANK_OGRN}, "digits only"),
    ("ogrn", {"inn": SBERBANK_INN, "ogrn": "1027700132196"}, "check digit does not match"),
    ("ogrn", {"inn": SBERBANK_INN, "ogrn": "102770013219"}, "has 13 digits"),
    ("ogrn", {"inn": SBERBANK_INN, "ogrn": ""}, "Enter both the ИНН and the ОГРН"),
    ("inn", {"inn": "", "ogrn": SBERBANK_OGRN}, "Enter both the ИНН and the ОГРН"),
    ("password1", {"password1": "12345678", "password2": "12345678"}, "too common"),
    ("password1", {"password1": "short", "password2": "short"}, "too short"),
    ("password2", {"password2": "Something-Else-42"}, "The two passwords differ"),
    ("email", {"email": "not-an-email"}, "valid email"),
    ("name", {"name": "  "}, "required"),
    ("consent", {"consent": None}, "without this consent"),
    ("time_zone", {"time_zone": "Mars/Olympus"}, "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("field", "overrides", "message"), BAD_INPUT, ids=[f"{f}:{m}" for f, _o, m in BAD_INPUT]
)
def test_bad_input_is_explained_beside_its_field_and_nothing_is_created(
    english_client, alpha, field, overrides, message
):
    response = english_client.post("/signup/", form_data(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    page = response.content.decode()
    assert 'class="errorlist" role="alert"' in page
    assert nothing_created()


def test_a_password_like_the_chairmans_email_is_refused(english_client):
    data = form_data(
        email="sokolova.irina@example.test",
        password1="sokolova.irina",
        password2="sokolova.irina",
    )
    response = english_client.post("/signup/", data)
    assert any("too similar" in error for error in response.context["form"].errors["password1"])
    assert nothing_created()


def test_an_inn_already_registered_says_how_to_reach_the_operators(english_client, settings):
    settings.SIGNUP_OPERATORS_EMAIL = "help@tszh.example"
    create_association(name="ТСЖ «Яндекс»", slug=unique_slug(), inn=YANDEX_INN, ogrn=YANDEX_OGRN)

    response = english_client.post("/signup/", form_data(inn=YANDEX_INN, ogrn=YANDEX_OGRN))

    (error,) = response.context["form"].errors["inn"]
    assert "already registered" in error
    assert "help@tszh.example" in error
    assert nothing_created()


def test_the_form_shows_the_entered_values_again_but_never_the_password(english_client):
    response = english_client.post("/signup/", form_data(slug="www", name="ТСЖ «Берёзка»"))
    page = response.content.decode()
    assert 'value="ТСЖ «Берёзка»"' in page
    assert "Kvartira-Na-Lesnoi-17" not in page


# --- Bots and floods ------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_like_success_but_creates_nothing(public_client):
    response = public_client.post("/signup/", form_data(website="http://spam.example"))

    assert response.status_code == 302
    assert response["Location"] == "/signup/sent/"
    assert nothing_created()


def test_a_form_sent_faster_than_a_person_can_fill_it_is_refused(english_client):
    quick = signing.dumps(__import__("time").time(), salt=STARTED_SALT)

    response = english_client.post("/signup/", form_data(started=quick))

    assert response.status_code == 200
    assert any("faster than a person" in e for e in response.context["form"].non_field_errors())
    assert nothing_created()


# Explicit ids: the signed value carries the time it was made, and pytest-xdist's workers must
# collect the same test names.
@pytest.mark.parametrize(
    "started",
    ["", "forged-value", signing.dumps(1.0, salt="other")],
    ids=["empty", "forged", "signed-for-something-else"],
)
def test_a_form_without_a_genuine_start_time_is_refused_and_offered_again(english_client, started):
    response = english_client.post("/signup/", form_data(started=started))

    assert any("expired" in e for e in response.context["form"].non_field_errors())
    assert nothing_created()
    # A fresh start time comes with the form, so the next try can succeed.
    fresh = response.context["form"]["started"].value()
    assert signing.loads(fresh, salt=STARTED_SALT)


def test_signups_are_limited_per_client_address(english_client, settings):
    settings.SIGNUP_RATE_PER_IP = "2/h"
    for _ in range(2):
        assert english_client.post("/signup/", form_data()).status_code == 302

    response = english_client.post("/signup/", form_data())

    assert response.status_code == 429
    assert any("Too many signups" in e for e in response.context["form"].non_field_errors())
    assert PendingSignup.objects.count() == 2
    # Another address is not held back.
    other = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.0.9")
    assert other.post("/signup/", form_data()).status_code == 302


def test_submissions_with_typos_do_not_use_up_the_address_limit(english_client, settings):
    settings.SIGNUP_RATE_PER_IP = "2/h"
    for _ in range(10):  # ten typos in a row, each answered beside its field
        response = english_client.post("/signup/", form_data(password2="typo-typo-typo"))
        assert response.status_code == 200
        assert "password2" in response.context["form"].errors

    assert english_client.post("/signup/", form_data()).status_code == 302
    assert english_client.post("/signup/", form_data()).status_code == 302
    assert english_client.post("/signup/", form_data()).status_code == 429
    assert PendingSignup.objects.count() == 2


def test_invalid_submissions_have_a_generous_limit_of_their_own(english_client, settings):
    settings.SIGNUP_RATE_PER_IP = "2/h"
    settings.SIGNUP_INVALID_RATE_PER_IP = "3/h"
    for _ in range(3):
        assert english_client.post("/signup/", form_data(consent=None)).status_code == 200

    response = english_client.post("/signup/", form_data(consent=None))

    assert response.status_code == 429
    assert any("Too many signups" in e for e in response.context["form"].non_field_errors())
    # Over it, valid ones from that address wait too; another address is not held back.
    assert english_client.post("/signup/", form_data()).status_code == 429
    other = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.0.9")
    assert other.post("/signup/", form_data()).status_code == 302


def test_a_filled_honeypot_counts_against_the_address(public_client, settings):
    settings.SIGNUP_RATE_PER_IP = "2/h"
    for _ in range(2):
        assert public_client.post("/signup/", form_data(website="x")).status_code == 302

    assert public_client.post("/signup/", form_data()).status_code == 429
    assert nothing_created()


def test_signups_are_limited_per_email_whatever_the_address(english_client, settings):
    settings.SIGNUP_RATE_PER_EMAIL = "1/h"
    email = "flood@example.test"
    assert english_client.post("/signup/", form_data(email=email)).status_code == 302
    elsewhere = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.0.7")
    elsewhere.cookies["django_language"] = "en"

    response = elsewhere.post("/signup/", form_data(email=email))

    assert response.status_code == 429
    assert "email" in response.context["form"].errors
    assert PendingSignup.objects.count() == 1


def test_when_the_email_cannot_be_sent_nothing_is_kept(english_client, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("signup.services.send_mail", refuse)

    response = english_client.post("/signup/", form_data())

    assert response.status_code == 503
    assert any("could not send" in e for e in response.context["form"].non_field_errors())
    assert not PendingSignup.objects.exists()
    assert not AuditEntry.objects.filter(action="signup.requested").exists()


def test_get_on_the_form_address_leads_to_the_form_on_the_landing_page(public_client):
    response = public_client.get("/signup/")
    assert response.status_code == 302
    assert response["Location"] == "/#signup"


# --- The live availability check ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("alpha", "already taken"),
        ("www", "reserved by the platform"),
        ("a", "3 to 40 Latin letters"),
        ("Free-Address-9", "free-address-9.localhost is free"),
        ("", ""),
    ],
)
def test_the_subdomain_check_answers_as_the_board_types(english_client, alpha, slug, expected):
    response = english_client.get("/signup/subdomain/", {"slug": slug}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    text = response.content.decode()
    assert expected in text
    if not slug:
        assert text.strip() == ""


def test_the_subdomain_check_is_rate_limited(english_client, settings):
    settings.SIGNUP_CHECK_RATE = "3/m"
    for _ in range(3):
        assert (
            "is free"
            in english_client.get("/signup/subdomain/", {"slug": "okay-one"}).content.decode()
        )

    response = english_client.get("/signup/subdomain/", {"slug": "okay-one"})

    assert "Too many checks" in response.content.decode()
