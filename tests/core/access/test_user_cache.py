"""The signed-in user's row from the shared cache (``core.access.usercache``, ``core.stamped``):
a warm request asks the database nothing about the user, the cached row is the stored one
(ciphertext, not the email), and every change of the user holds from the next request: roles,
deactivation, the password, a bulk ``update()``, a deletion. A result computed before a change
committed is never served after it (the stamp), and Redis down means the database answers."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import stamped
from core.access import usercache
from core.access.models import User
from core.access.roles import Role
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

EMAIL = "cached-user@example.test"
CALLS = ("get", "get_many", "add", "set", "set_many")


def warm_sql(client, path="/api/v1/me/") -> str:
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return "\n".join(query["sql"] for query in captured.captured_queries)


def roles_seen(client) -> list[str]:
    response = client.get("/api/v1/me/")
    assert response.status_code == 200, response.status_code
    return response.json()["roles"]


def test_the_middleware_in_the_stack_is_the_cached_one():
    assert "core.access.middleware.CachedAuthenticationMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" not in settings.MIDDLEWARE


def test_a_warm_signed_in_request_reads_no_user_row(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    assert "access_user" not in warm_sql(member)
    assert "access_user" not in warm_sql(member, "/")


def test_the_cached_row_is_the_stored_ciphertext(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.OWNER], email=EMAIL, full_name="Пётр Кэшев")
    member = client_of(alpha, user)
    assert member.get("/api/v1/me/").status_code == 200
    connection.set_tenant(alpha)
    raw = cache._cache.get_client(None).get(
        cache.make_key(f"stamped:{usercache.KIND}:{user.pk}:value")
    )
    assert raw is not None, "the row was not cached"
    assert EMAIL.encode() not in raw and "Пётр".encode() not in raw
    stored = User.objects.values_list("email", flat=True).get(pk=user.pk)
    assert stored.token.encode() in raw  # the column as the database holds it
    # and it opens to the person's email when a page uses it
    assert usercache.get_user(user.pk).email == EMAIL


def test_a_role_taken_away_holds_from_the_next_request(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.OWNER, Role.ACCOUNTANT])
    member = client_of(alpha, user)
    assert roles_seen(member) == sorted([Role.OWNER, Role.ACCOUNTANT])
    assert roles_seen(member) == sorted([Role.OWNER, Role.ACCOUNTANT])  # from the cache
    connection.set_tenant(alpha)
    user.roles = [Role.OWNER]
    user.save(update_fields=["roles"])
    assert roles_seen(member) == [Role.OWNER]


def test_a_bulk_update_of_users_reaches_the_cache(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.OWNER])
    member = client_of(alpha, user)
    assert roles_seen(member) == [Role.OWNER]
    connection.set_tenant(alpha)
    User.objects.filter(pk=user.pk).update(roles=[Role.OWNER, Role.RESIDENT])
    assert roles_seen(member) == sorted([Role.OWNER, Role.RESIDENT])


def test_a_deactivated_or_deleted_user_is_signed_out_at_once(alpha, client_of, make_user):
    first, second = make_user(alpha, roles=[Role.OWNER]), make_user(alpha, roles=[Role.OWNER])
    one, other = client_of(alpha, first), client_of(alpha, second)
    assert roles_seen(one) and roles_seen(other)
    connection.set_tenant(alpha)
    first.is_active = False
    first.save()
    second.delete()
    for client in (one, other):
        assert client.get("/api/v1/me/").status_code in (401, 403)
        assert client.get("/").status_code == 302


def test_a_new_password_ends_the_other_sessions(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.OWNER])
    member = client_of(alpha, user)
    assert roles_seen(member)
    connection.set_tenant(alpha)
    user.set_password(TEST_PASSWORD + "-new")
    user.save()
    assert member.get("/").status_code == 302


def another_process_commits(kind: str, ident: str) -> None:
    """What a writer in another process does when its transaction commits: a new stamp."""
    stamped._restamp([stamped._stamp_key(kind, ident)])


@pytest.mark.parametrize("stamped_before", [True, False])
def test_a_result_read_before_a_change_committed_is_never_served(stamped_before):
    cache.delete(stamped._stamp_key("test.kind", "one"))
    if stamped_before:  # an entry changed before: a stamp, no value under it
        another_process_commits("test.kind", "one")
    entry = stamped.lookup("test.kind", "one")  # a reader reads the stamp first ...
    another_process_commits("test.kind", "one")  # ... a writer commits a change meanwhile ...
    assert entry.get(lambda: "old") == "old"  # ... the reader stores what it read before
    assert not stamped.lookup("test.kind", "one").hit  # never served
    assert stamped.lookup("test.kind", "one").get(lambda: "new") == "new"
    assert stamped.lookup("test.kind", "one").get(lambda: "recomputed") == "new"


def test_an_entry_read_before_this_threads_own_change_is_read_again():
    entry = stamped.lookup("test.kind", "two")
    assert entry.get(lambda: "before") == "before" and entry.hit
    stamped.invalidate("test.kind", ["two"])  # e.g. the list marked the bell's items read
    assert not entry.hit
    assert entry.get(lambda: "after") == "after"
    assert stamped.lookup("test.kind", "two").get(lambda: "other") == "after"


def test_redis_down_means_the_database_answers(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.OWNER])
    member = client_of(alpha, user)
    assert roles_seen(member) == [Role.OWNER]
    down = mock.Mock(**{f"{name}.side_effect": ConnectionError("down") for name in CALLS})
    with mock.patch.object(stamped, "cache", down), CaptureQueriesContext(connection) as captured:
        connection.set_tenant(alpha)
        found = usercache.get_user(user.pk)
    assert found is not None and found.pk == user.pk
    assert any("access_user" in query["sql"] for query in captured.captured_queries)


def redis_commands(client, path: str) -> dict[str, int]:
    """The Redis commands one warm request of ``path`` sends (after two to warm it)."""
    import collections

    import redis.client

    for _ in range(2):
        assert client.get(path).status_code == 200
    sent: collections.Counter = collections.Counter()
    original = redis.client.Redis.execute_command

    def counting(self, *args, **kwargs):
        sent[args[0]] += 1
        return original(self, *args, **kwargs)

    with mock.patch.object(redis.client.Redis, "execute_command", counting):
        assert client.get(path).status_code == 200
    return dict(sent)


def test_a_warm_signed_in_page_asks_redis_once(alpha, client_of, make_user):
    """The session, the user's row, the bell, the logo and the emergency notices: one MGET
    (core.access.middleware.ReadAheadMiddleware), where they were four round trips."""
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    assert redis_commands(member, "/") == {"MGET": 1}
    assert redis_commands(member, "/api/v1/me/") == {"MGET": 1}


def test_the_guessed_user_is_never_trusted(alpha, client_of, make_user):
    """The read-ahead guesses a session's user from what this process saw; a wrong guess (here
    planted) reads the wrong entries ahead but the page is the session's own user's."""
    from core.access import middleware

    first = make_user(alpha, roles=[Role.OWNER], email="first@example.test")
    second = make_user(alpha, roles=[Role.OWNER, Role.ACCOUNTANT], email="second@example.test")
    one = client_of(alpha, first)
    assert roles_seen(one) == [Role.OWNER]
    connection.set_tenant(alpha)
    middleware._remember_user(one.session.session_key, second.pk)
    assert roles_seen(one) == [Role.OWNER]
    assert middleware._seen_user(one.session.session_key) == str(first.pk)  # corrected
