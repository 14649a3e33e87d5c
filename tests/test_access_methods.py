"""Every unsafe method of every URL × every kind of visitor (issue 19, "Isolation and access,
every method").

The GET matrix (``tests/test_access_matrix.py``) reads one expectation per URL; this one sends
each unsafe method the URL's view accepts (``tests/access_methods.py``), with a valid CSRF token
and a plausible body (what the page's own form posts, unchanged; ``{}`` to the API), as
anonymous, every role of ``alpha``, and a member and the chairman of ``beta`` on ``alpha``'s
host. One test per URL and method: the object the URL names is made once, the visitors are
made once, and each request runs in a savepoint rolled back after it. Checked for every answer:

* the answer: the method's own expectation where a module pins it (``METHODS``), else the
  default of ``tests.access_expectations`` (a refused GET means a refused method);
* no 5xx;
* nothing written by a refused request (rows inserted, updated or deleted in any table, the
  audit log included; sessions aside), counted by PostgreSQL around that request;
* no data of ``beta`` (its name, its people's names and addresses) in any answer on ``alpha``'s
  host, and no data of the other member in a member's answer.

Then the ids of objects made in ``beta``, used on ``alpha``'s host by everyone who would be let
in to ``alpha``'s own object, for GET and every unsafe method: refused, nothing written.
A new URL is covered by its GET expectation alone.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse

from core.access.roles import Role
from tests.access_expectations import (
    BETA_ACTORS,
    LOGIN,
    METHOD_ACTORS,
    OK,
    PUBLIC_URLCONF,
    REFUSALS,
    TENANT_URLCONF,
    collect,
)
from tests.access_methods import (
    Answer,
    accepted_methods,
    default_expectation,
    form_body,
    is_api,
    refused,
    send,
    takes_json,
    url_callbacks,
    visitor,
)
from tests.conftest import host_of

EXPECTATIONS = collect()
METHODS = collect("METHODS")
FOREIGN_IDS = collect("FOREIGN_IDS")
CALLBACKS = {
    TENANT_URLCONF: url_callbacks(TENANT_URLCONF),
    PUBLIC_URLCONF: url_callbacks(PUBLIC_URLCONF),
}
ROLES = tuple(role.value for role in Role)
MEMBERS = (Role.OWNER.value, Role.RESIDENT.value)
OUTSIDERS = frozenset({"anonymous", *BETA_ACTORS})
#: Whose page is read for the body a form posts: the first of these let in.
READERS = (
    Role.CHAIRMAN.value,
    Role.BOARD_MEMBER.value,
    Role.ACCOUNTANT.value,
    Role.DISPATCHER.value,
    Role.OWNER.value,
    Role.RESIDENT.value,
)


def _cases(urlconf):
    callbacks = CALLBACKS[urlconf]
    return [
        pytest.param(name, method, id=f"{name}-{method}")
        for (conf, name) in sorted(EXPECTATIONS)
        if conf == urlconf and name in callbacks
        for method in accepted_methods(callbacks[name])
    ]


TENANT_CASES = _cases(TENANT_URLCONF)
PUBLIC_CASES = _cases(PUBLIC_URLCONF)


# --- The visitors --------------------------------------------------------------------------


class Cast:
    """The visitors of one test: a user for each role of ``home`` (``alpha``), a member and the
    chairman of ``foreign`` (``beta``), each made when first needed, with names and addresses no
    page has any other reason to show."""

    def __init__(self, home, foreign):
        self.home, self.foreign = home, foreign
        self.mark = uuid.uuid4().hex[:8]
        self.users = {}
        connection.set_tenant(home)
        # Last activity is noted at most every five minutes: note it now, so no request writes it.
        cache.set(f"activity:{home.schema_name}", 1, 300)

    def user(self, actor):
        from tests.factories import UserFactory

        if actor not in self.users:
            if actor in BETA_ACTORS:
                connection.set_tenant(self.foreign)
                self.users[actor] = UserFactory(
                    roles=[Role.OWNER if actor == "beta_member" else Role.CHAIRMAN],
                    email=f"{actor}-{self.mark}@example.test",
                    full_name=f"Чужой Секрет{self.mark} {actor}",
                )
            else:
                connection.set_tenant(self.home)
                self.users[actor] = UserFactory(
                    roles=[actor],
                    email=f"matrix-{actor}-{self.mark}@example.test",
                    full_name=f"Матрицын {actor.title()} Домашний{self.mark}",
                )
            connection.set_tenant(self.home)
        return self.users[actor]

    def client(self, actor):
        host = host_of(self.home)
        if actor == "anonymous":
            client = visitor(host)
        elif actor in BETA_ACTORS:
            # Signed in at the other association, the same cookie jar then visits this one's
            # host: it must not know them.
            client = visitor(host_of(self.foreign), self.user(actor), self.foreign)
            client.defaults["HTTP_HOST"] = host
        else:
            client = visitor(host, self.user(actor), self.home)
        connection.set_tenant(self.home)
        return client

    def foreign_marks(self, actor) -> list[str]:
        """What must never appear in ``actor``'s answers on the home association's host: the
        other association's name and its people, and to a member, the other members."""
        others = [*BETA_ACTORS, *(m for m in MEMBERS if actor in MEMBERS and m != actor)]
        marks = [self.foreign.name]
        for other in others:
            if other in self.users:
                marks += [self.users[other].email, self.users[other].full_name]
        return marks


def _leaks(answer: Answer, marks: list[str]) -> list[str]:
    return [mark for mark in marks if mark and mark in answer.text]


def _pinned(urlconf, name, method, actor):
    answer = METHODS.get((urlconf, name), {}).get(method, {}).get(actor)
    if answer is None:
        return None
    return frozenset(answer) if isinstance(answer, set | frozenset | tuple | list) else {answer}


def _body(clients, answers, path, *, api, method, readers=READERS):
    """What the page's own form posts, read by the first reader let in (none for the API)."""
    if api or method != "POST":
        return {}
    for actor in readers:
        if answers.get(actor) == OK:
            page = send(clients[actor], "GET", path, api=False, body=None)
            return form_body(page.text, path) if page.status == OK else {}
    return {}


#: URLs whose success ends on the login page: signing out writes its audit entry
#: (``access.sign_out``) and then sends the person to sign in again.
SUCCESS_ON_THE_LOGIN_PAGE = frozenset({"access:logout"})


def _check(problems, actor, method, answer: Answer, expected, marks, *, name=""):
    where = f"{method} by {actor}"
    if isinstance(answer.status, int) and answer.status >= 500:
        problems.append(f"{where}: {answer.status}")
    elif expected is not None and answer.status not in expected:
        problems.append(
            f"{where}: answered {answer.status}, expected one of {sorted(map(str, expected))}"
        )
    signed_out = name in SUCCESS_ON_THE_LOGIN_PAGE and answer.status == LOGIN
    if refused(answer.status) and answer.written and not signed_out:
        problems.append(f"{where}: refused ({answer.status}) but wrote {answer.written}")
    leaks = _leaks(answer, marks)
    if leaks:
        problems.append(f"{where}: the answer shows {leaks}")


# --- The portal's URLs ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), TENANT_CASES)
def test_every_method_of_a_portal_url(name, method, alpha, beta, db):
    kwargs, answers = EXPECTATIONS[(TENANT_URLCONF, name)]
    callback = CALLBACKS[TENANT_URLCONF][name]
    api = is_api(callback)
    cast = Cast(alpha, beta)
    clients = {actor: cast.client(actor) for actor in METHOD_ACTORS}
    if callable(kwargs):
        kwargs = kwargs(alpha)
    path = reverse(name, urlconf=TENANT_URLCONF, kwargs=kwargs)
    body = _body(clients, answers, path, api=api, method=method)

    problems: list[str] = []
    for actor in METHOD_ACTORS:
        get_answer = answers["other_association" if actor in BETA_ACTORS else actor]
        expected = _pinned(TENANT_URLCONF, name, method, actor) or default_expectation(
            get_answer, outsider=actor in OUTSIDERS
        )
        answer = send(
            clients[actor], method, path, api=api, body=body, json_body=takes_json(callback)
        )
        _check(problems, actor, method, answer, expected, cast.foreign_marks(actor), name=name)
    assert not problems, f"{method} {path}:\n" + "\n".join(problems)


FOREIGN_ID_CASES = [
    pytest.param(name, id=name)
    for (conf, name), (kwargs, _answers) in sorted(EXPECTATIONS.items())
    if conf == TENANT_URLCONF and callable(kwargs) and name in CALLBACKS[TENANT_URLCONF]
]


def _made_in(association, kwargs):
    """The URL's kwargs for an object made in ``association``, or None when that kind of
    association has no such object (an owners' meeting in an СНТ)."""

    connection.set_tenant(association)
    try:
        with transaction.atomic():
            return kwargs(association)
    except Exception:  # noqa: BLE001 - any refusal of that kind: made in the other one instead
        return None


@pytest.mark.parametrize("name", FOREIGN_ID_CASES)
def test_ids_of_another_association_are_refused(name, alpha, beta, db):
    """The object is made in beta only: on alpha's host its ids name nothing, for everyone who
    would be let in to alpha's own object of that kind, whatever the method. Objects an СНТ
    cannot have (an owners' meeting) are made in alpha and tried on beta's host instead."""
    kwargs, answers = EXPECTATIONS[(TENANT_URLCONF, name)]
    callback = CALLBACKS[TENANT_URLCONF][name]
    api = is_api(callback)
    home, foreign = alpha, beta
    foreign_kwargs = _made_in(beta, kwargs)
    if foreign_kwargs is None:
        home, foreign = beta, alpha
        foreign_kwargs = _made_in(alpha, kwargs)
    assert foreign_kwargs is not None, f"{name}: its object can be made in neither association"
    path = reverse(name, urlconf=TENANT_URLCONF, kwargs=foreign_kwargs)
    cast = Cast(home, foreign)
    # A module names what such a URL answers when it is not refused (a link's page that says
    # it is not valid here): ``FOREIGN_IDS = {(urlconf, name): {answers}}``.
    allowed = FOREIGN_IDS.get((TENANT_URLCONF, name))
    let_in = [role for role in ROLES if answers[role] not in REFUSALS or answers[role] == 405]
    problems: list[str] = []
    for actor in let_in:
        client = cast.client(actor)
        for method in ("GET", *accepted_methods(callback)):
            answer = send(client, method, path, api=api, body={}, json_body=takes_json(callback))
            if answer.status not in allowed if allowed else not refused(answer.status):
                problems.append(f"{method} by {actor}: answered {answer.status}")
            _check(problems, actor, method, answer, None, cast.foreign_marks(actor))
    assert not problems, f"{foreign.slug}'s {path} on {home.slug}'s host:\n" + "\n".join(problems)


# --- The public site and the console ---------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), PUBLIC_CASES)
def test_every_method_of_a_public_url(name, method, alpha, db):
    from django.conf import settings

    from tests.factories import UserFactory

    kwargs, answers = EXPECTATIONS[(PUBLIC_URLCONF, name)]
    callback = CALLBACKS[PUBLIC_URLCONF][name]
    api = is_api(callback)
    connection.set_tenant(alpha)
    member = UserFactory(roles=[Role.CHAIRMAN])
    member_client = visitor(host_of(alpha), member, alpha)
    member_client.defaults["HTTP_HOST"] = settings.BASE_DOMAIN
    connection.set_schema_to_public()
    operator = UserFactory(roles=[], is_staff=True)
    clients = {
        "anonymous": visitor(settings.BASE_DOMAIN),
        "operator": visitor(settings.BASE_DOMAIN, operator, None),
        "member": member_client,
    }
    connection.set_schema_to_public()
    if callable(kwargs):
        kwargs = kwargs(None)
    path = reverse(name, urlconf=PUBLIC_URLCONF, kwargs=kwargs)
    connection.set_schema_to_public()
    body = _body(clients, answers, path, api=api, method=method, readers=("anonymous", "operator"))

    problems: list[str] = []
    for actor, client in clients.items():
        expected = _pinned(PUBLIC_URLCONF, name, method, actor) or default_expectation(
            answers[actor], outsider=actor != "operator"
        )
        answer = send(client, method, path, api=api, body=body, json_body=takes_json(callback))
        _check(problems, actor, method, answer, expected, [], name=name)
    assert not problems, f"{method} {path}:\n" + "\n".join(problems)


# --- The matrix itself can fail ---------------------------------------------------------------


def test_the_methods_a_view_accepts_are_read_from_the_view():
    from tests import access_methods_probe_urls as probe

    assert accepted_methods(probe.get_and_delete) == ("DELETE",)
    assert accepted_methods(probe.post_only) == ("POST",)
    assert accepted_methods(probe.writes_then_refuses) == ("POST",)  # reads request.method
    assert accepted_methods(probe.Document.as_view()) == ("PUT", "PATCH")


def test_a_form_posts_what_a_person_would_send_unchanged():
    html = """<form method="get"><input name="q" value="search"></form>
    <form method="post" action=""><input type="hidden" name="csrfmiddlewaretoken" value="x">
    <input name="title" value="Собрание"><textarea name="text"> Повестка </textarea>
    <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
    <input type="checkbox" name="agree" checked><input type="checkbox" name="spam">
    <input type="file" name="photo"><button type="submit">Отправить</button></form>"""
    assert form_body(html, "/x/") == {
        "title": "Собрание",
        "text": "Повестка",
        "kind": "b",
        "agree": "on",
    }
    assert (
        form_body('<form method="post" action="/elsewhere/"><input name="a"></form>', "/x/") == {}
    )


def test_a_refused_get_means_a_refused_method():
    assert default_expectation(403, outsider=False) == {403, 405}
    assert default_expectation(404, outsider=False) == {404, 403, 405}
    assert default_expectation("login", outsider=True) == {"login", 405}
    assert default_expectation(405, outsider=True) == REFUSALS
    assert default_expectation(405, outsider=False) is None
    assert default_expectation(OK, outsider=True) is None


@pytest.mark.urls("tests.access_methods_probe_urls")
def test_a_refused_request_that_wrote_and_a_foreign_name_are_both_noticed(alpha, beta, db):
    cast = Cast(alpha, beta)
    client = cast.client(Role.OWNER.value)
    problems: list[str] = []

    answer = send(client, "POST", "/probe/refused-late/", api=False, body={})
    _check(problems, "owner", "POST", answer, {403}, [])
    assert answer.status == 403
    assert any("audit" in table for table in answer.written), answer.written
    assert problems == [f"POST by owner: refused (403) but wrote {answer.written}"]

    problems.clear()
    stranger = cast.user("beta_chairman").full_name
    answer = send(client, "GET", f"/probe/shows/?show={stranger}", api=False, body=None)
    _check(problems, "owner", "GET", answer, None, cast.foreign_marks("owner"))
    assert problems == [f"GET by owner: the answer shows {[stranger]}"]

    problems.clear()
    neighbour = cast.user(Role.RESIDENT.value).email
    answer = send(client, "GET", f"/probe/shows/?show={neighbour}", api=False, body=None)
    _check(problems, "owner", "GET", answer, None, cast.foreign_marks("owner"))
    assert problems == [f"GET by owner: the answer shows {[neighbour]}"]
    # The board sees its members: the same answer is no leak to the chairman.
    assert not _leaks(answer, cast.foreign_marks(Role.CHAIRMAN.value))
