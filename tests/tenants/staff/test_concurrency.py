"""Hand-overs and grants racing each other against the real database (each thread its own
connection, real commits; the test removes what it made): the association ends with exactly one
chairman, and concurrent grants lose nothing."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections

from core.access.roles import Role


@pytest.fixture
def committed(django_db_setup, django_db_blocker, alpha):
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()
        connection.set_tenant(alpha)
        User = get_user_model()
        users_before = set(User.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            audit_before = {row[0] for row in cursor.fetchall()}
        yield alpha
        connection.set_tenant(alpha)
        from tenants.notifications.models import Message
        from tenants.staff.models import ChairHandover

        ChairHandover.objects.all().delete()
        made_users = User.objects.exclude(pk__in=users_before)
        Message.objects.filter(inbox_items__user__in=made_users).delete()
        for user in made_users:
            user.delete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM audit_auditentry")
            made = [row[0] for row in cursor.fetchall() if row[0] not in audit_before]
            if made:
                cursor.execute("DELETE FROM audit_auditentry WHERE id = ANY(%s)", [made])
        connection.set_schema_to_public()
        cache.clear()


def race(association, *works) -> list[object]:
    barrier = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)

    def run(index, work):
        try:
            connection.set_tenant(association)
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as error:  # noqa: BLE001 - the result under test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def chairmen() -> list:
    return list(
        get_user_model()
        .objects.filter(roles__contains=[Role.CHAIRMAN])
        .values_list("pk", flat=True)
    )


def test_two_hand_overs_at_once_leave_exactly_one_chairman(committed):
    from tenants.staff import services
    from tenants.staff.models import ChairHandover, HandoverStatus
    from tests.factories import UserFactory

    chairman = UserFactory(roles=[Role.CHAIRMAN])
    first = UserFactory(roles=[Role.BOARD_MEMBER], email="race-first@example.test")
    second = UserFactory(roles=[Role.BOARD_MEMBER], email="race-second@example.test")

    # The chairman and the operators name different successors at the same moment.
    results = race(
        committed,
        lambda: services.propose_handover(successor=first, actor=chairman),
        lambda: services.propose_handover_by_operator(email="race-second@example.test"),
    )
    assert all(isinstance(r, ChairHandover | ValidationError) for r in results), results
    connection.set_tenant(committed)
    assert ChairHandover.objects.filter(status=HandoverStatus.PENDING).count() == 1
    assert chairmen() == [chairman.pk]

    # Each successor tries to accept the hand-over made for them, at once: only the pending
    # one passes; the association has exactly one chairman.
    offers = {h.successor_id: h for h in ChairHandover.objects.all()}
    works = [
        (lambda h=offers[user.pk], u=user: services.accept_handover(h, actor=u))
        for user in (first, second)
        if user.pk in offers
    ]
    results = race(committed, *works)
    connection.set_tenant(committed)
    accepted = [r for r in results if isinstance(r, ChairHandover)]
    assert len(accepted) == 1, results
    assert chairmen() == [accepted[0].successor_id]


def test_concurrent_grants_to_one_person_lose_nothing(committed):
    from tenants.staff import services
    from tests.factories import UserFactory

    chairman = UserFactory(roles=[Role.CHAIRMAN])
    person = UserFactory(roles=[Role.OWNER])
    results = race(
        committed,
        lambda: services.grant_roles(person, roles=[Role.ACCOUNTANT], actor=chairman),
        lambda: services.grant_roles(person, roles=[Role.DISPATCHER], actor=chairman),
        lambda: services.grant_roles(person, roles=[Role.BOARD_MEMBER], actor=chairman),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    connection.set_tenant(committed)
    assert set(get_user_model().objects.get(pk=person.pk).roles) == {
        Role.OWNER,
        Role.ACCOUNTANT,
        Role.DISPATCHER,
        Role.BOARD_MEMBER,
    }
