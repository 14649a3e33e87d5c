from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Members' online payments: one provider interface, webhooks, refunds, reconciliation.

    A tenant app (each association's schema) under ``billing/``: it posts what a provider
    confirms on the personal account through the ledger's services (docs/payments.md)."""

    name = "billing.payments"
    label = "payments"
    verbose_name = _("Online payments")

    def ready(self):
        # The "Pay online" button reads the provider from the shared cache: a new stamp on
        # every change of the settings row.
        from django.db.models.signals import post_delete, post_save

        from billing.payments.models import ProviderSettings
        from billing.payments.selectors import PROVIDER_KIND, forget_provider
        from core import stamped

        stamped.read_on_every_page(PROVIDER_KIND)  # read with the session, ahead

        post_save.connect(forget_provider, sender=ProviderSettings, weak=False)
        post_delete.connect(forget_provider, sender=ProviderSettings, weak=False)
