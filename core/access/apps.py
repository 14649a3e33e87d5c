from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "core.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from core.access import schema  # noqa: F401  (registers the OpenAPI extension)
