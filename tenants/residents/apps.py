from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """Premises, owners, personal accounts and their holders (the association's registry)."""

    name = "tenants.residents"
    label = "residents"
    verbose_name = _("Residents")
