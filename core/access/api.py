"""REST API access: 401 for anonymous callers, 403 without the role, 404 for others' objects."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import authentication, exceptions, permissions
from rest_framework.settings import api_settings

from core.access.roles import has_role
from core.ui.refusals import field_errors


def exception_handler(exc, context):
    """DRF's answers, plus a service's refusal (Django's ``ValidationError``) as a 400 that names
    the fields, like a serializer's own errors (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``)."""
    # Imported here: DRF's views import the authentication class of this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        errors = field_errors(exc)
        if not hasattr(exc, "error_dict"):
            errors = {api_settings.NON_FIELD_ERRORS_KEY: errors[NON_FIELD_ERRORS]}
        exc = exceptions.ValidationError(errors)
    return drf_exception_handler(exc, context)


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
