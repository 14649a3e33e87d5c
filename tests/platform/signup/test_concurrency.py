"""Signups racing each other, and a signup meeting a template rebuild, against the real database.

Each thread has its own connection and commits for real (no test transaction); every test
removes what it made. Exactly one of several signups for one subdomain (or one ИНН) wins, the
others get a clear refusal and leave nothing; a signup during a rebuild of the template waits for
it on the advisory lock, then succeeds.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections

from associations import schemas
from associations.models import Association, ProvisioningAttempt, ProvisioningStatus
from associations.services import InnRegistered, SubdomainTaken
from signup import selectors, services
from signup.models import PendingSignup, SignupStatus
from tests.platform.associations.support import leftovers, remove_committed, unique_slug
from tests.platform.signup.support import form_data

RACERS = 4


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits in this thread and in the racing ones; cleaned up by each test."""
    with django_db_blocker.unblock():
        cache.clear()
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()
        cache.clear()


def pending_signups(count: int, **overrides) -> list[selectors.OpenedSignup]:
    """``count`` signups as the form makes them, opened with their links' secrets."""
    from signup.forms import SignupForm

    opened = []
    for _ in range(count):
        form = SignupForm(form_data(**overrides))
        assert form.is_valid(), form.errors
        secrets: list[str] = []

        def link(pending, secret, secrets=secrets):
            secrets.append(secret)
            return f"http://localhost/signup/confirm/{pending.pk}/{secret}/"

        pending = services.request_signup(
            data=form.signup_data(), password=form.cleaned_data["password1"], confirm_url=link
        )
        opened.append(selectors.open_signup(pending.pk, secrets[0]))
    return opened


def race(work, arguments) -> list[object]:
    """Run ``work(argument)`` in one thread per argument, released together; results in order
    (the value, or the exception raised)."""
    barrier = threading.Barrier(len(arguments))
    results: list[object] = [None] * len(arguments)

    def run(index, argument):
        try:
            barrier.wait(timeout=10)
            results[index] = work(argument)
        except Exception as error:  # noqa: BLE001 - the result under test
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, argument))
        for index, argument in enumerate(arguments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def confirm_at(slug):
    def work(opened):
        return services.confirm_signup(opened, slug=slug, portal_url=lambda s: f"http://{s}")

    return work


def test_concurrent_signups_for_one_subdomain_exactly_one_wins(committed):
    slug = unique_slug("race")
    signups = pending_signups(RACERS, slug=slug)
    try:
        results = race(confirm_at(slug), signups)

        winners = [r for r in results if isinstance(r, services.Confirmed)]
        losers = [r for r in results if not isinstance(r, services.Confirmed)]
        assert len(winners) == 1, results
        assert all(isinstance(loser, SubdomainTaken) for loser in losers), results
        assert Association.objects.filter(slug=slug).count() == 1
        assert leftovers(slug) == {
            "association": True,
            "domain": True,
            "schema": True,
            "users": 1,
            "key": True,
        }
        statuses = sorted(
            ProvisioningAttempt.objects.filter(slug=slug).values_list("status", flat=True)
        )
        assert statuses == [ProvisioningStatus.FAILED] * (RACERS - 1) + [
            ProvisioningStatus.SUCCEEDED
        ]
        # The losers' signups wait for another subdomain; the winner's is spent.
        assert (
            PendingSignup.objects.filter(
                pk__in=[s.signup.pk for s in signups], status=SignupStatus.PENDING
            ).count()
            == RACERS - 1
        )
    finally:
        PendingSignup.objects.filter(pk__in=[s.signup.pk for s in signups]).delete()
        remove_committed([slug])


def test_concurrent_signups_with_one_inn_exactly_one_wins(committed):
    from tests.platform.associations.support import valid_inn, valid_ogrn

    inn, ogrn = valid_inn(), valid_ogrn()
    signups = pending_signups(RACERS, inn=inn, ogrn=ogrn)
    slugs = [s.data["slug"] for s in signups]
    try:
        results = race(
            lambda opened: services.confirm_signup(
                opened, slug=opened.data["slug"], portal_url=lambda s: s
            ),
            signups,
        )

        assert sum(isinstance(r, services.Confirmed) for r in results) == 1, results
        assert sum(isinstance(r, InnRegistered) for r in results) == RACERS - 1, results
        assert Association.objects.filter(inn=inn).count() == 1
        for slug, result in zip(slugs, results, strict=True):
            if isinstance(result, InnRegistered):
                assert leftovers(slug) == {}
    finally:
        PendingSignup.objects.filter(pk__in=[s.signup.pk for s in signups]).delete()
        remove_committed(slugs)


def test_concurrent_confirmations_of_one_signup_make_one_portal(committed):
    (opened,) = pending_signups(1)
    slug = opened.data["slug"]
    try:
        results = race(confirm_at(slug), [opened] * 3)

        assert sum(isinstance(r, services.Confirmed) for r in results) == 1, results
        assert all(
            isinstance(r, services.Confirmed | services.AlreadyProvisioned) for r in results
        ), results
        assert Association.objects.filter(slug=slug).count() == 1
    finally:
        PendingSignup.objects.filter(pk=opened.signup.pk).delete()
        remove_committed([slug])


def test_a_signup_during_a_template_rebuild_waits_then_succeeds(committed, monkeypatch):
    (opened,) = pending_signups(1)
    slug = opened.data["slug"]
    rebuilding, release = threading.Event(), threading.Event()
    finished: dict[str, float] = {}
    original_capture = schemas.capture_ddl

    def slow_capture(schema_name):
        rebuilding.set()  # the exclusive lock is held; the new template is migrated
        assert release.wait(30)
        return original_capture(schema_name)

    monkeypatch.setattr(schemas, "capture_ddl", slow_capture)

    def rebuild():
        try:
            schemas.rebuild_template(force=True)
        finally:
            finished["rebuild"] = time.monotonic()
            connections.close_all()

    outcome: dict[str, object] = {}

    def sign_up():
        try:
            outcome["result"] = confirm_at(slug)(opened)
        except Exception as error:  # noqa: BLE001 - the result under test
            outcome["result"] = error
        finally:
            finished["signup"] = time.monotonic()
            connections.close_all()

    rebuilder = threading.Thread(target=rebuild)
    rebuilder.start()
    try:
        assert rebuilding.wait(30)
        signer = threading.Thread(target=sign_up)
        signer.start()
        # The signup is now blocked on the template's advisory lock, not failing.
        assert wait_for_advisory_lock_waiter(timeout=10)
        assert signer.is_alive()
        release.set()
        rebuilder.join(60)
        signer.join(60)

        result = outcome["result"]
        assert isinstance(result, services.Confirmed), result
        assert finished["signup"] >= finished["rebuild"]
        assert Association.objects.get(slug=slug).is_ready
        assert schemas.current_snapshot() is not None
    finally:
        release.set()
        rebuilder.join(60)
        PendingSignup.objects.filter(pk=opened.signup.pk).delete()
        remove_committed([slug])


def wait_for_advisory_lock_waiter(timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False
