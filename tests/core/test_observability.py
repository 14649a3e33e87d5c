"""Error reports and logs carry no decrypted personal data."""

from __future__ import annotations

import datetime
import json
import logging

import pytest

from core.observability import _scrub
from tenants.residents.models import Holding
from tenants.residents.services import open_account


def test_sentry_events_lose_local_variables_bodies_cookies_and_user():
    event = {
        "request": {
            "data": "password=x",
            "cookies": {"sessionid": "s"},
            "url": "http://alpha.localhost/accounts/password-reset/MTIz/cz4t-1b2c3d4e5f6a7b8c9d0e/",
        },
        "breadcrumbs": {"values": [{"message": "SELECT ... 'anna@example.test'"}]},
        "extra": {"email": "anna@example.test"},
        "user": {"email": "anna@example.test"},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"name": "Анна"}}]}}]
        },
    }
    scrubbed = _scrub(event, {})
    assert "data" not in scrubbed["request"] and "cookies" not in scrubbed["request"]
    assert "user" not in scrubbed
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert scrubbed["request"]["url"] == (
        "http://alpha.localhost/accounts/password-reset/MTIz/[token]/"
    )
    assert "breadcrumbs" not in scrubbed and "extra" not in scrubbed


@pytest.mark.django_db
def test_reprs_and_str_of_encrypted_rows_show_no_personal_data(in_alpha, make_user, caplog):
    user = make_user(in_alpha, email="secret-person@example.test", full_name="Тайный Человек")
    _account, holding = open_account(
        number="OBS-1",
        holder={"full_name": "Тайный Владелец"},
        started_on=datetime.date(2024, 1, 1),
    )
    sealed = Holding.objects.get(pk=holding.pk).__dict__["full_name"]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("tszh.test").info("user %s holding %s value %r", user, holding, sealed)
    text = caplog.text + str(user) + repr(user) + str(holding) + repr(sealed)
    for secret in ("secret-person", "Тайный"):
        assert secret not in text
    assert "<encrypted>" in repr(sealed)


# --- Events through the real SDK, captured by a transport (nothing leaves the process) --------

PERSONAL = {
    "email": "anna.tainaya@example.ru",
    "phone": "+7 (912) 345-67-89",
    "name": "Тайная Анна Петровна",
    "latin": "Anna Tainaya",
}


@pytest.fixture
def sentry_events(monkeypatch):
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from core import observability

    events: list[dict] = []

    class Capture(Transport):
        def capture_envelope(self, envelope):
            for item in envelope.items:
                if item.type in {"event", "transaction"}:
                    events.append(item.payload.json)

    monkeypatch.setenv("SENTRY_RELEASE", "2026.12.1")
    options = observability.sentry_options(
        "https://public@sentry.example.ru/1", environment="staging", release="2026.12.1"
    )
    sentry_sdk.init(transport=Capture, **options)
    yield events
    sentry_sdk.flush()
    sentry_sdk.init()  # no DSN: the SDK is off again for the other tests


def _fail_with_personal_data(holder_email, holder_phone, holder_name):
    decrypted = {"full_name": holder_name, "email": holder_email}  # noqa: F841 - a local
    raise ValueError(
        f"cannot notify {holder_name} at {holder_email} / {holder_phone}; "
        f"holder={PERSONAL['latin']}, account=OBS-1"
    )


def _assert_no_personal_data(event: dict) -> None:
    text = json.dumps(event, ensure_ascii=False)
    for value in (*PERSONAL.values(), "Тайная", "Петровна", "9123456789", "345-67-89", "s3ss"):
        assert value not in text, f"{value!r} reached the event"


def test_sentry_options_integrations_and_privacy_switches():
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    from core.observability import _scrub, sentry_options

    options = sentry_options("https://public@sentry.example.ru/1", "production", "v1")
    kinds = {type(integration) for integration in options["integrations"]}
    assert {DjangoIntegration, CeleryIntegration, RedisIntegration} <= kinds
    assert options["include_local_variables"] is False
    assert not options.get("send_default_pii", False)
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is _scrub
    assert options["release"] == "v1" and options["environment"] == "production"


def test_an_exception_with_personal_data_arrives_scrubbed(sentry_events):
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        scope.set_user({"id": "7", "email": PERSONAL["email"], "username": PERSONAL["name"]})
        scope.set_extra("holder", PERSONAL["name"])
        scope.set_context("celery-job", {"args": [PERSONAL["email"]]})

        def add_request(event, hint):
            # What a web integration attaches: the request a member sent.
            event["request"] = {
                "method": "POST",
                "url": "https://alpha.tszh.example/residents/holder/"
                "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b/?email=" + PERSONAL["email"],
                "query_string": "email=" + PERSONAL["email"],
                "data": {"full_name": PERSONAL["name"], "phone": PERSONAL["phone"]},
                "cookies": {"sessionid": "s3ss"},
                "headers": {"Cookie": "sessionid=s3ss", "X-Forwarded-For": "10.1.2.3"},
                "env": {"REMOTE_ADDR": "10.1.2.3"},
            }
            return event

        scope.add_event_processor(add_request)
        sentry_sdk.add_breadcrumb(message=f"SELECT … '{PERSONAL['email']}'")
        try:
            _fail_with_personal_data(PERSONAL["email"], PERSONAL["phone"], PERSONAL["name"])
        except ValueError:
            sentry_sdk.capture_exception()
    sentry_sdk.flush()

    (event,) = sentry_events
    _assert_no_personal_data(event)
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert "[name]" in exception["value"] and "[email]" in exception["value"]
    assert "[phone]" in exception["value"] and "holder=[redacted]" in exception["value"]
    frames = exception["stacktrace"]["frames"]
    assert frames[-1]["function"] == "_fail_with_personal_data"  # still useful
    assert all("vars" not in frame for frame in frames)
    request = event["request"]
    assert request["method"] == "POST"
    assert request["url"] == "https://alpha.tszh.example/residents/holder/[token]/"
    for key in ("data", "cookies", "headers", "query_string", "env"):
        assert key not in request
    assert "user" not in event and "breadcrumbs" not in event and "extra" not in event
    assert event["release"] == "2026.12.1" and event["environment"] == "staging"


def test_a_logged_error_with_personal_data_arrives_scrubbed(sentry_events):
    import sentry_sdk

    logging.getLogger("tszh.test.sentry").error(
        "letter to %s (%s) bounced for %s", PERSONAL["email"], PERSONAL["phone"], PERSONAL["name"]
    )
    sentry_sdk.capture_message(f"reminder failed for {PERSONAL['name']} {PERSONAL['email']}")
    sentry_sdk.flush()

    assert len(sentry_events) == 2
    for event in sentry_events:
        _assert_no_personal_data(event)
    logged, message = sentry_events
    assert "params" not in logged["logentry"]
    assert "[email]" in logged["logentry"]["formatted"]
    assert "[name]" in json.dumps(message, ensure_ascii=False)


def test_settings_pass_the_release_and_environment_tags(monkeypatch):
    import importlib

    from core import observability

    seen = {}
    monkeypatch.setattr(observability, "init_sentry", lambda dsn, **kw: seen.update(kw, dsn=dsn))
    monkeypatch.setenv("SENTRY_DSN", "https://public@sentry.example.ru/1")
    monkeypatch.setenv("SENTRY_ENVIRONMENT", "staging")
    monkeypatch.setenv("SENTRY_RELEASE", "2026.12.1")
    import config.settings as settings_module

    try:
        importlib.reload(settings_module)
    finally:
        monkeypatch.delenv("SENTRY_DSN")
    assert seen == {
        "dsn": "https://public@sentry.example.ru/1",
        "environment": "staging",
        "release": "2026.12.1",
    }
