"""REST API access: 401 for anonymous callers, 403 without the role, 404 for others' objects."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import authentication, exceptions, permissions, status
from rest_framework.settings import api_settings

from core.access.roles import has_role
from core.ui.refusals import field_errors


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone changed this at the same moment. Reload and try again.")
    default_code = "conflict"


#: PostgreSQL's unique_violation: a concurrent request wrote the same row first.
UNIQUE_VIOLATION = "23505"


def exception_handler(exc, context):
    """DRF's answers in the shapes the schema documents (``core.access.schema``), plus
    (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``):

    - a service's refusal (Django's ``ValidationError``) as a 400 that names the fields, like a
      serializer's own errors;
    - a 400 is always an object: a list of messages (``ValidationError([...])`` raised by a
      view) goes under ``non_field_errors``;
    - a uniqueness race lost to a concurrent request (``IntegrityError``, unique_violation) as a
      409; the request's transaction is rolled back. Other integrity errors stay 500s (bugs).
    """
    # Imported here: DRF's views import the authentication class of this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        errors = field_errors(exc)
        if not hasattr(exc, "error_dict"):
            errors = {api_settings.NON_FIELD_ERRORS_KEY: errors[NON_FIELD_ERRORS]}
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, IntegrityError) and _is_unique_violation(exc):
        exc = Conflict()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


def _is_unique_violation(error: IntegrityError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == UNIQUE_VIOLATION


def not_found(request, exception=None):
    """``handler404``: under ``/api/`` a JSON ``{"detail": ...}`` as the schema documents (a path
    no URL pattern takes, say ``/api/v1/meters/-1/``), elsewhere the portal's page."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


API_PREFIX = "/api/"


class SessionAuthentication(authentication.SessionAuthentication):
    """Session authentication that answers 401 (not 403) to anonymous callers.

    DRF answers 401 only when an authenticator names a ``WWW-Authenticate`` challenge.
    """

    def authenticate_header(self, request):
        return 'Session realm="api"'


class HasRole(permissions.BasePermission):
    """The API's one permission for roles; 401 for anonymous callers, 403 without the role.

    ``permission_classes = [HasRole.of(*ACCOUNT_READERS)]``; with ``write=`` the changing methods
    (POST, PUT, PATCH, DELETE) need one of those roles instead:
    ``HasRole.of(*REGISTRY_EDITORS, *MEMBER_ROLES, write=REGISTRY_EDITORS)``.
    """

    roles: frozenset[str] = frozenset()
    write_roles: frozenset[str] | None = None

    @classmethod
    def of(cls, *roles: str, write=None) -> type[HasRole]:
        attrs = {
            "roles": frozenset(roles),
            "write_roles": None if write is None else frozenset(write),
        }
        return type("HasRole", (cls,), attrs)

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        roles = self.roles
        if self.write_roles is not None and request.method not in permissions.SAFE_METHODS:
            roles = self.write_roles
        return has_role(request.user, *roles)
