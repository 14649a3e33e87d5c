"""From the emailed link to the chairman signed in on the new portal.

The link shows what will be created (a GET never creates: mail scanners open links); confirming
provisions the association all or nothing and hands the chairman over to the new subdomain with
a one-time token, where the second factor's enrolment and then the first steps wait.
"""

from __future__ import annotations

import datetime
import re
import uuid

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from associations.models import Association, AssociationStatus, ProvisioningStatus
from associations.services import create_association
from core.access.models import SecondFactor
from core.access.roles import Role
from core.audit.models import AuditEntry
from signup.models import HandoverToken, PendingSignup, SignupStatus
from signup.services import purge_expired_signups
from tests.platform.associations.support import (
    SBERBANK_INN,
    SBERBANK_OGRN,
    InjectedFailure,
    last_attempt,
    leftovers,
    unique_slug,
)
from tests.platform.signup.support import CHAIRMAN_NAME, CHAIRMAN_PASSWORD, sign_up

pytestmark = pytest.mark.django_db

HANDOVER_RE = re.compile(r"^http://([a-z0-9-]+)\.localhost(/welcome/start/[A-Za-z0-9_-]+/)$")


@pytest.fixture
def client(public_client) -> Client:
    public_client.cookies["django_language"] = "en"
    return public_client


def confirm(client, path: str, slug: str):
    return client.post(path, {"slug": slug})


def handover_of(response) -> tuple[str, str]:
    """(subdomain, path) of the way into the new portal that the "ready" page offers."""
    assert response.status_code == 200, response.status_code
    assert "signup/ready.html" in [t.name for t in response.templates]
    match = HANDOVER_RE.match(response.context["handover_url"])
    assert match, response.context["handover_url"]
    assert f'href="{response.context["handover_url"]}"' in response.content.decode()
    return match.group(1), match.group(2)


def portal_client(slug: str) -> Client:
    client = Client(HTTP_HOST=f"{slug}.localhost")
    client.cookies["django_language"] = "en"
    return client


# --- The page behind the link ---------------------------------------------------------------------


def test_the_link_shows_what_will_be_created_and_creates_nothing_yet(client):
    path, data = sign_up(client)

    response = client.get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert data["name"] in page and CHAIRMAN_NAME in page and data["email"] in page
    assert response.context["form"]["slug"].value() == data["slug"]
    assert leftovers(data["slug"]) == {}
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_link_opens_only_its_own_signup(client):
    first_path, _ = sign_up(client)
    second_path, _ = sign_up(client)
    first_id = first_path.split("/")[3]
    second_secret = second_path.split("/")[4]

    response = client.get(f"/signup/confirm/{first_id}/{second_secret}/")

    assert response.status_code == 404
    assert "does not work" in response.content.decode()


def test_an_expired_link_is_refused_creates_nothing_and_is_forgotten(client):
    path, data = sign_up(client)
    PendingSignup.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = confirm(client, path, data["slug"])

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert leftovers(data["slug"]) == {}
    # Nothing of it is kept once its link has been seen expired.
    assert not PendingSignup.objects.exists()
    assert client.get(path).status_code == 404


# --- Confirming ----------------------------------------------------------------------------------


def test_confirming_creates_the_portal_and_hands_the_chairman_over(
    client, django_capture_on_commit_callbacks
):
    path, data = sign_up(client, inn=SBERBANK_INN, ogrn=SBERBANK_OGRN, time_zone="Asia/Omsk")
    slug = data["slug"]

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, path, slug)

    # The portal exists, in full.
    subdomain, handover = handover_of(response)
    assert subdomain == slug
    association = Association.objects.get(slug=slug)
    assert association.status == AssociationStatus.ACTIVE
    assert (association.name, association.inn, association.ogrn) == (
        data["name"],
        SBERBANK_INN,
        SBERBANK_OGRN,
    )
    assert association.time_zone == "Asia/Omsk"
    assert association.plan == "start"
    assert leftovers(slug) == {
        "association": True,
        "domain": True,
        "schema": True,
        "users": 1,
        "key": True,
    }
    with schema_context(association.schema_name):
        chairman = get_user_model().objects.with_email(data["email"]).get()
        assert set(chairman.roles) == {Role.CHAIRMAN, Role.BOARD_MEMBER}
        assert chairman.check_password(CHAIRMAN_PASSWORD)
        assert chairman.full_name == CHAIRMAN_NAME
    # The signup is spent: nothing personal is kept in it any more.
    signup = PendingSignup.objects.get()
    assert signup.status == SignupStatus.PROVISIONED
    assert signup.sealed == ""
    assert signup.association == association
    assert last_attempt(slug).status == ProvisioningStatus.SUCCEEDED
    assert last_attempt(slug).signup_id == signup.pk
    # The welcome email names the new address.
    welcome = mail.outbox[-1]
    assert welcome.to == [data["email"]]
    assert f"http://{slug}.localhost/" in welcome.body

    # On the new subdomain, the token signs the chairman in, then the second factor's enrolment
    # (the chairman's role requires it) leads to the first steps.
    portal = portal_client(slug)
    handed = portal.get(handover)
    assert handed.status_code == 302
    assert handed["Location"] == "/accounts/second-factor/?next=%2Fwelcome%2Ffirst-steps%2F"
    enrol = portal.get(handed["Location"])
    assert enrol.status_code == 200 and enrol.context["enrolling"]
    with schema_context(association.schema_name):
        secret = SecondFactor.objects.get(user=chairman).secret
    confirmed = portal.post(
        "/accounts/second-factor/",
        {"code": pyotp.TOTP(secret).now(), "next": "/welcome/first-steps/"},
    )
    assert confirmed["Location"] == "/welcome/first-steps/"
    steps = portal.get("/welcome/first-steps/")
    assert steps.status_code == 200
    assert [step.key for step in steps.context["steps"]] == ["second_factor", "premises", "members"]
    assert [step.done for step in steps.context["steps"]] == [True, False, False]
    assert 'data-step="premises"' in steps.content.decode()
    with schema_context(association.schema_name):
        assert AuditEntry.objects.filter(action="access.handover_used").count() == 1


def test_the_hand_over_works_once(client):
    path, data = sign_up(client)
    handover = handover_of(confirm(client, path, data["slug"]))[1]
    assert portal_client(data["slug"]).get(handover).status_code == 302

    again = portal_client(data["slug"]).get(handover)

    assert again.status_code == 404
    assert "/accounts/login/" in again.content.decode()


def test_a_hand_over_token_opens_only_its_own_association(client, alpha):
    path, data = sign_up(client)
    handover = handover_of(confirm(client, path, data["slug"]))[1]

    alpha_client = portal_client("alpha")
    elsewhere = alpha_client.get(handover)

    assert elsewhere.status_code == 404
    assert "_auth_user_id" not in alpha_client.session
    # Presented on the wrong subdomain, it was not spent: it still works where it belongs.
    assert portal_client(data["slug"]).get(handover).status_code == 302


def test_an_expired_hand_over_is_refused(client):
    path, data = sign_up(client)
    handover = handover_of(confirm(client, path, data["slug"]))[1]
    HandoverToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert portal_client(data["slug"]).get(handover).status_code == 404


def test_the_hand_over_token_is_stored_only_as_a_hash(client):
    path, data = sign_up(client)
    token = handover_of(confirm(client, path, data["slug"]))[1].rstrip("/").rsplit("/", 1)[1]

    stored = HandoverToken.objects.get()
    assert token not in str(HandoverToken.objects.filter(pk=stored.pk).values().get())
    assert stored.schema_name == Association.schema_name_for(data["slug"])
    assert stored.expires_at <= timezone.now() + datetime.timedelta(minutes=5)


def test_a_second_confirmation_says_the_portal_exists_and_creates_nothing_more(client):
    path, data = sign_up(client)
    confirm(client, path, data["slug"])

    again = confirm(client, path, unique_slug("other"))

    assert again.status_code == 200
    assert "The portal is ready" in again.content.decode()
    assert f"http://{data['slug']}.localhost/accounts/login/" in again.content.decode()
    assert Association.objects.exclude(schema_name="public").filter(name=data["name"]).count() == 1
    assert client.get(path).status_code == 200  # the link still says where the portal is


def test_a_subdomain_taken_meanwhile_asks_for_another_then_succeeds(client):
    path, data = sign_up(client)
    create_association(name="ТСЖ «Быстрее»", slug=data["slug"])

    warned = client.get(path)
    assert "already taken" in warned.content.decode()
    refused = confirm(client, path, data["slug"])

    assert refused.status_code == 200
    assert any("already taken" in e for e in refused.context["form"].errors["slug"])
    assert PendingSignup.objects.get().status == SignupStatus.PENDING
    other = unique_slug("next")
    assert handover_of(confirm(client, path, other))[0] == other
    assert Association.objects.get(slug=other).name == data["name"]


def test_an_inn_registered_meanwhile_is_refused_with_the_operators_address(client, settings):
    settings.SIGNUP_OPERATORS_EMAIL = "help@tszh.example"
    path, data = sign_up(client, inn=SBERBANK_INN, ogrn=SBERBANK_OGRN)
    create_association(name="ТСЖ «Раньше»", slug=unique_slug(), inn=SBERBANK_INN)

    response = confirm(client, path, data["slug"])

    assert response.status_code == 200
    (error,) = response.context["form"].non_field_errors()
    assert "help@tszh.example" in error
    assert leftovers(data["slug"]) == {}


def test_a_failed_provisioning_explains_itself_keeps_the_signup_and_can_be_retried(
    client, monkeypatch
):
    path, data = sign_up(client)
    import associations.services as provisioning

    original = provisioning._create_chairman

    def broken(*args, **kwargs):
        raise InjectedFailure

    monkeypatch.setattr(provisioning, "_create_chairman", broken)
    failed = confirm(client, path, data["slug"])

    assert failed.status_code == 503
    assert "could not be created" in failed.content.decode()
    assert leftovers(data["slug"]) == {}
    assert PendingSignup.objects.get().status == SignupStatus.PENDING
    attempt = last_attempt(data["slug"])
    assert (attempt.status, attempt.failed_step, attempt.error_class) == (
        ProvisioningStatus.FAILED,
        "chairman",
        "InjectedFailure",
    )

    monkeypatch.setattr(provisioning, "_create_chairman", original)
    assert handover_of(confirm(client, path, data["slug"]))[0] == data["slug"]
    assert Association.objects.filter(slug=data["slug"]).exists()


def test_confirmations_are_limited_per_client_address(client, settings):
    settings.SIGNUP_CONFIRM_RATE = "1/h"
    path, data = sign_up(client)
    confirm(client, path, "www")  # refused (reserved), but counted

    response = confirm(client, path, data["slug"])

    assert response.status_code == 429
    assert leftovers(data["slug"]) == {}


def test_the_first_steps_link_to_the_pages_that_exist(in_alpha, client_of, make_user):
    chairman = make_user(in_alpha, roles=[Role.CHAIRMAN])

    response = client_of(in_alpha, chairman).get("/welcome/first-steps/")

    steps = {step.key: step for step in response.context["steps"]}
    assert steps["members"].url == "/invitations/"
    assert steps["second_factor"].done is False


# --- Housekeeping ---------------------------------------------------------------------------------


def test_expired_signups_and_spent_hand_overs_are_purged(client):
    old_path, _old = sign_up(client)
    fresh_path, _fresh = sign_up(client)
    old_id = uuid.UUID(old_path.split("/")[3])
    PendingSignup.objects.filter(pk=old_id).update(
        expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    HandoverToken.objects.create(
        token_hash="0" * 64,
        schema_name="alpha",
        user_id=uuid.uuid4(),
        expires_at=timezone.now() - datetime.timedelta(days=2),
    )

    assert purge_expired_signups() == {"signups": 1, "handover_tokens": 1}
    assert list(PendingSignup.objects.values_list("pk", flat=True)) == [
        uuid.UUID(fresh_path.split("/")[3])
    ]
