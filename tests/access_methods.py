"""The machinery of the every-method access matrix (``tests/test_access_methods.py``).

Which unsafe methods a URL accepts is read from its view: a class-based view (Django's or
DRF's) by the handlers it defines, a DRF viewset by its actions, a function view by its
``require_http_methods`` list (``require_POST``, ``require_GET`` ...); a function view without
such a list takes POST (it reads ``request.method``) and nothing else is tried on it.

Each request is sent with a valid CSRF token (the client enforces the check, as a browser's
request meets it), inside a savepoint rolled back after it, so an allowed request changes nothing
for the next visitor. Writes are counted from PostgreSQL's own per-transaction statistics
(``pg_stat_xact_user_tables``: rows inserted, updated and deleted in every table of every
schema, the audit log included, counting attempts that were rolled back too), before and after
the request: a refused request (a 4xx, or the redirect to the login page) must have written
nothing but its session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access_expectations import FORBIDDEN, LOGIN, NOT_ALLOWED, NOT_FOUND, REFUSALS

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
#: A CSRF secret of the right shape: the cookie carries it and the header repeats it.
CSRF_SECRET = "matrixcsrf0123456789abcdefghijkl"
#: Writes a request may make whatever its answer: its session (a message, the second factor).
QUIET_TABLES = frozenset({"django_session"})


def url_callbacks(urlconf) -> dict[str, object]:
    """``{full url name: view callable}`` of a URL map."""
    found: dict[str, object] = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[namespace + pattern.name] = pattern.callback

    walk(get_resolver(urlconf).url_patterns, "")
    return found


def _declared_methods(func) -> tuple[str, ...] | None:
    """The list given to ``require_http_methods`` somewhere in a decorated function's chain."""
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple | set | frozenset)
                and value
                and all(isinstance(item, str) and item.isupper() for item in value)
            ):
                return tuple(value)
        func = getattr(func, "__wrapped__", None)
    return None


def accepted_methods(callback) -> tuple[str, ...]:
    """The unsafe methods a view accepts (see the module's docstring)."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        actions = getattr(callback, "actions", None)
        if actions:
            return tuple(m for m in UNSAFE_METHODS if m.lower() in actions)
        return tuple(
            m
            for m in UNSAFE_METHODS
            if m.lower() in view_class.http_method_names and hasattr(view_class, m.lower())
        )
    declared = _declared_methods(callback)
    if declared is not None:
        return tuple(m for m in UNSAFE_METHODS if m in declared)
    return ("POST",)


def is_api(callback) -> bool:
    from rest_framework.views import APIView

    view_class = getattr(callback, "cls", None)
    return view_class is not None and issubclass(view_class, APIView)


def takes_json(callback) -> bool:
    """Whether an API view parses JSON (an upload endpoint takes multipart only)."""
    from rest_framework.settings import api_settings

    view_class = getattr(callback, "cls", None)
    parsers = getattr(view_class, "parser_classes", None) or api_settings.DEFAULT_PARSER_CLASSES
    return any(parser.media_type == "application/json" for parser in parsers)


# --- Bodies ----------------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The fields of the page's first POST form that posts back to the page itself, with the
    values a person submitting it unchanged would send."""

    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.fields: dict[str, str] | None = None
        self._in_form = False
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form" and self.fields is None:
            action = attrs.get("action", "")
            if attrs.get("method", "get").lower() == "post" and action in ("", self.path):
                self._in_form, self.fields = True, {}
            return
        if not self._in_form or self.fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.setdefault(name, attrs.get("value", "on"))
            elif kind not in ("file", "submit", "button", "image", "reset"):
                self.fields.setdefault(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in attrs:
                self._select_value = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self._in_form or self.fields is None:
            return
        if tag == "select" and self._select is not None:
            self.fields.setdefault(self._select, self._select_value or "")
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.setdefault(self._textarea, "".join(self._text).strip())
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_body(html: str, path: str) -> dict[str, str]:
    """What the page's own form would post, unchanged (empty when it has none)."""
    parser = _FormFields(path)
    parser.feed(html)
    return parser.fields or {}


# --- Visitors and requests -------------------------------------------------------------------


def visitor(host: str, user=None, association=None) -> Client:
    """A client that meets the CSRF check as a browser does, signed in as ``user`` (made in
    ``association``'s schema, or the public one when it is None) with the second factor
    passed."""
    from tests.conftest import verify_second_factor

    client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    if user is not None:
        if association is None:
            connection.set_schema_to_public()
        else:
            connection.set_tenant(association)
        client.force_login(user)
        verify_second_factor(client, user)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def writes() -> dict[tuple[str, str], tuple[int, int, int]]:
    """Rows inserted, updated, deleted so far in this transaction, by table (sessions aside)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del "
            "FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return {
            (schema, table): (ins, upd, dele)
            for schema, table, ins, upd, dele in cursor.fetchall()
            if table not in QUIET_TABLES
        }


def written_between(before: dict, after: dict) -> list[str]:
    return sorted(
        f"{schema}.{table}"
        for (schema, table), counts in after.items()
        if counts != before.get((schema, table), (0, 0, 0))
    )


@dataclass
class Answer:
    status: object  # an HTTP status, or LOGIN for the redirect to the login page
    written: list[str] = field(default_factory=list)
    text: str = ""


def answer_of(response) -> object:
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


def send(
    client: Client, method: str, path: str, *, api: bool, body: dict | None, json_body=None
) -> Answer:
    """One request in a savepoint that is rolled back afterwards; what it answered and wrote.
    A page's POST is a form; the API gets JSON unless it parses none (``json_body=False``:
    multipart, as an upload endpoint expects)."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    headers = {"HTTP_X_CSRFTOKEN": CSRF_SECRET}
    schema = connection.schema_name
    savepoint = transaction.savepoint()
    try:
        before = writes()
        if method == "GET":
            response = client.get(path)
        elif method == "POST" and not api:
            response = client.post(path, data=body or {}, **headers)
        elif api and json_body is False:
            multipart = encode_multipart(BOUNDARY, body or {})
            response = client.generic(method, path, multipart, MULTIPART_CONTENT, **headers)
        else:
            response = client.generic(
                method, path, json.dumps(body or {}), "application/json", **headers
            )
        after = writes()
    finally:
        transaction.savepoint_rollback(savepoint)
        # The rollback undid the request's search_path too: make django-tenants set it again.
        if schema == "public":
            connection.set_schema_to_public()
        else:
            connection.set_schema(schema)
    status = answer_of(response)
    text = "" if response.streaming else response.content.decode("utf-8", "replace")
    return Answer(status, written_between(before, after), text)


def refused(status) -> bool:
    """A refusal or an error of the client's: nothing may have been written."""
    return status == LOGIN or (isinstance(status, int) and 400 <= status < 500)


def default_expectation(get_answer, *, outsider: bool):
    """What a method is expected to answer when its expectation names no answer of its own:
    a visitor refused a GET is refused the same way (or told the method is not allowed); an
    outsider (anonymous, another association's member) is refused a URL whose GET is not
    allowed either (a button); anyone else may be let through (``None``: any answer below 500,
    and nothing written unless it succeeded)."""
    if get_answer == NOT_FOUND:
        # Someone else's object: or a role that may not change that kind at all, refused
        # before the object is looked up (the ids test: an id that names nothing is refused too).
        return frozenset({NOT_FOUND, FORBIDDEN, NOT_ALLOWED})
    if get_answer in REFUSALS and get_answer != NOT_ALLOWED:
        return frozenset({get_answer, NOT_ALLOWED})
    if outsider and get_answer == NOT_ALLOWED:
        return REFUSALS
    return None
