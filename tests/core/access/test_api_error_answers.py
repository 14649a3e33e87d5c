"""Every API operation documents its error answers (``core.access.schema``), and the answers the
exception handler gives have the documented shapes (``core.access.api.exception_handler``)."""

from __future__ import annotations

import jsonschema
import psycopg
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions

from core.access.api import exception_handler

CHANGING = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _shape(schema, component: str, body) -> None:
    """Validate ``body`` against ``#/components/schemas/<component>`` of the API's schema."""
    resolver = {"components": schema["components"], **schema["components"]["schemas"][component]}
    jsonschema.validate(body, resolver)


def test_every_operation_documents_its_error_answers(schema):
    seen = 0
    for path, method, operation in operations(schema):
        seen += 1
        codes = set(operation["responses"])
        assert {"401", "403"} <= codes, (method, path)
        if "{" in path or method in {"post", "put", "patch"}:
            assert "404" in codes, (method, path)
        if method in CHANGING:
            assert {"400", "409"} <= codes, (method, path)
        refs = {
            answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            for code, answer in operation["responses"].items()
            if code >= "400"
        }
        assert refs <= {"Error", "ValidationErrors"}, (method, path, refs)
    assert seen > 50  # the API's whole surface was described


def test_a_paginated_list_documents_404_for_a_page_past_the_end(schema):
    """Found by tests/fuzz: ``?page=5656328507`` answered an undocumented 404."""
    for path in ("/api/v1/dispatch/requests/", "/api/v1/forum/search/"):
        assert "404" in schema["paths"][path]["get"]["responses"], path


def test_a_list_filtered_by_an_object_documents_404(schema):
    """Found by make fuzz: ``/api/v1/ledger/receipts/?account=<not yours>`` answered an
    undocumented 404 (someone else's account is a 404, as on the pages)."""
    receipts = schema["paths"]["/api/v1/ledger/receipts/"]["get"]
    assert any(p["name"] == "account" for p in receipts.get("parameters", []))
    assert "404" in receipts["responses"]


def test_uploads_document_413(schema):
    photos = schema["paths"]["/api/v1/dispatch/requests/{id}/photos/"]["post"]
    assert "413" in photos["responses"]
    readings = schema["paths"]["/api/v1/meters/readings/"]["post"]
    assert "413" not in readings["responses"]


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        (exceptions.ValidationError({"number": ["Занят"]}), {"number": ["Занят"]}),
        # A view's list of messages becomes an object (the documented shape).
        (exceptions.ValidationError(["Нельзя"]), {"non_field_errors": ["Нельзя"]}),
        (exceptions.ValidationError("Нельзя"), {"non_field_errors": ["Нельзя"]}),
        (DjangoValidationError("Нельзя"), {"non_field_errors": ["Нельзя"]}),
        (DjangoValidationError({"year": "Рано"}), {"year": ["Рано"]}),
        (
            exceptions.ValidationError({"lines": [{}, {"amount": ["Мало"]}]}),
            {"lines": [{}, {"amount": ["Мало"]}]},
        ),
        (exceptions.ParseError(), None),
    ],
)
def test_a_400_has_the_documented_shape(schema, refusal, expected):
    response = exception_handler(refusal, {})
    assert response.status_code == 400
    if expected is not None:
        assert response.data == expected
    _shape(schema, "ValidationErrors", _plain(response.data))


def test_a_lost_uniqueness_race_is_a_409_and_other_integrity_errors_stay_500s(schema):
    try:
        raise IntegrityError("duplicate key") from psycopg.errors.UniqueViolation("duplicate")
    except IntegrityError as error:
        response = exception_handler(error, {})
    assert response.status_code == 409
    _shape(schema, "Error", _plain(response.data))
    try:
        raise IntegrityError("null value") from psycopg.errors.NotNullViolation("null")
    except IntegrityError as error:
        assert exception_handler(error, {}) is None


@pytest.mark.parametrize(
    "refusal",
    [
        exceptions.NotAuthenticated(),
        exceptions.PermissionDenied(),
        exceptions.NotFound(),
        exceptions.Throttled(wait=3),
    ],
)
def test_other_refusals_are_a_detail(schema, refusal):
    response = exception_handler(refusal, {})
    _shape(schema, "Error", _plain(response.data))


def _plain(data):
    """DRF's ``ErrorDetail`` strings and ``ReturnDict``s as plain JSON values."""
    import json

    return json.loads(json.dumps(data))


@pytest.mark.django_db
def test_a_path_no_api_pattern_takes_is_a_json_404_and_a_page_stays_a_page(alpha, client_of):
    client = client_of(alpha)
    response = client.get("/api/v1/meters/-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
