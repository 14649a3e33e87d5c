from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")

    def ready(self):
        # Register the provisioning tasks with Celery (config.celery autodiscovers other
        # packages only).
        from associations import tasks  # noqa: F401
        from associations.tenancy import AssociationsTenancy
        from core import tenancy

        # core and the tenant apps reach the associations through this hook, never an import.
        tenancy.register(AssociationsTenancy())
        from associations.legal import AssociationsLegalDetails
        from core import legal_details

        legal_details.register(AssociationsLegalDetails())
        from associations import routing

        # A changed association or domain is routed anew (the cache of associations/routing.py).
        routing.connect_signals()
        # Every migrate command (migrate_schemas too) checks for django_migrations with an
        # index lookup instead of listing the whole catalog: see associations.upgrades.
        from associations.upgrades import install_fast_has_table

        install_fast_has_table()
