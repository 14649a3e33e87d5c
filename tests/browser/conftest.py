"""Browser tests: Playwright's sync API driving the system's Chromium against a live server.

The app runs in pytest-django's ``live_server`` (a thread with its own database connection), so
the data a browser test needs is committed for real: ``browser_owner`` creates it in the
``alpha`` schema and deletes it afterwards. These tests never use ``db`` / ``transactional_db``:
a transactional flush would wipe the session's associations.

Chromium comes from Debian (``apt-get install chromium``), never ``playwright install``. Without
it the tests skip, except under ``CI=true`` where a missing browser fails the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("TSZH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OWNER_EMAIL = "browser-owner@example.test"
OWNER_NAME = "Мария Ивановна Петрова"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (
        f"Chromium is not installed at {CHROMIUM}: the browser tests need it. "
        "Install it with `apt-get update && apt-get install -y chromium` "
        "(Debian/Ubuntu; `.ci/run` does this), never `playwright install`."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip (or, under CI, fail) before any fixture starts a server for nothing."""
    if item.get_closest_marker("browser"):
        _require_chromium()


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Replaces pytest-django's helper of the same name, which requests ``transactional_db``.

    Its flush after each test would empty every schema, the session's associations included.
    Only the helper's other job is kept: the live server's host in ALLOWED_HOSTS.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture
def db_unblocked(django_db_setup, django_db_blocker):
    """Database access for the whole test, threads included (the live server's requests)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def browser_owner(db_unblocked, alpha):
    """An owner in ``alpha``, committed so the live server sees it; removed afterwards."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connections
    from django_tenants.utils import schema_context

    from core.access.roles import Role
    from tests.factories import UserFactory

    cache.clear()  # login rate-limit counters
    with schema_context(alpha.schema_name):
        sessions_before = set(Session.objects.values_list("session_key", flat=True))
        user = UserFactory(email=OWNER_EMAIL, full_name=OWNER_NAME, roles=[Role.OWNER])
    try:
        yield user
    finally:
        with schema_context(alpha.schema_name):
            Session.objects.exclude(session_key__in=sessions_before).delete()
            type(user).objects.filter(pk=user.pk).delete()
        cache.clear()
        # While Playwright runs, its event loop counts as running in this thread, so Django keeps
        # this thread's connection in a context-local slot that the test database teardown never
        # closes: close it here, or dropping the test database fails ("being accessed").
        connections.close_all()


@pytest.fixture(scope="package")
def chromium():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def alpha_url(db_unblocked, live_server, alpha):
    """The alpha association's portal on the live server (``alpha.localhost:<port>``)."""
    host = alpha.get_primary_domain().domain
    return f"http://{host}:{live_server.thread.port}"


@pytest.fixture
def new_page(chromium):
    """``new_page(width=1280, height=800)``: a page in a fresh context (no cookies)."""
    contexts = []

    def make(width: int = 1280, height: int = 800):
        context = chromium.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
