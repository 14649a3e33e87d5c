"""The production profile: ``check --deploy`` clean, HSTS over subdomains, cookies Secure.

Each test runs ``manage.py`` in a subprocess with a production-like environment (the profile is
chosen at import by ``TSZH_ENV``, so it cannot be switched inside the test process).
"""

from __future__ import annotations

import json

import pytest

from tests.platform.config.test_settings import PRODUCTION_ENV, manage

ENV = {**PRODUCTION_ENV, "DJANGO_ALLOWED_HOSTS": "tszh.example,.tszh.example"}

PROBE = """
import json
from django.conf import settings
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
answer = SecurityMiddleware(lambda request: HttpResponse())(
    RequestFactory().get("/", secure=True, HTTP_HOST="alpha.tszh.example")
)
plain = SecurityMiddleware(lambda request: HttpResponse())(
    RequestFactory().get("/", HTTP_HOST="alpha.tszh.example")
)
print(json.dumps({
    "hsts": answer.get("Strict-Transport-Security"),
    "redirect": plain.status_code,
    "debug": settings.DEBUG,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_domain": settings.SESSION_COOKIE_DOMAIN,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_age": settings.SESSION_COOKIE_AGE,
    "absolute": settings.SESSION_ABSOLUTE_SECONDS,
    "idle": settings.SESSION_IDLE_SECONDS,
    "silenced": settings.SILENCED_SYSTEM_CHECKS,
}))
"""


def probe(env: dict[str, str]) -> dict:
    result = manage("shell", "-c", PROBE, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_allowed_hosts_set():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_would_notice_a_weak_profile():
    """The check can fail: the development profile with DEBUG on is reported."""
    env = {"TSZH_ENV": "development", "DJANGO_DEBUG": "true"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG


def test_production_sends_hsts_over_subdomains_and_secure_cookies():
    found = probe(ENV)
    assert found["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert found["redirect"] == 301  # plain HTTP goes to HTTPS
    assert found["debug"] is False
    assert found["session_secure"] and found["csrf_secure"] and found["session_httponly"]
    assert found["session_domain"] is None  # host-only: one association's cookie stays there
    # The only silenced check is the encrypted email's uniqueness (enforced on its blind index).
    assert found["silenced"] == ["auth.E003"]
    assert found["session_age"] == found["absolute"] >= found["idle"]


@pytest.mark.parametrize("flag", ["false"])
def test_preload_is_an_operators_choice_and_only_then_w021_is_silenced(flag):
    env = {**ENV, "DJANGO_HSTS_PRELOAD": flag}
    found = probe(env)
    assert found["hsts"] == "max-age=31536000; includeSubDomains"
    assert found["silenced"] == ["auth.E003", "security.W021"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
