from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Import of the registry (premises, accounts, owners) from an .xlsx or .csv file."""

    name = "tenants.imports"
    label = "imports"
    verbose_name = _("Registry import")

    def ready(self):
        # Registers the Celery task with the app even where ``config.celery`` does not list
        # this package in ``autodiscover_tasks`` (the worker loads every installed app).
        from tenants.imports import tasks  # noqa: F401
