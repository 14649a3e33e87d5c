"""REST API access: 401 for anonymous callers, 403 without the role, 404 for others' objects."""

from __future__ import annotations

from rest_framework import authentication, permissions

from core.access.roles import has_role


class SessionAuthentication(authentication.SessionAuthentication):
    """Session authentication that answers 401 (not 403) to anonymous callers.

    DRF answers 401 only when an authenticator names a ``WWW-Authenticate`` challenge.
    """

    def authenticate_header(self, request):
        return 'Session realm="api"'


class HasRole(permissions.BasePermission):
    """``permission_classes = [HasRole.of(Role.ACCOUNTANT, Role.CHAIRMAN)]``."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type("HasRole", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and has_role(
            request.user, *self.roles
        )
