from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetersConfig(AppConfig):
    """Meters and their readings: what members hand in each month and the ledger bills by."""

    name = "tenants.meters"
    label = "meters"
    verbose_name = _("Meters")

    def ready(self):
        # The file purposes this app stores under (photos of a meter's face).
        from tenants.meters import purposes  # noqa: F401
