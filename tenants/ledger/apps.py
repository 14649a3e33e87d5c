from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The association's ledger: services, tariffs, accruals, the journal of each account."""

    name = "tenants.ledger"
    label = "ledger"
    verbose_name = _("Ledger")
