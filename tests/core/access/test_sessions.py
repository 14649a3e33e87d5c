"""Sessions in the cache (``cached_db``): a signed-in request reads no session row, the database
stays the record (a flushed cache signs nobody out), and a session ended by the staff services
stops working at once although the cache held it. The second factor's confirmation lives in the
session too, so it costs no query either."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.access.roles import Role
from tenants.staff import services as staff

pytestmark = pytest.mark.django_db


def warm_sql(client, path="/") -> str:
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return "\n".join(query["sql"] for query in captured.captured_queries)


def test_sessions_are_read_from_the_cache():
    # cached_db, with a failing Redis answered from the database (core/access/session_store.py)
    assert settings.SESSION_ENGINE == "core.access.session_store"


def test_a_signed_in_request_reads_no_session_row(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    assert "django_session" not in warm_sql(member)


def test_a_board_members_second_factor_costs_no_query(alpha, client_of, make_user):
    board = client_of(alpha, make_user(alpha, roles=[Role.BOARD_MEMBER]))
    sql = warm_sql(board)
    assert "django_session" not in sql
    assert "access_secondfactor" not in sql


def test_the_database_stays_the_record_when_the_cache_forgets(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    cache.clear()
    assert member.get("/").status_code == 200  # read from the table, then cached again
    assert "django_session" not in warm_sql(member)


def test_a_second_factor_not_confirmed_still_redirects(alpha, client_of, make_user):
    board = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]), second_factor_verified=False)
    response = board.get("/")
    assert response.status_code == 302
    assert "/accounts/second-factor/" in response["Location"]


def test_a_session_ended_by_the_staff_services_stops_working_at_once(alpha, client_of, make_user):
    chairman = make_user(alpha, roles=[Role.CHAIRMAN])
    person = make_user(alpha, roles=[Role.OWNER, Role.ACCOUNTANT])
    signed_in = client_of(alpha, person)
    assert signed_in.get("/").status_code == 200  # its session is in the cache now

    connection.set_tenant(alpha)
    change = staff.revoke_roles(person, roles=[Role.ACCOUNTANT], actor=chairman)
    assert change.sessions_ended == 1
    assert not Session.objects.filter(pk=signed_in.session.session_key).exists()

    response = signed_in.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_signing_out_ends_the_cached_session(alpha, client_of, make_user):
    member = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    member.get("/")
    key = member.cookies[settings.SESSION_COOKIE_NAME].value
    member.post("/accounts/logout/")
    other = client_of(alpha)
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    assert other.get("/").status_code == 302
