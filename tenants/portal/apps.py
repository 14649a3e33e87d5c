from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The association portal's frame: the dashboard by role and portal-wide pages."""

    name = "tenants.portal"
    label = "portal"
    verbose_name = _("Portal")
