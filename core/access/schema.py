"""OpenAPI description of the API: its authentication and its error answers (drf-spectacular).

Every operation documents the errors it can answer, decided here in one place from what the view
declares (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` is ``ErrorAnswersSchema``), never per view:

- **400** ``ValidationErrors``: the fields' messages (``{"field": ["..."], "non_field_errors":
  [...]}``, nested for nested fields), or ``{"detail": "..."}`` for a body that cannot be parsed;
  on every operation that takes a body or query parameters. ``core.access.api.exception_handler``
  makes every 400 an object (a service's refusal, a view's list of messages).
- **401** (``WWW-Authenticate`` challenge) and **403** ``Error``: on every operation that needs a
  signed-in caller (all of them today); 403 also answers a missing CSRF token.
- **404** ``Error``: where the operation names an object, in its path, its body or its query
  (someone else's object is a 404 by construction), and on paginated lists (a page past the end).
- **409** ``Error``: on every changing operation (a uniqueness race lost to a concurrent request,
  ``exception_handler``).
- **413** ``Error``: on operations that take uploads (multipart).
- **429** ``Error``: on operations with DRF throttles.

docs/development.md, "API error answers", tells the rest.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.settings import api_settings


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.access.api.SessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


#: ``{"detail": "..."}``: DRF's answer for every refusal that names no field.
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": False,
}
#: The messages of one field: a list of messages, or (nested serializers, lists of objects,
#: list fields) the nested fields' errors by name or position.
FIELD_ERROR = {
    "anyOf": [
        {
            "type": "array",
            "items": {
                "anyOf": [
                    {"type": "string"},
                    {"$ref": "#/components/schemas/FieldErrors"},
                ]
            },
        },
        {"$ref": "#/components/schemas/FieldErrors"},
    ]
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name; `non_field_errors` for those that name no field.",
    "additionalProperties": {"$ref": "#/components/schemas/FieldError"},
}
VALIDATION_ERRORS = {
    "anyOf": [
        {"$ref": "#/components/schemas/Error"},
        {"$ref": "#/components/schemas/FieldErrors"},
    ]
}

CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DESCRIPTIONS = {
    "400": "Refused: the messages by field (or `detail` for a body that cannot be read).",
    "401": "Not signed in.",
    "403": "Signed in without a role that may do this (or without a CSRF token).",
    "404": "No such object here, or not yours to see.",
    "409": "A concurrent change got there first; nothing was written.",
    "413": "The upload is too large.",
    "429": "Too many requests; try again later.",
}


class ErrorAnswersSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema`` plus the error answers each operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            component = "ValidationErrors" if code == "400" else "Error"
            answer = {
                "content": {"application/json": {"schema": self._component(component).ref}},
                "description": DESCRIPTIONS[code],
            }
            if code == "401":
                answer["headers"] = {
                    "WWW-Authenticate": {"schema": {"type": "string"}, "required": True}
                }
            responses.setdefault(code, answer)
        return responses

    def error_codes(self) -> list[str]:
        view = self.view
        # A page past the end of a paginated list is a 404 too (DRF's "Invalid page").
        paginated = self._is_list_view() and self._get_paginator() is not None
        # A query parameter may name an object too (``?account=``: someone else's is a 404).
        names_object = (
            "{" in self.path
            or self.method in {"POST", "PUT", "PATCH"}
            or paginated
            or bool(self._query_parameters())
        )
        takes_input = self.method in CHANGING or bool(self._query_parameters())
        needs_caller = not all(
            isinstance(permission, permissions.AllowAny) for permission in view.get_permissions()
        )
        # Views that take files name their parsers (DRF's default set takes multipart too).
        uploads = view.parser_classes != api_settings.DEFAULT_PARSER_CLASSES and any(
            issubclass(parser, MultiPartParser | FileUploadParser) for parser in view.parser_classes
        )
        wanted = {
            "400": takes_input,
            "401": needs_caller,
            "403": needs_caller,
            "404": names_object,
            "409": self.method in CHANGING,
            "413": uploads and self.method in CHANGING,
            "429": bool(view.get_throttles()),
        }
        return [code for code, due in wanted.items() if due]

    def _query_parameters(self) -> list:
        return [
            parameter
            for parameter in self._get_parameters()
            if isinstance(parameter, dict) and parameter.get("in") == "query"
        ]

    def _component(self, name: str) -> ResolvedComponent:
        schemas = {
            "Error": ERROR,
            "FieldError": FIELD_ERROR,
            "FieldErrors": FIELD_ERRORS,
            "ValidationErrors": VALIDATION_ERRORS,
        }
        for each in ("FieldError", "FieldErrors") if name == "ValidationErrors" else ():
            self._component(each)
        if name == "ValidationErrors":
            self._component("Error")
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schemas[name]
        )
        self.registry.register_on_missing(component)
        return component
