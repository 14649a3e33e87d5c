from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "core.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        # The OpenAPI extension, and the signal receivers of the audit log and session limits.
        from core.access import events, schema, sessions  # noqa: F401
