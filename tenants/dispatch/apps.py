from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """The dispatch desk: members' repair requests and complaints, suppliers, deadlines."""

    name = "tenants.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch desk")

    def ready(self):
        # The file purposes this app stores under (photos attached to requests).
        from tenants.dispatch import purposes  # noqa: F401
