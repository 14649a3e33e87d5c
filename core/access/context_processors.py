from django.conf import settings

from core.access.roles import Role, roles_of


def access(request):
    """``roles`` (the user's roles), ``Role`` and the current ``association`` for templates."""
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME
    return {
        "roles": roles_of(getattr(request, "user", None)),
        "Role": Role,
        "association": None if is_public else tenant,
    }
